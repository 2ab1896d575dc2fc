#!/usr/bin/env python3
"""References for `strata insight` on series (Tests/Fixtures/series_insight): Captum 0.9 on PyTorch 2.13, float32,
on a small 1-D network with PyTorch's initialisation (seed 0) and random batch-norm statistics —

  0 Conv1d(3, 8, 7, padding=3)  1 BatchNorm1d(8)  2 ReLU  3 MaxPool1d(2)  4 Conv1d(8, 16, 5, padding=2)  5 ReLU
  6 AdaptiveAvgPool1d(1)  7 Flatten  8 Linear(16, 5)

(a pooling layer, so Grad-CAM at layer 5 is upsampled 48 → 96; the zoo's pattern-filled networks of
make_sequence_zoo_fixtures.py barely respond to their input, 1e-8 gradients, so they make no test of attribution) —
and one series 3×96:

  x[c, t] = sin(0.05·(c + 1)·t) + 1.5·exp(−((t − 30 − 20·c) / 4)²)       (a bump per channel at t = 30, 50, 70)

  weights.pth                 the network's state dict
  input.npy                   the series                                                             (1, 3, 96)
  <target>_saliency.npy       Captum Saliency(abs=True), max over channels                             (96,)
  <target>_gradcam_<layer>.npy  LayerGradCam(layer, relu_attributions=True), then
                              LayerAttribution.interpolate(..., 96, "linear")                         (96,)
  <target>_occlusion.npy      Occlusion, window (3, 9), strides (3, 4), baseline 0, channel 0          (96,)
  manifest.json               the targets (the top class and the least likely one) and layers

    pip install torch==2.13.0 captum==0.9.0
    python3 tools/make_series_insight_fixtures.py
"""
import json
import pathlib

import numpy as np
import torch
from captum.attr import LayerAttribution, LayerGradCam, Occlusion, Saliency

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/series_insight"
OUT.mkdir(parents=True, exist_ok=True)
torch.set_num_threads(2)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Conv1d(3, 8, 7, padding=3), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.MaxPool1d(2),
                            torch.nn.Conv1d(8, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool1d(1),
                            torch.nn.Flatten(), torch.nn.Linear(16, 5))
with torch.no_grad():
    norm = model[1]
    norm.weight.uniform_(0.5, 1.5), norm.bias.uniform_(-0.2, 0.2)
    norm.running_mean.normal_(0, 0.2), norm.running_var.uniform_(0.5, 1.5)
model = model.eval()
torch.save(model.state_dict(), OUT / "weights.pth")
t = torch.arange(96, dtype=torch.float64)
x = torch.stack([torch.sin(0.05 * (c + 1) * t) + 1.5 * torch.exp(-((t - 30 - 20 * c) / 4) ** 2) for c in range(3)])
x = x.unsqueeze(0).float()
np.save(OUT / "input.npy", x.numpy())
with torch.no_grad():
    logits = model(x)[0]
targets = [int(logits.argmax()), int(logits.argmin())]
layers = {"2": model[2], "5": model[5]}
for target in targets:
    saliency = Saliency(model).attribute(x.clone().requires_grad_(), target=target, abs=True)
    np.save(OUT / f"{target}_saliency.npy", saliency[0].amax(0).numpy().astype(np.float32))
    for name, layer in layers.items():
        cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
        cam = LayerAttribution.interpolate(cam, 96, "linear")
        np.save(OUT / f"{target}_gradcam_{name}.npy", cam[0, 0].detach().numpy().astype(np.float32))
    occlusion = Occlusion(model).attribute(x, sliding_window_shapes=(3, 9), strides=(3, 4), baselines=0, target=target,
                                           perturbations_per_eval=16)
    np.save(OUT / f"{target}_occlusion.npy", occlusion[0, 0].numpy().astype(np.float32))
manifest = {"generator": f"PyTorch {torch.__version__}, Captum 0.9, float32", "targets": targets, "layers": list(layers),
            "occlusion": {"window": 9, "stride": 4, "baseline": 0}}
(OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
print("wrote", OUT, "targets", targets, "logits", [round(v, 4) for v in logits.tolist()])
