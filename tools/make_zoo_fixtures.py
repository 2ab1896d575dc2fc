#!/usr/bin/env python3
"""Reference data for the model zoo, computed with PyTorch 2.13 + torchvision 0.28 (+ timm 1.0 for Xception):

- Tests/Fixtures/layers/: golden cases (format of shared/fixtures) for the layers the zoo brought in:
  adaptive average pooling with unequal bins, ReLU6, hard-swish, hard-sigmoid, channel concat,
  squeeze-and-excitation and depthwise-separable convolution; float64, stored as float32.
- Tests/Fixtures/zoo/state_dicts.json.gz: for every zoo architecture, the 1000-class parameter count and
  every state-dict key with its shape and dtype, in state_dict() order (models built on the meta device).

    pip install torch==2.13.0 && pip install --no-deps torchvision==0.28.0 timm==1.0.31
    python3 tools/make_zoo_fixtures.py
"""
import gzip
import json
import os
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torchvision  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures")
LAYERS = os.path.join(ROOT, "layers")
cases = []


def save(name, key, array):
    path = f"{name}/{key}.npy"
    os.makedirs(os.path.join(LAYERS, name), exist_ok=True)
    np.save(os.path.join(LAYERS, path), np.asarray(array, dtype=np.float32))
    return path


def case(name, op, params, inputs, forward, grads=(), rtol=1e-4, atol=1e-5):
    tensors = {k: v.clone().requires_grad_(k in grads) for k, v in inputs.items()}
    y = forward(**tensors)
    entry = {"name": name, "op": op, "params": params, "rtol": rtol, "atol": atol,
             "inputs": {k: save(name, "in_" + k, v.numpy()) for k, v in inputs.items()},
             "outputs": {"y": save(name, "out_y", y.detach().numpy())}}
    if grads:
        go = torch.randn_like(y)
        (y * go).sum().backward()
        entry["grad_output"] = save(name, "grad_y", go.numpy())
        entry["grads"] = {k: save(name, "grad_" + k, tensors[k].grad.numpy()) for k in grads}
    cases.append(entry)


