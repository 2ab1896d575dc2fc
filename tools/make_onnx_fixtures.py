#!/usr/bin/env python3
"""ONNX graphs exported by PyTorch 2.13's torch.onnx.export (opset 17), for the importer's tests.

- Tests/Fixtures/onnx/zoo/NAME.onnx: zoo networks (torchvision 0.28's, and the time-series
  networks of tools/make_sequence_zoo_fixtures.py) exported in evaluation mode with batch norm
  kept as nodes (training=PRESERVE, no constant folding), so initializers carry the state-dict
  names. Their weights are a deterministic pattern (below) stored as external data in
  NAME.weights, which is not committed: the test rebuilds it from the same pattern through the
  Strata zoo model's state dict, at the offsets the graph names. reference.json holds PyTorch's
  logits for a pattern input. Cases marked "large" (the deepest and widest torchvision
  networks, the VGGs at 224×224, Inception v3 and timm's Xception) are checked by
  `make test-onnx-zoo`, outside `make test`: their weights alone are 0.2–0.6 GB per network.
- Tests/Fixtures/onnx/folded/NAME.onnx: small networks exported with the exporter's defaults
  (batch norm folded into convolutions, weights inside the file), committed whole.
- Tests/Fixtures/onnx/mobilenet_v2.onnx: the graph of the real pretrained MobileNetV2
  (../shared/data/pretrained/mobilenet_v2-b0353104.pth); the test writes its external data
  from that checkpoint and compares with ../shared/data/pretrained/reference.

Pattern (state-dict entry j, element i): s = sin(0.7·i + 1.3·j); weights of rank ≥ 2:
gain·s/sqrt(fan_in), with the gain per network (in reference.json) that keeps its logits
between about 0.5 and 30; batch-norm weight 1 + 0.1·s, running_var 1 + 0.5·|s|; other
vectors 0.1·s.

    pip install torch==2.13.0 onnx==1.22.0 && pip install --no-deps torchvision==0.28.0 timm==1.0.31
    python3 tools/make_onnx_fixtures.py [NAME ...]   # names: only those cases, merged into reference.json
"""
import json
import math
import os
import sys
import types

import torch

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import onnx  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import make_sequence_zoo_fixtures as sequences  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "onnx")
SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "pretrained")


def fill(model, gain=2.0):
    with torch.no_grad():
        for j, (name, tensor) in enumerate(model.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                continue
            i = torch.arange(tensor.numel(), dtype=torch.float64)
            s = torch.sin(0.7 * i + 1.3 * j)
            if tensor.dim() >= 2:
                values = gain * s / math.sqrt(tensor[0].numel())
            elif name.endswith("running_var"):
                values = 1 + 0.5 * s.abs()
            elif name.endswith("weight") and ("bn" in name or "norm" in name):
                values = 1 + 0.1 * s
            else:
                values = 0.1 * s
            tensor.copy_(values.reshape(tensor.shape).to(tensor.dtype))


def timm_model(name, **options):
    import timm
    return timm.create_model(name, pretrained=False, **options)


def pattern_input(shape):
    i = torch.arange(math.prod(shape), dtype=torch.float64)
    return torch.sin(0.05 * i).reshape(shape).float()


class LeNet5(torch.nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.c1, self.c2 = torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84), torch.nn.Linear(84, classes)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
        x = torch.relu(self.f1(x.flatten(1)))
        return self.f3(torch.relu(self.f2(x)))


def export(model, x, path, external=None, **options):
    torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **options)
    if external:
        proto = onnx.load(path)
        onnx.save(proto, path, save_as_external_data=True, all_tensors_to_one_file=True, location=external, size_threshold=0)
        os.remove(os.path.join(os.path.dirname(path), external))


