# Strata — the two commands of the README, plus the benchmark.
#   make demo   installs missing system packages, builds release, runs the main job
#   make test   same set-up, then every test (release build: numeric code is ~50x slower in debug)
#   make bench  Strata vs PyTorch, side by side in one run (W1–W5 of ../shared/bench, W6–W7 MobileNetV2)
#   make bench-avx2  the same as an AVX2-only machine runs it, on an AVX-512 machine
#   make test-onnx-zoo  the zoo's deepest and widest networks through ONNX both ways and batch-norm folding (0.2–0.6 GB of weights each)
#   make transfer  transfer learning four ways (T1, T3 of ../shared/bench/transfer.md) against PyTorch's figures

SYSTEM_PACKAGES := libdnnl-dev zlib1g-dev libpng-dev libturbojpeg0-dev libopenmpi-dev openmpi-bin
# what the tests need besides: a headless browser for the run report
TEST_PACKAGES := chromium
# Python packages the tests use to read Strata's outputs with the reference readers (not
# PyTorch), scipy to write the MAT seeds of the fuzzers, onnx for its backend node tests
# (1.22.0 is the last release that ships them) and onnxruntime to run Strata's exports
VENV := .build/venv
PYTHON_PACKAGES := tensorboard==2.21.0 scipy onnx==1.22.0 onnxruntime
SHARED ?= ../shared

# Swift's SIMD code needs the CPU named to use wide vectors; pick the widest this machine has.
CPU_FLAGS := $(shell grep -q avx512f /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc skylake-avx512" \
               || (grep -q avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell"))
RELEASE := -c release $(CPU_FLAGS)
STRATA := .build/release/strata

.PHONY: demo test test-onnx-zoo test-reference bench bench-avx2 transfer build deps test-deps packages clean

deps:
	@$(MAKE) --no-print-directory packages PACKAGES="$(SYSTEM_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)"
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV) || { \
	  echo "Strata's tests need Python's venv module. Run:"; echo "  sudo apt-get install -y python3-venv"; exit 1; }
	@$(VENV)/bin/python -c "import tensorboard, scipy, onnx, onnxruntime" 2>/dev/null || $(VENV)/bin/pip install -q $(PYTHON_PACKAGES)

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

# the tests outside `make test`, each in its own target
SLOW_TESTS := ONNXWholeZooTests|InferenceFusionWholeZooTests
test: test-deps
	STRATA_SHARED=$(abspath $(SHARED)) STRATA_PYTHON=$(abspath $(VENV))/bin/python swift test $(RELEASE) --skip '$(SLOW_TESTS)'
	@$(MAKE) --no-print-directory fuzz-smoke

# the layer, loss, optimizer and training tests (digits to 97%, sunspots beating persistence by 8%)
# with the plain-Swift reference backend computing everything that goes through Backend
# (docs/backends.md); about 17 minutes
REFERENCE_TESTS := StrataTests\.(LayerTests|LossTests|OptimizerTests|TrainingTests)/|StrataTests\.SequenceTrainingTests/testSunspotForecast
test-reference: test-deps
	STRATA_BACKEND=reference STRATA_SHARED=$(abspath $(SHARED)) STRATA_PYTHON=$(abspath $(VENV))/bin/python \
	  swift test $(RELEASE) --filter '$(REFERENCE_TESTS)'

test-onnx-zoo: test-deps
	STRATA_SHARED=$(abspath $(SHARED)) STRATA_PYTHON=$(abspath $(VENV))/bin/python swift test $(RELEASE) --filter '$(SLOW_TESTS)'

# mpirun refuses root unless told; CI and containers run as root
MPIRUN := mpirun $(shell [ "$$(id -u)" = 0 ] && echo --allow-run-as-root) --bind-to none
bench: build
	swift build $(RELEASE) --product strata-bench
	STRATA_SHARED=$(abspath $(SHARED)) .build/release/strata-bench
	$(MPIRUN) -np 2 .build/release/strata-bench --allreduce

