#!/usr/bin/env python3
"""PyTorch side of Strata's zoo workloads (`make bench`), timed as shared/bench/torch_reference.py times W1-W5:
warm-up, then 7 repetitions, median; float32, 2 threads; one workload per process.

  W6  MobileNetV2 (torchvision) inference, eval mode, no grad, batch 16, 3x224x224      -> images_per_s
  W7  MobileNetV2 fine-tuning step (every layer trains, BN in train mode), batch 32,
      3x96x96, 10-class head, Adam lr 1e-4 (transfer learning way (b) of shared/bench/transfer.md) -> samples_per_s
  W8  occlusion map of MobileNetV2 at 224x224, window 15, stride 8, baseline 0, 16 occluded copies per
      forward pass (Captum's Occlusion, perturbations_per_eval=16; pip install captum)             -> maps_per_min
  W9  100 steps of activation maximisation of a class logit at 224x224: jitter (roll by up to 8 px),
      L2 and total-variation penalties, normalised gradient step, blur every 4 steps (as Strata's) -> steps_per_s

W6 and W7 also run in channels_last memory format (what oneDNN prefers), reported as *_channels_last.

    python3 tools/torch_zoo_bench.py W6      # prints one JSON object
"""
import json
import resource
import statistics
import sys
import time
import types

import torch
import torch.nn.functional as F

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torchvision  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)


def timeit(fn, iters, reps=7, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times)


def w6(channels_last):
    model = torchvision.models.mobilenet_v2(weights=None).eval()
    x = torch.randn(16, 3, 224, 224)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def forward():
        with torch.no_grad():
            model(x)
    return 16 / timeit(forward, iters=1, warmup=2)


def w7(channels_last):
    model = torchvision.models.mobilenet_v2(weights=None)
    model.classifier[1] = torch.nn.Linear(1280, 10)
    model.train()
    x, y = torch.randn(32, 3, 96, 96), torch.randint(0, 10, (32,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    return 32 / timeit(step, iters=1, warmup=2)


def pretrained_like():
    model = torchvision.models.mobilenet_v2(weights=None).eval()
    for module in model.modules():
        if isinstance(module, torch.nn.ReLU6):
            module.inplace = False          # Captum's hooks need out-of-place activations
    return model


def w8():
    from captum.attr import Occlusion
    model, x = pretrained_like(), torch.randn(1, 3, 224, 224)
    occlusion = Occlusion(model)

    def run():
        occlusion.attribute(x, sliding_window_shapes=(3, 15, 15), strides=(3, 8, 8), baselines=0, target=1,
                            perturbations_per_eval=16)
    return 60 / timeit(run, iters=1, reps=3, warmup=1)


def blur(image, sigma=0.5):
    radius = max(1, int(3 * sigma + 0.999))
    k = torch.exp(-torch.arange(-radius, radius + 1, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
    k = k / k.sum()
    c = image.shape[1]
    padded = F.pad(image, (radius, radius, 0, 0), mode="replicate")
    image = F.conv2d(padded, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    padded = F.pad(image, (0, 0, radius, radius), mode="replicate")
    return F.conv2d(padded, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def w9():
    model = pretrained_like()
    for p in model.parameters():
        p.requires_grad_(False)
    generator = torch.Generator().manual_seed(0)
    image = 0.5 * torch.randn(1, 3, 224, 224, generator=generator)
    low = ((0 - torch.tensor([0.485, 0.456, 0.406])) / torch.tensor([0.229, 0.224, 0.225])).view(1, 3, 1, 1)
    high = ((1 - torch.tensor([0.485, 0.456, 0.406])) / torch.tensor([0.229, 0.224, 0.225])).view(1, 3, 1, 1)

    def steps():
        nonlocal image
        for step in range(100):
            dy, dx = [int(v) for v in torch.randint(-8, 9, (2,), generator=generator)]
            shifted = torch.roll(image, (dy, dx), (2, 3)).requires_grad_()
            objective = model(shifted)[0, 963]
            tv = (shifted[:, :, 1:] - shifted[:, :, :-1]).square().mean() + (shifted[:, :, :, 1:] - shifted[:, :, :, :-1]).square().mean()
            (objective - 0.01 * shifted.square().mean() - 0.05 * tv).backward()
            g = shifted.grad
            with torch.no_grad():
                image = torch.roll(shifted + 0.05 * g / g.abs().mean().clamp_min(1e-8), (-dy, -dx), (2, 3))
                image = torch.maximum(torch.minimum(image, high), low)
                if (step + 1) % 4 == 0:
                    image = blur(image)
    return 100 / timeit(steps, iters=1, reps=3, warmup=1)


if __name__ == "__main__":
    workload = sys.argv[1]
    if workload in ("W8", "W9"):
        key = {"W8": "maps_per_min", "W9": "steps_per_s"}[workload]
        result = {key: {"W8": w8, "W9": w9}[workload]()}
    else:
        run, key = {"W6": (w6, "images_per_s"), "W7": (w7, "samples_per_s")}[workload]
        result = {key: run(False), key + "_channels_last": run(True)}
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(result))
