# Strata — the two commands of the README, plus the benchmark.
#   make demo   installs missing system packages, builds release, runs the main job
#   make test   same set-up, then every test (release build: numeric code is ~50x slower in debug)
#   make bench  Strata vs PyTorch, side by side in one run (W1–W5 of ../shared/bench, W6–W7 MobileNetV2)
#   make transfer  transfer learning four ways (T1, T3 of ../shared/bench/transfer.md) against PyTorch's figures

SYSTEM_PACKAGES := libdnnl-dev zlib1g-dev libpng-dev libturbojpeg0-dev
# what the tests need besides: a headless browser for the run report
TEST_PACKAGES := chromium
# Python packages the tests use to read Strata's outputs with the reference readers (not PyTorch)
VENV := .build/venv
PYTHON_PACKAGES := tensorboard==2.21.0
SHARED ?= ../shared

# Swift's SIMD code needs the CPU named to use wide vectors; pick the widest this machine has.
CPU_FLAGS := $(shell grep -q avx512f /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc skylake-avx512" \
               || (grep -q avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell"))
RELEASE := -c release $(CPU_FLAGS)
STRATA := .build/release/strata

.PHONY: demo test bench transfer build deps test-deps packages clean

deps:
	@$(MAKE) --no-print-directory packages PACKAGES="$(SYSTEM_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)"
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV) || { \
	  echo "Strata's tests need Python's venv module. Run:"; echo "  sudo apt-get install -y python3-venv"; exit 1; }
	@$(VENV)/bin/python -c "import tensorboard" 2>/dev/null || $(VENV)/bin/pip install -q $(PYTHON_PACKAGES)

# installs $(PACKAGES) with apt-get when root, else prints the command
packages:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Strata needs system packages that are not installed. Run:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	swift build $(RELEASE)

demo: build
	$(STRATA) train --data digits --output runs/demo

test: test-deps
	STRATA_SHARED=$(abspath $(SHARED)) STRATA_PYTHON=$(abspath $(VENV))/bin/python swift test $(RELEASE)

bench: build
	swift build $(RELEASE) --product strata-bench
	STRATA_SHARED=$(abspath $(SHARED)) .build/release/strata-bench

# the transfer-learning table of ../shared/bench/transfer.md (T1, T3); TRANSFER_SEEDS=0,1,2 for more seeds
transfer: build
	swift build $(RELEASE) --product strata-bench
	STRATA_SHARED=$(abspath $(SHARED)) .build/release/strata-bench --transfer

clean:
	rm -rf .build