# `make bench` with both programs held to AVX2 + FMA: Strata built for Haswell (in .build-avx2),
# oneDNN (Strata's and PyTorch's) and MKL capped at AVX2, PyTorch's own kernels at AVX2; the
# bench reports the cap and measures the FMA peak with AVX2 code
AVX2_LIMITS := ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2
bench-avx2: deps
	swift build -c release -Xswiftc -target-cpu -Xswiftc haswell --scratch-path .build-avx2 --product strata-bench
	$(AVX2_LIMITS) STRATA_SHARED=$(abspath $(SHARED)) .build-avx2/release/strata-bench

# the transfer-learning table of ../shared/bench/transfer.md (T1, T3); TRANSFER_SEEDS=0,1,2 for more seeds
transfer: build
	swift build $(RELEASE) --product strata-bench
	STRATA_SHARED=$(abspath $(SHARED)) .build/release/strata-bench --transfer

# The test suite under AddressSanitizer (release build with -sanitize=address, its own
# build folder). Left out: the tests that train or compare whole ImageNet networks (ASan
# makes them 3–5× slower; their kernels, loaders and parsers run in the other tests).
ASAN_SKIP := $(SLOW_TESTS)|MNISTTrainingTests|TransferLearningTests|PretrainedImageNetTests|ZooTests.testStateDicts
test-asan: test-deps
	STRATA_SHARED=$(abspath $(SHARED)) STRATA_PYTHON=$(abspath $(VENV))/bin/python ASAN_OPTIONS=detect_leaks=0 \
	  swift test $(RELEASE) --scratch-path .build/asan --sanitize=address --skip '$(ASAN_SKIP)'

# ThreadSanitizer over the data loader's workers and the parallel kernels (both backends).
TSAN_TESTS := LoaderTests|BackendAgreementTests|GradientCheckTests|LayerTests|AugmentationTests|ThreadInvariance
test-tsan: test-deps
	STRATA_SHARED=$(abspath $(SHARED)) TSAN_OPTIONS=halt_on_error=1 \
	  swift test $(RELEASE) --scratch-path .build/tsan --sanitize=thread --filter '$(TSAN_TESTS)'

# libFuzzer harnesses of every parser (Sources/StrataFuzz): built with -sanitize=fuzzer,address
# (coverage instrumentation, libFuzzer's driver kept and exported for the harness's own
# main to call); seed corpora made from real files by tools/make_fuzz_seeds.py.
# `make fuzz` runs FUZZ_RUNS executions per parser.
FUZZ_TARGETS := idx npy npz safetensors cifar10 cifar100 stl10 mat ts tsv csv image tar zip gzip pth onnx
FUZZ_RUNS ?= 1000000
FUZZ := .build/fuzz/debug/strata-fuzz
fuzz-build: test-deps
	swift build --scratch-path .build/fuzz --product strata-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
	  -Xlinker --undefined=LLVMFuzzerRunDriver -Xlinker --export-dynamic
	rm -rf .build/fuzz/seeds && $(VENV)/bin/python tools/make_fuzz_seeds.py $(abspath $(SHARED)) .build/fuzz/seeds

fuzz: fuzz-build
	@failed=""; for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz/corpus/$$target .build/fuzz/seeds/$$target; \
	  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(FUZZ) $$target -runs=$(FUZZ_RUNS) -max_len=65536 \
	       -rss_limit_mb=4096 -malloc_limit_mb=$$( [ $$target = onnx ] && echo 1024 || echo 4096 ) -artifact_prefix=.build/fuzz/crash-$$target- .build/fuzz/corpus/$$target \
	       .build/fuzz/seeds/$$target > .build/fuzz/$$target.log 2>&1; then \
	    echo "fuzz: $$target $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' .build/fuzz/$$target.log), 0 crashes"; \
	  else \
	    grep -A30 'ERROR\|Fatal error' .build/fuzz/$$target.log | head -40; echo "fuzz: $$target FAILED"; failed="$$failed $$target"; \
	  fi; \
	done; test -z "$$failed" || { echo "fuzz: findings in$$failed (inputs in .build/fuzz/crash-*)"; exit 1; }

# the smoke run that `make test` includes: 10,000 executions per parser
fuzz-smoke:
	$(MAKE) fuzz FUZZ_RUNS=10000

clean:
	rm -rf .build
