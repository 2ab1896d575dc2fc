"""Reference outputs of the time-series classifiers in Strata's zoo (FCN, ResNet1d,
InceptionTime, plain / causal / dilated), computed with PyTorch.

Each network is written here in PyTorch from its paper (Wang et al. 2017; Ismail Fawaz
et al. 2019, 2020) with Strata's state-dict names. Every state entry is filled with a
deterministic pattern, so the test rebuilds the same weights without storing them:
entry j (state-dict order), element i:  0.1·sin(0.7·i + 1.3·j)  (running_var: 1 + 0.5·|…|).
The input is x[n, c, t] = sin(0.05·(c + 1)·t + n). Writes
Tests/Fixtures/sequence_zoo/reference.json: per network, parameter count, state names
and shapes, and the outputs in eval and in train mode.

Run once: python3 tools/make_sequence_zoo_fixtures.py
"""
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F


def pad_for(kernel, dilation, causal):
    total = dilation * (kernel - 1)
    return (total, 0) if causal else (total // 2, total - total // 2)


class Conv(nn.Conv1d):
    """nn.Conv1d with 'same' (extra zero after) or causal padding done by F.pad."""

    def __init__(self, i, o, k, causal=False, dilation=1, bias=True):
        super().__init__(i, o, k, dilation=dilation, bias=bias)
        self.pads = pad_for(k, dilation, causal)

    def forward(self, x):
        return super().forward(F.pad(x, self.pads))


class GlobalAveragePool(nn.Module):
    """N×C×L → N×C (Strata's GlobalAvgPool: one layer, so the Linear after it is layer 10)."""

    def forward(self, x):
        return x.mean(dim=2)


def fcn(channels, classes, causal=False, dilated=False):
    layers = []
    for index, (i, o, k) in enumerate([(channels, 128, 8), (128, 256, 5), (256, 128, 3)]):
        layers += [Conv(i, o, k, causal, 2 ** index if dilated else 1), nn.BatchNorm1d(o), nn.ReLU()]
    return nn.Sequential(*layers, GlobalAveragePool(), nn.Linear(128, classes))


class ResBlock(nn.Module):
    def __init__(self, i, o, causal, dilation):
        super().__init__()
        self.conv1, self.bn1 = Conv(i, o, 8, causal, dilation), nn.BatchNorm1d(o)
        self.conv2, self.bn2 = Conv(o, o, 5, causal, dilation), nn.BatchNorm1d(o)
        self.conv3, self.bn3 = Conv(o, o, 3, causal, dilation), nn.BatchNorm1d(o)
        self.shortcut = nn.Sequential(nn.BatchNorm1d(o)) if i == o else nn.Sequential(nn.Conv1d(i, o, 1), nn.BatchNorm1d(o))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        return F.relu(self.bn3(self.conv3(y)) + self.shortcut(x))


class ResNet1d(nn.Module):
    def __init__(self, channels, classes, causal=False, dilated=False):
        super().__init__()
        widths = [64, 128, 128]
        self.blocks = nn.ModuleList(ResBlock(channels if b == 0 else widths[b - 1], widths[b], causal, 2 ** b if dilated else 1)
                                    for b in range(3))
        self.fc = nn.Linear(128, classes)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.fc(x.mean(dim=2))


class CausalMaxPool(nn.Module):
    def forward(self, x):
        return F.max_pool1d(F.pad(x, (2, 0), value=-math.inf), 3, 1)


class InceptionModule(nn.Module):
    def __init__(self, i, filters=32, kernel=40, causal=False, dilation=1):
        super().__init__()
        self.bottleneck = nn.Conv1d(i, filters, 1, bias=False) if i > 1 else None
        b = filters if i > 1 else i
        self.convs = nn.ModuleList(Conv(b, filters, max(kernel >> level, 1), causal, dilation, bias=False) for level in range(3))
        self.pool = CausalMaxPool() if causal else nn.MaxPool1d(3, 1, 1)
        self.pool_conv = nn.Conv1d(i, filters, 1, bias=False)
        self.bn = nn.BatchNorm1d(4 * filters)

    def forward(self, x):
        y = self.bottleneck(x) if self.bottleneck is not None else x
        y = torch.cat([conv(y) for conv in self.convs] + [self.pool_conv(self.pool(x))], dim=1)
        return F.relu(self.bn(y))


class InceptionTime(nn.Module):
    def __init__(self, channels, classes, depth=6, causal=False, dilated=False):
        super().__init__()
        self.blocks = nn.ModuleList(InceptionModule(channels if d == 0 else 128, causal=causal,
                                                    dilation=2 ** d if dilated else 1) for d in range(depth))
        self.shortcuts = nn.ModuleList(nn.Sequential(nn.Conv1d(channels if g == 0 else 128, 128, 1, bias=False), nn.BatchNorm1d(128))
                                       for g in range(depth // 3))
        self.fc = nn.Linear(128, classes)

    def forward(self, x):
        residual = x
        for d, block in enumerate(self.blocks):
            x = block(x)
            if d % 3 == 2 and d // 3 < len(self.shortcuts):
                x = F.relu(x + self.shortcuts[d // 3](residual))
                residual = x
        return self.fc(x.mean(dim=2))


def fill(model):
    with torch.no_grad():
        for j, (name, tensor) in enumerate(model.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                continue
            i = torch.arange(tensor.numel(), dtype=torch.float64)
            values = 0.1 * torch.sin(0.7 * i + 1.3 * j)
            if name.endswith("running_var"):
                values = 1 + 5 * values.abs()
            tensor.copy_(values.reshape(tensor.shape).to(tensor.dtype))


def main():
    torch.manual_seed(0)
    cases = {}
    builders = {"fcn": fcn, "resnet1d": ResNet1d, "inception-time": InceptionTime}
    for base, build in builders.items():
        for suffix, options in [("", {}), ("-causal", {"causal": True}), ("-dilated", {"dilated": True})]:
            for channels in ([1, 3] if suffix == "" else [3]):
                model = build(channels, 5, **options)
                fill(model)
                n, length = 2, 50
                t = torch.arange(length, dtype=torch.float64)
                x = torch.stack([torch.stack([torch.sin(0.05 * (c + 1) * t + s) for c in range(channels)]) for s in range(n)]).float()
                model.eval()
                with torch.no_grad():
                    evaluation = model(x)
                model.train()
                with torch.no_grad():
                    training = model(x)
                cases[f"{base}{suffix}/{channels}"] = {
                    "model": base + suffix, "channels": channels, "classes": 5, "input": [n, channels, length],
                    "parameters": sum(p.numel() for p in model.parameters()),
                    "state": [[k, list(v.shape)] for k, v in model.state_dict().items()],
                    "eval": evaluation.flatten().tolist(), "train": training.flatten().tolist(),
                }
    out = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/sequence_zoo/reference.json"
    out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
    print("wrote", out, len(cases), "cases")


if __name__ == "__main__":
    main()
