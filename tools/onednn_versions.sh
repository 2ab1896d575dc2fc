#!/bin/bash
# Debian's oneDNN 2.6 against Intel's 3.x build from PyPI (onednn-cpu-gomp 2023.2.0 = oneDNN
# 3.2, GNU OpenMP) on the convolutions that decide `make bench`, at the machine's ISA and capped
# at AVX2 (as an AVX2-only machine runs them). Needs gcc, libdnnl-dev and pip.
#
#   tools/onednn_versions.sh [WORKDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
pip download -q --no-deps onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0 -d wheels
for wheel in wheels/*.whl; do python3 -m zipfile -e "$wheel" unpacked; done
include=$(dirname "$(dirname "$(find unpacked -path '*include/oneapi/dnnl/dnnl.h')")")/..
lib=$(dirname "$(find unpacked -name 'libdnnl.so.3' | head -1)")
gcc -O2 "$here/onednn_versions.c" -o with-2.6 -ldnnl
gcc -O2 -I"$include" "$here/onednn_versions.c" -o with-3.2 -L"$lib" -l:libdnnl.so.3 -Wl,-rpath,"$(cd "$lib" && pwd)"
for cap in ALL AVX2; do
  echo "== ISA cap: $cap"
  for build in with-2.6 with-3.2 with-2.6 with-3.2; do ONEDNN_MAX_CPU_ISA=$cap DNNL_MAX_CPU_ISA=$cap OMP_NUM_THREADS=2 "./$build"; done
done