def layer_cases():
    torch.manual_seed(2024)
    torch.set_default_dtype(torch.float64)
    r = torch.randn
    # adaptive average pooling: bins of unequal size, overlapping bins (output larger than input), exact division
    for i, (shape, size) in enumerate([((2, 3, 5, 7), (3, 2)), ((2, 2, 2, 3), (7, 7)), ((1, 2, 6, 6), (4, 4)),
                                       ((2, 3, 8, 6), (4, 3)), ((1, 4, 9, 5), (1, 1))]):
        case(f"adaptive_avg_pool2d_{i}", "adaptive_avg_pool2d", {"output_size": list(size)}, {"x": r(*shape)},
             lambda x, size=size: F.adaptive_avg_pool2d(x, size), grads=["x"])
    case("adaptive_avg_pool1d_0", "adaptive_avg_pool1d", {"output_size": 4}, {"x": r(2, 3, 11)},
         lambda x: F.adaptive_avg_pool1d(x, 4), grads=["x"])
    # activations of the MobileNets, on values that cover every piece but no kink
    def spread(*shape):
        x = r(*shape) * 4 + 1
        kinks = torch.tensor([-3.0, 0.0, 3.0, 6.0])
        near = (x.unsqueeze(-1) - kinks).abs().min(-1).values < 1e-3
        return torch.where(near, x + 0.01, x)
    case("relu6_0", "relu6", {}, {"x": spread(3, 4, 5)}, lambda x: F.relu6(x), grads=["x"])
    case("hardswish_0", "hardswish", {}, {"x": spread(3, 4, 5)}, lambda x: F.hardswish(x), grads=["x"])
    case("hardsigmoid_0", "hardsigmoid", {}, {"x": spread(3, 4, 5)}, lambda x: F.hardsigmoid(x), grads=["x"])
    # channel concat of three maps
    case("cat_0", "cat", {"dim": 1}, {"x0": r(2, 3, 4, 5), "x1": r(2, 1, 4, 5), "x2": r(2, 4, 4, 5)},
         lambda x0, x1, x2: torch.cat([x0, x1, x2], 1), grads=["x0", "x1", "x2"])
    case("cat_1", "cat", {"dim": -1}, {"x0": r(2, 3, 2), "x1": r(2, 3, 5)},
         lambda x0, x1: torch.cat([x0, x1], -1), grads=["x0", "x1"])
    # squeeze-and-excitation as torchvision's SqueezeExcitation (fc1/fc2 are 1x1 convolutions)
    for i, (activation, scale) in enumerate([("relu", "hardsigmoid"), ("relu", "sigmoid")]):
        block = torchvision.ops.SqueezeExcitation(8, 3, scale_activation=torch.nn.Hardsigmoid if scale == "hardsigmoid"
                                                  else torch.nn.Sigmoid)
        inputs = {"x": r(2, 8, 5, 6), "fc1_weight": r(3, 8, 1, 1) * 0.5, "fc1_bias": r(3) * 0.5,
                  "fc2_weight": r(8, 3, 1, 1) * 0.5, "fc2_bias": r(8) * 0.5}

        def squeeze_excitation(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, block=block):
            return torch.func.functional_call(block, {"fc1.weight": fc1_weight, "fc1.bias": fc1_bias,
                                                      "fc2.weight": fc2_weight, "fc2.bias": fc2_bias}, (x,))
        case(f"squeeze_excitation_{i}", "squeeze_excitation", {"activation": activation, "scale_activation": scale},
             inputs, squeeze_excitation, grads=list(inputs))
    # depthwise-separable convolution: depthwise k×k (groups = channels, no bias), then pointwise 1×1
    for i, (stride, padding, dilation) in enumerate([(2, 1, 1), (1, 2, 2)]):
        inputs = {"x": r(2, 4, 9, 8), "depthwise_weight": r(4, 1, 3, 3) * 0.5, "pointwise_weight": r(6, 4, 1, 1) * 0.5}
        case(f"separable_conv2d_{i}", "separable_conv2d", {"stride": stride, "padding": padding, "dilation": dilation},
             inputs, lambda x, depthwise_weight, pointwise_weight, s=stride, p=padding, d=dilation:
             F.conv2d(F.conv2d(x, depthwise_weight, None, s, p, d, groups=4), pointwise_weight),
             grads=list(inputs))
    # bilinear resizing (transfer learning upsamples small images, Grad-CAM its maps)
    for i, (shape, size, corners) in enumerate([((2, 1, 8, 8), (28, 28), False), ((1, 3, 28, 28), (96, 96), False),
                                                ((2, 2, 9, 7), (4, 5), False), ((1, 2, 5, 6), (9, 11), True)]):
        case(f"interpolate_bilinear_{i}", "interpolate_bilinear", {"size": list(size), "align_corners": corners},
             {"x": r(*shape)}, lambda x, size=size, corners=corners: F.interpolate(x, size=size, mode="bilinear",
                                                                                   align_corners=corners), grads=["x"])
    torch.set_default_dtype(torch.float32)
    with open(os.path.join(LAYERS, "manifest.json"), "w") as f:
        json.dump({"generator": f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}",
                   "set": "layers", "cases": cases}, f, indent=1)


TV_INCEPTION = {"aux_logits": False, "init_weights": True, "transform_input": False}
ARCHITECTURES = {
    "alexnet": ("torchvision", "alexnet", {}),
    **{name: ("torchvision", name, {}) for name in
       ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
        "squeezenet1_0", "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
        "densenet121", "densenet161", "densenet169", "densenet201"]},
    "inception_v3": ("torchvision", "inception_v3", TV_INCEPTION),
    "inception_v3_aux": ("torchvision", "inception_v3", {"aux_logits": True, "init_weights": True}),
    "googlenet": ("torchvision", "googlenet", TV_INCEPTION),
    "googlenet_aux": ("torchvision", "googlenet", {"aux_logits": True, "init_weights": True}),
    "xception": ("timm", "legacy_xception", {}),
}


def state_dicts():
    import timm
    result = {}
    for name, (library, arch, kwargs) in ARCHITECTURES.items():
        with torch.device("meta"):
            if library == "torchvision":
                model = getattr(torchvision.models, arch)(weights=None, num_classes=1000, **kwargs)
            else:
                model = timm.create_model(arch, pretrained=False, num_classes=1000)
        result[name] = {"library": library, "architecture": arch, "kwargs": kwargs,
                        "parameters": sum(p.numel() for p in model.parameters()),
                        "state": [[k, list(v.shape), str(v.dtype).replace("torch.", "")]
                                  for k, v in model.state_dict().items()]}
        print(f"{name}: {result[name]['parameters']:,} parameters, {len(result[name]['state'])} keys")
    os.makedirs(os.path.join(ROOT, "zoo"), exist_ok=True)
    text = json.dumps({"generator": f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}, "
                                    f"timm {timm.__version__}", "models": result}, separators=(",", ":"))
    with gzip.GzipFile(os.path.join(ROOT, "zoo", "state_dicts.json.gz"), "wb", mtime=0) as f:
        f.write(text.encode())


if __name__ == "__main__":
    layer_cases()
    state_dicts()