def main():
    os.makedirs(os.path.join(ROOT, "zoo"), exist_ok=True)
    os.makedirs(os.path.join(ROOT, "folded"), exist_ok=True)
    zoo = {
        "resnet18": (lambda: torchvision.models.resnet18(num_classes=10), [2, 3, 64, 64], 0.7),
        "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=10), [2, 3, 64, 64]),
        "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=10), [2, 3, 64, 64]),
        "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(num_classes=10), [2, 3, 64, 64]),
        "densenet121": (lambda: torchvision.models.densenet121(num_classes=10), [2, 3, 64, 64], 1.0),
        "googlenet": (lambda: torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=False), [2, 3, 64, 64], 1.4),
        "resnext50_32x4d": (lambda: torchvision.models.resnext50_32x4d(num_classes=10), [2, 3, 64, 64], 1.0),
        "resnet50": (lambda: torchvision.models.resnet50(num_classes=10), [2, 3, 64, 64], 1.0),
        "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(num_classes=10), [2, 3, 64, 64]),
        "squeezenet1_0": (lambda: torchvision.models.squeezenet1_0(num_classes=10), [2, 3, 64, 64]),
        "resnet34": (lambda: torchvision.models.resnet34(num_classes=10), [2, 3, 64, 64], 0.7),
        "wide_resnet50_2": (lambda: torchvision.models.wide_resnet50_2(num_classes=10), [2, 3, 64, 64], 1.0),
        "densenet169": (lambda: torchvision.models.densenet169(num_classes=10), [2, 3, 64, 64], 1.0),
        # PyTorch writes AlexNet's adaptive pooling only where it divides: 6×6 from 224×224
        "alexnet": (lambda: torchvision.models.alexnet(num_classes=10), [2, 3, 224, 224], 1.4),
        "fcn": (lambda: sequences.fcn(3, 5), [2, 3, 50]),
        "resnet1d": (lambda: sequences.ResNet1d(3, 5), [2, 3, 50]),
        "inception-time": (lambda: sequences.InceptionTime(3, 5), [2, 3, 50]),
        "inception-time-causal": (lambda: sequences.InceptionTime(3, 5, causal=True), [2, 3, 50]),
    }
    tv = torchvision.models
    # VGG's adaptive pooling divides (7×7) only from 224×224. Gain 1 for the VGGs: at 1.4 the feature maps of
    # those without batch norm reach 10⁵ while their logits stay near 1, and float32 itself (PyTorch's against
    # float64) drifts by 3e-4 — more than the tolerance the tests check
    large = {
        **{name: (lambda name=name: getattr(tv, name)(num_classes=10), [2, 3, 224, 224], 1.0) for name in
           ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]},
        **{name: (lambda name=name: getattr(tv, name)(num_classes=10), [2, 3, 64, 64], 1.0) for name in
           ["resnet101", "resnet152", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet101_2",
            "densenet161", "densenet201"]},
        "inception_v3": (lambda: tv.inception_v3(num_classes=10, aux_logits=False, init_weights=False), [2, 3, 96, 96], 1.7),
        "xception": (lambda: timm_model("legacy_xception", num_classes=10), [2, 3, 96, 96], 1.0),
    }
    only = set(sys.argv[1:])
    path = os.path.join(ROOT, "reference.json")
    cases = json.load(open(path))["cases"] if only and os.path.exists(path) else {}
    for name, (build, shape, *gain) in [*zoo.items(), *large.items()]:
        if only and name not in only:
            continue
        gain = gain[0] if gain else 2.0
        model = build().eval()
        fill(model, gain)
        x = pattern_input(shape)
        with torch.no_grad():
            logits = model(x)
        export(model, x, os.path.join(ROOT, "zoo", f"{name}.onnx"), external=f"{name}.weights",
               training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
        ops = sorted({n.op_type for n in onnx.load(os.path.join(ROOT, "zoo", f"{name}.onnx"), load_external_data=False).graph.node})
        cases[name] = {"input": shape, "classes": logits.shape[1], "gain": gain, "logits": logits.flatten().tolist(), "ops": ops}
        if name in large:
            cases[name]["large"] = True
        print(name, ops, f"logits {logits.abs().min():.2f}–{logits.abs().max():.2f}")
    if only:
        with open(path, "w") as f:
            json.dump({"torch": torch.__version__, "onnx": onnx.__version__, "cases": cases}, f, indent=1)
        return
    folded = {"lenet5": (LeNet5(), [2, 1, 28, 28]), "fcn": (sequences.fcn(1, 5), [2, 1, 40])}
    for name, (model, shape) in folded.items():
        model.eval()
        fill(model)
        x = pattern_input(shape)
        with torch.no_grad():
            logits = model(x)
        export(model, x, os.path.join(ROOT, "folded", f"{name}.onnx"))
        cases["folded/" + name] = {"input": shape, "classes": logits.shape[1], "gain": 2.0, "logits": logits.flatten().tolist()}
    # the real pretrained MobileNetV2: the graph only; its weights come from the checkpoint
    model = torchvision.models.mobilenet_v2().eval()
    model.load_state_dict(torch.load(os.path.join(SHARED, "mobilenet_v2-b0353104.pth")))
    export(model, torch.zeros(1, 3, 224, 224), os.path.join(ROOT, "mobilenet_v2.onnx"), external="mobilenet_v2.weights",
           training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    with open(os.path.join(ROOT, "reference.json"), "w") as f:
        json.dump({"torch": torch.__version__, "onnx": onnx.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
