#!/usr/bin/env python3
"""References for `strata insight` (Tests/Fixtures/insight): the same computation in PyTorch 2.13 and Captum 0.9 as a
user runs it (float32, 2 threads) on the real pretrained MobileNetV2 of shared/data/pretrained and PyTorch's
preprocessed inputs of three photos:

  <image>_saliency.npy    Captum Saliency(abs=True) for the top-1 class, max over channels      (224, 224)
  <image>_gradcam.npy     Captum LayerGradCam(features.18, relu_attributions=True), upsampled with
                          LayerAttribution.interpolate(..., "bilinear") to 224x224                (224, 224)
  <image>_occlusion.npy   Captum Occlusion, window (3, 15, 15), strides (3, 8, 8), baseline 0,
                          top-1 class, channel 0 (all channels are equal)                         (224, 224)
  chelsea_features.7.conv.2.npy   the forward-hook output of that layer                           (64, 14, 14)
  manifest.json           targets and layers

Why float32: saliency is the input gradient through 35 ReLU6 layers; where a pre-activation lies within rounding of
6 (or 0), float32 and float64 take different sides, and PyTorch's own float32 saliency then differs from its float64
one by up to 2.3% of the map's range (chelsea 0.7%, camera 0.7%, rocket 2.3%). Grad-CAM, occlusion and the activations
agree with float64 to ~1e-6 as well.

    pip install torch==2.13.0 captum==0.9.0 && pip install --no-deps torchvision==0.28.0
    python3 tools/make_insight_fixtures.py [SHARED]
"""
import json
import os
import sys
import types

import numpy as np
import torch

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torchvision  # noqa: E402
from captum.attr import LayerAttribution, LayerGradCam, Occlusion, Saliency  # noqa: E402

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "insight")
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(2)

model = torchvision.models.mobilenet_v2()
model.load_state_dict(torch.load(os.path.join(SHARED, "data/pretrained/mobilenet_v2-b0353104.pth"), weights_only=True))
model = model.eval()
for module in model.modules():
    if isinstance(module, torch.nn.ReLU6):
        module.inplace = False          # Captum's hooks need out-of-place activations

manifest = {"generator": "PyTorch %s, Captum 0.9, float32" % torch.__version__, "layer": "features.18",
            "occlusion": {"window": [15, 15], "stride": [8, 8], "baseline": 0}, "images": {}}
for image in ["chelsea", "camera", "astronaut"]:
    x = torch.from_numpy(np.load(os.path.join(SHARED, f"data/pretrained/reference/mobilenet_v2_{image}_input.npy")))
    with torch.no_grad():
        target = int(model(x).argmax(1))
    saliency = Saliency(model).attribute(x.clone().requires_grad_(), target=target, abs=True)
    np.save(os.path.join(OUT, f"{image}_saliency.npy"), saliency[0].amax(0).numpy().astype(np.float32))
    cam = LayerGradCam(model, model.features[18]).attribute(x, target=target, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (224, 224), "bilinear")
    np.save(os.path.join(OUT, f"{image}_gradcam.npy"), cam[0, 0].detach().numpy().astype(np.float32))
    occlusion = Occlusion(model).attribute(x, sliding_window_shapes=(3, 15, 15), strides=(3, 8, 8), baselines=0,
                                           target=target, perturbations_per_eval=32)
    np.save(os.path.join(OUT, f"{image}_occlusion.npy"), occlusion[0, 0].numpy().astype(np.float32))
    manifest["images"][image] = {"target": target}
    print(image, target, flush=True)

captured = {}
model.features[7].conv[2].register_forward_hook(lambda module, inputs, output: captured.update(y=output.detach()))
x = torch.from_numpy(np.load(os.path.join(SHARED, "data/pretrained/reference/mobilenet_v2_chelsea_input.npy")))
with torch.no_grad():
    model(x)
np.save(os.path.join(OUT, "chelsea_features.7.conv.2.npy"), captured["y"][0].numpy().astype(np.float32))
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
