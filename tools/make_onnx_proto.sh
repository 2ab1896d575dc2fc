#!/bin/sh
# Regenerates Sources/Strata/ONNX/onnx.pb.swift from the official onnx.proto (as the onnx
# PyPI package ships it) with swift-protobuf's code generator, at the version Package.swift
# depends on. Run once per onnx or swift-protobuf upgrade; the output is committed, so
# neither building Strata nor `make test` needs protoc.
#
#   apt-get install protobuf-compiler && pip install onnx==1.22.0 && tools/make_onnx_proto.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git clone -q --branch 1.39.0 https://github.com/apple/swift-protobuf "$WORK/swift-protobuf"
(cd "$WORK/swift-protobuf" && swift build -c release --product protoc-gen-swift)
PROTO=$(python3 -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'onnx.proto'))")
mkdir -p "$WORK/in" "$WORK/out"
cp "$PROTO" "$WORK/in/onnx.proto"
protoc --plugin=protoc-gen-swift="$WORK/swift-protobuf/.build/release/protoc-gen-swift" \
    --swift_opt=Visibility=Internal --swift_out="$WORK/out" -I "$WORK/in" "$WORK/in/onnx.proto"
cp "$WORK/out/onnx.pb.swift" "$ROOT/Sources/Strata/ONNX/onnx.pb.swift"
echo "wrote Sources/Strata/ONNX/onnx.pb.swift"
