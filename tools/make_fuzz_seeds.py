#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses (Sources/StrataFuzz), one folder per target,
made from real files: the shared data sets and the repository's own fixtures, cut down to
a few KiB each (libFuzzer mutates small inputs best). Formats with no small real file at
hand (tar, zip/npz, MAT, CIFAR/STL records, TSV) are built here from real values.

    tools/make_fuzz_seeds.py SHARED_DIR OUTPUT_DIR
"""
import glob, gzip, io, os, struct, sys, tarfile, zipfile

shared, output = sys.argv[1], sys.argv[2]
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seed(target, name, data):
    folder = os.path.join(output, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read(path, limit=None):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data if limit is None else data[:limit]


# IDX: real MNIST labels and digits images, headers fixed to the kept count
labels = read(os.path.join(shared, "data/mnist/t10k-labels-idx1-ubyte.gz"))
seed("idx", "labels", labels[:4] + struct.pack(">I", 64) + labels[8:72])
images = read(os.path.join(shared, "data/sklearn-digits/digits-images-idx3-ubyte.gz"))
rows, columns = struct.unpack(">II", images[8:16])
seed("idx", "images", images[:4] + struct.pack(">I", 4) + images[8:16] + images[16:16 + 4 * rows * columns])
seed("gzip", "labels.gz", gzip.compress(labels[:512]))

# npy fixtures of the golden cases, and an npz (zip) of two of them
npys = sorted(glob.glob(os.path.join(shared, "fixtures/**/*.npy"), recursive=True), key=os.path.getsize)[:6]
for i, path in enumerate(npys):
    seed("npy", f"{i}.npy", read(path))
archive = io.BytesIO()
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
    for i, path in enumerate(npys[:2]):
        z.writestr(f"a{i}.npy", read(path))
seed("npz", "two.npz", archive.getvalue())
seed("zip", "two.npz", archive.getvalue())

# safetensors and .pth checkpoints from the repository's fixtures
seed("safetensors", "expected.safetensors", read(os.path.join(repo, "Tests/Fixtures/pth/expected.safetensors"), 8192))
for path in glob.glob(os.path.join(repo, "Tests/Fixtures/pth/*.pth")):
    seed("pth", os.path.basename(path), read(path))

# time series: the head of real UCR .ts files, a TSV and CSVs of the forecasting sets
for name in ["ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts", "ArrowHead/ArrowHead_TRAIN.ts"]:
    text = read(os.path.join(shared, "data/ucr-uea", name)).decode("utf-8", "replace")
    head, body = text.split("@data", 1) if "@data" in text else ("", text)
    seed("ts", os.path.basename(name), (head + "@data" + "\n".join(body.splitlines()[:6]) + "\n").encode())
    records = [line.rsplit(":", 1) for line in body.splitlines()[1:6] if ":" in line]
    seed("tsv", os.path.basename(name) + ".tsv", "".join(f"{label}\t" + values.replace(",", "\t") + "\n" for values, label in records).encode())
for path in sorted(glob.glob(os.path.join(shared, "data/forecasting-sktime/*.csv")))[:3]:
    seed("csv", os.path.basename(path), b"\n".join(read(path).splitlines()[:20]) + b"\n")

# images: a real PNG and JPEG
for path in glob.glob(os.path.join(shared, "data/images/*.png"))[:1] + glob.glob(os.path.join(shared, "data/images/*.jpg"))[:1]:
    seed("image", os.path.basename(path), read(path))

# tar: a real fixture file inside an archive
archive = io.BytesIO()
with tarfile.open(fileobj=archive, mode="w") as t:
    data = labels[:300]
    info = tarfile.TarInfo("labels-idx1-ubyte")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
seed("tar", "labels.tar", archive.getvalue())

# CIFAR-10/100 and STL-10 records of real digit pixels (scaled into 32×32 / 96×96 planes)
pixels = images[16:16 + rows * columns]
plane32 = bytes(pixels[(r * rows // 32) * columns + (c * columns // 32)] * 16 for r in range(32) for c in range(32))
seed("cifar10", "two", bytes([3]) + plane32 * 3 + bytes([7]) + plane32 * 3)
seed("cifar100", "two", bytes([1, 42]) + plane32 * 3 + bytes([2, 17]) + plane32 * 3)
plane96 = bytes(pixels[(r * rows // 96) * columns + (c * columns // 96)] * 16 for r in range(96) for c in range(96))
seed("stl10", "one", bytes([3]) + plane96 * 3)

# MAT v5 (as SVHN ships): a uint8 and a double matrix, written by scipy
try:
    import numpy, scipy.io
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": numpy.frombuffer(pixels, dtype=numpy.uint8).reshape(rows, columns),
                              "y": numpy.arange(1, 5, dtype=numpy.float64).reshape(4, 1)})
    seed("mat", "svhn-like.mat", buffer.getvalue())
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": numpy.frombuffer(pixels, dtype=numpy.uint8).reshape(rows, columns)}, do_compression=True)
    seed("mat", "compressed.mat", buffer.getvalue())
except ImportError:
    print("scipy is missing: no MAT seeds (the MAT target starts from an empty corpus)")

# ONNX: graphs PyTorch exported (weights external, so a few KiB) and ONNX's own node tests
for path in sorted(glob.glob(os.path.join(repo, "Tests/Fixtures/onnx/zoo/*.onnx")), key=os.path.getsize)[:3]:
    seed("onnx", os.path.basename(path), read(path))
seed("onnx", "lenet5.onnx", read(os.path.join(repo, "Tests/Fixtures/onnx/folded/lenet5.onnx"), 16384))
try:
    import onnx
    nodes = os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/node")
    for case in ["test_conv_with_autopad_same", "test_maxpool_2d_pads", "test_averagepool_2d_same_lower", "test_pad",
                 "test_reshape_negative_dim", "test_gemm_all_attributes", "test_batchnorm_example", "test_slice_neg_steps",
                 "test_convtranspose_output_shape", "test_gather_2d_indices", "test_unsqueeze_two_axes"]:
        if os.path.exists(os.path.join(nodes, case, "model.onnx")):
            seed("onnx", case + ".onnx", read(os.path.join(nodes, case, "model.onnx")))
except ImportError:
    pass
