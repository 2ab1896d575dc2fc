#!/usr/bin/env python3
"""Writes extra golden cases (Tests/Fixtures/extra) in the format of shared/fixtures:
PyTorch 2.13 in float64, stored as float32, for parameters the shared set does not cover
(ceil-mode pooling, momentum=None, probability targets, maximize, amsgrad, ...).

    pip install torch==2.13.0 && python3 tools/make_extra_fixtures.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "extra")
torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
cases = []


def save(name, key, array, dtype=np.float32):
    path = f"{name}/{key}.npy"
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    np.save(os.path.join(OUT, path), np.asarray(array, dtype=dtype))
    return path


def case(name, op, params, inputs, forward, grads=(), int_inputs=(), rtol=1e-4, atol=1e-5):
    tensors = {}
    for key, value in inputs.items():
        tensors[key] = value.clone().requires_grad_(key in grads)
    outputs = forward(**tensors)
    if not isinstance(outputs, dict):
        outputs = {"y": outputs}
    entry = {"name": name, "op": op, "params": params, "rtol": rtol, "atol": atol,
             "inputs": {k: save(name, "in_" + k, v.detach().numpy(), np.int64 if k in int_inputs else np.float32)
                        for k, v in inputs.items()},
             "outputs": {k: save(name, "out_" + k, v.detach().numpy()) for k, v in outputs.items()}}
    if grads:
        y = outputs["y"]
        go = torch.randn_like(y)
        (y * go).sum().backward()
        entry["grad_output"] = save(name, "grad_y", go.numpy().reshape(-1) if y.dim() == 0 else go.numpy())
        entry["grads"] = {k: save(name, "grad_" + k, tensors[k].grad.numpy()) for k in grads}
    cases.append(entry)


r = torch.randn
# ceil-mode pooling, including windows that start in the input and hang over the end
for i, (kind, k, s, p, include) in enumerate([("max", 3, 2, 1, True), ("avg", 3, 2, 1, True), ("avg", 3, 2, 0, False),
                                              ("avg", 2, 3, 1, True), ("max", [2, 3], [2, 2], [1, 0], True)]):
    x = r(2, 3, 7, 8)
    if kind == "max":
        case(f"max_pool2d_ceil_{i}", "max_pool2d", {"kernel": k, "stride": s, "padding": p, "ceil_mode": True}, {"x": x},
             lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p, ceil_mode=True), grads=["x"])
    else:
        case(f"avg_pool2d_ceil_{i}", "avg_pool2d", {"kernel": k, "stride": s, "padding": p, "count_include_pad": include,
                                                    "ceil_mode": True}, {"x": x},
             lambda x, k=k, s=s, p=p, include=include: F.avg_pool2d(x, k, s, p, ceil_mode=True, count_include_pad=include),
             grads=["x"])
case("max_pool1d_ceil_0", "max_pool1d", {"kernel": 3, "stride": 2, "padding": 0, "ceil_mode": True}, {"x": r(2, 3, 10)},
     lambda x: F.max_pool1d(x, 3, 2, 0, ceil_mode=True), grads=["x"])
case("avg_pool1d_ceil_0", "avg_pool1d", {"kernel": 4, "stride": 3, "padding": 1, "count_include_pad": True, "ceil_mode": True},
     {"x": r(2, 3, 11)}, lambda x: F.avg_pool1d(x, 4, 3, 1, ceil_mode=True, count_include_pad=True), grads=["x"])
case("max_pool2d_dilated_0", "max_pool2d", {"kernel": 3, "stride": [1, 2], "padding": 1, "dilation": 2}, {"x": r(2, 2, 9, 10)},
     lambda x: F.max_pool2d(x, 3, [1, 2], 1, dilation=2), grads=["x"])
case("max_pool2d_dilated_ceil", "max_pool2d", {"kernel": 2, "stride": 2, "padding": 1, "dilation": [2, 1], "ceil_mode": True},
     {"x": r(1, 3, 8, 7)}, lambda x: F.max_pool2d(x, 2, 2, 1, dilation=[2, 1], ceil_mode=True), grads=["x"])
case("max_pool1d_dilated", "max_pool1d", {"kernel": 3, "stride": 2, "padding": 1, "dilation": 3}, {"x": r(2, 3, 17)},
     lambda x: F.max_pool1d(x, 3, 2, 1, dilation=3), grads=["x"])
case("max_pool2d_nostride_0", "max_pool2d", {"kernel": [2, 3], "stride": None, "padding": 0}, {"x": r(1, 2, 6, 9)},
     lambda x: F.max_pool2d(x, [2, 3]), grads=["x"])

# batch norm: cumulative average (momentum None), no affine parameters
x, rm, rv = r(5, 4, 3), r(4), torch.rand(4) + 0.5
def bn_none(x, running_mean, running_var):
    layer = torch.nn.BatchNorm1d(4, momentum=None, affine=False)
    layer.running_mean.copy_(running_mean.detach())
    layer.running_var.copy_(running_var.detach())
    y = layer(x)
    return {"y": y, "running_mean": layer.running_mean.clone(), "running_var": layer.running_var.clone()}
case("batch_norm1d_momentum_none", "batch_norm1d", {"training": True, "momentum": None, "eps": 1e-5},
     {"x": x, "running_mean": rm, "running_var": rv}, bn_none, grads=["x"])
x = r(3, 4, 5, 5)
case("batch_norm2d_noaffine_eval", "batch_norm2d", {"training": False, "momentum": 0.1, "eps": 1e-3},
     {"x": x, "running_mean": r(4), "running_var": torch.rand(4) + 0.5},
     lambda x, running_mean, running_var: F.batch_norm(x, running_mean, running_var, None, None, False, 0.1, 1e-3), grads=["x"])

# cross-entropy: probability targets, class weights with ignored samples per pixel
logits, probabilities = r(4, 5), torch.softmax(r(4, 5), 1)
case("cross_entropy_probabilities", "cross_entropy", {"reduction": "mean", "label_smoothing": 0.1},
     {"logits": logits, "target": probabilities},
     lambda logits, target: F.cross_entropy(logits, target, label_smoothing=0.1), grads=["logits"])
logits, target = r(2, 4, 3), torch.tensor([[0, 3, 1], [2, 1, 1]])
case("cross_entropy_weighted_pixels", "cross_entropy", {"reduction": "mean", "label_smoothing": 0.05, "ignore_index": 1},
     {"logits": logits, "target": target, "weight": torch.rand(4) + 0.5},
     lambda logits, target, weight: F.cross_entropy(logits, target, weight=weight, ignore_index=1, label_smoothing=0.05),
     grads=["logits"], int_inputs=["target"])
case("cross_entropy_none", "cross_entropy", {"reduction": "none", "label_smoothing": 0.0},
     {"logits": r(6, 3), "target": torch.tensor([0, 2, 1, 1, 0, 2])},
     lambda logits, target: F.cross_entropy(logits, target, reduction="none"), grads=["logits"], int_inputs=["target"])
case("bce_with_logits_weights", "bce_with_logits", {"reduction": "sum"},
     {"logits": r(3, 4), "target": (torch.rand(3, 4) > 0.5).double(), "weight": torch.rand(4), "pos_weight": torch.rand(4) * 3},
     lambda logits, target, weight, pos_weight: F.binary_cross_entropy_with_logits(logits, target, weight=weight,
                                                                                   pos_weight=pos_weight, reduction="sum"),
     grads=["logits"])
case("huber_sum", "huber", {"reduction": "sum", "delta": 0.5}, {"x": r(4, 3), "target": r(4, 3)},
     lambda x, target: F.huber_loss(x, target, reduction="sum", delta=0.5), grads=["x"])
case("l1_none", "l1", {"reduction": "none"}, {"x": r(4, 3), "target": r(4, 3)},
     lambda x, target: F.l1_loss(x, target, reduction="none"), grads=["x"])

# convolutions not in the shared set
case("conv2d_depthwise_multiplier", "conv2d", {"stride": [1, 2], "padding": "valid", "dilation": 1, "groups": 3},
     {"x": r(2, 3, 7, 9), "weight": r(6, 1, 3, 2), "bias": r(6)},
     lambda x, weight, bias: F.conv2d(x, weight, bias, stride=[1, 2], groups=3), grads=["x", "weight", "bias"])
case("conv1d_same_even_kernel", "conv1d", {"stride": 1, "padding": "same", "dilation": 3, "groups": 1},
     {"x": r(2, 4, 17), "weight": r(5, 4, 4), "bias": r(5)},
     lambda x, weight, bias: F.conv1d(x, weight, bias, padding="same", dilation=3), grads=["x", "weight", "bias"])
case("conv1d_list_padding", "conv1d", {"stride": [3], "padding": [2], "dilation": [2], "groups": 2},
     {"x": r(1, 4, 20), "weight": r(6, 2, 3)},
     lambda x, weight: F.conv1d(x, weight, None, stride=3, padding=2, dilation=2, groups=2), grads=["x", "weight"])
case("conv_transpose2d_groups_dilation", "conv_transpose2d",
     {"stride": [2, 3], "padding": [1, 0], "output_padding": [1, 2], "dilation": [1, 2], "groups": 2},
     {"x": r(2, 4, 5, 4), "weight": r(4, 3, 3, 2), "bias": r(6)},
     lambda x, weight, bias: F.conv_transpose2d(x, weight, bias, stride=[2, 3], padding=[1, 0], output_padding=[1, 2],
                                                groups=2, dilation=[1, 2]), grads=["x", "weight", "bias"])
case("linear_3d_nobias", "linear", {}, {"x": r(2, 3, 5), "weight": r(4, 5)},
     lambda x, weight: F.linear(x, weight), grads=["x", "weight"])

# activations with other parameters
case("gelu_tanh", "gelu", {"approximate": "tanh"}, {"x": r(3, 7)}, lambda x: F.gelu(x, approximate="tanh"), grads=["x"])
case("softmax_dim0", "softmax", {"dim": 0}, {"x": r(4, 3, 2)}, lambda x: F.softmax(x, 0), grads=["x"])
case("prelu_shared", "prelu", {}, {"x": r(2, 3, 4), "weight": torch.tensor([0.3])},
     lambda x, weight: F.prelu(x, weight), grads=["x", "weight"])
case("leaky_relu_steep", "leaky_relu", {"negative_slope": 0.3}, {"x": r(10)}, lambda x: F.leaky_relu(x, 0.3), grads=["x"])

# optimizers with the less common switches
def optimizer(name, kind, make, steps=4):
    param = r(2, 3)
    grads = [r(2, 3) for _ in range(steps)]
    p = param.clone().requires_grad_(True)
    opt = make([p])
    for g in grads:
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
    params = {"kind": kind, "steps": steps}
    params.update({k: v for k, v in opt.defaults.items() if k in ("lr", "momentum", "dampening", "nesterov", "weight_decay",
                                                                 "amsgrad", "alpha", "eps", "centered", "maximize")})
    if "betas" in opt.defaults:
        params["beta1"], params["beta2"] = opt.defaults["betas"]
    entry = {"name": name, "op": "optimizer", "params": params, "rtol": 1e-5, "atol": 1e-6,
             "inputs": {"param": save(name, "in_param", param.numpy())}, "outputs": {"param": save(name, "out_param", p.detach().numpy())}}
    for i, g in enumerate(grads):
        entry["inputs"][f"grad_step{i}"] = save(name, f"in_grad_step{i}", g.numpy())
    cases.append(entry)

optimizer("sgd_dampening_maximize", "sgd", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01, maximize=True))
optimizer("adam_amsgrad", "adam", lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.9), amsgrad=True, weight_decay=0.01))
optimizer("adamw_amsgrad_maximize", "adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01, amsgrad=True, maximize=True))
optimizer("rmsprop_centered_momentum", "rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1))

# framing of several streams
series = r(30, 2)
t, m, s, k, thr = 30, 6, 4, 3, 0.2
starts = [i for i in range(0, t - m - k + 1, s)]
windows = np.stack([series[i:i + m].numpy() for i in starts])
future = np.stack([series[i + m:i + m + k].numpy() for i in starts])
mean_next = future.mean(axis=1)
change = mean_next - windows[:, -1, :]
trend = np.where(np.abs(change) <= thr, 0, np.sign(change)).astype(np.int64)
name = "frames_multichannel"
cases.append({"name": name, "op": "frames", "params": {"frame": m, "step": s, "horizon": k, "trend_threshold": thr},
              "rtol": 1e-5, "atol": 1e-5, "inputs": {"series": save(name, "in_series", series.numpy())},
              "outputs": {"windows_nlc": save(name, "out_windows_nlc", windows),
                          "windows_ncl": save(name, "out_windows_ncl", windows.transpose(0, 2, 1)),
                          "next_value": save(name, "out_next_value", future[:, 0, :]),
                          "next_values": save(name, "out_next_values", future),
                          "mean_next_values": save(name, "out_mean_next_values", mean_next),
                          "trend": save(name, "out_trend", trend, np.int64)}})

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump({"generator": f"PyTorch {torch.__version__} (tools/make_extra_fixtures.py)", "set": "extra", "cases": cases}, f, indent=1)
print(len(cases), "cases")
