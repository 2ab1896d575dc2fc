#!/usr/bin/env python3
"""PyTorch side of Strata's zoo workloads (`make bench`), timed as shared/bench/torch_reference.py times W1-W5:
warm-up, then 7 repetitions, median; float32, 2 threads; one workload per process.

  W6  MobileNetV2 (torchvision) inference, eval mode, no grad, batch 16, 3x224x224      -> images_per_s
  W7  MobileNetV2 fine-tuning step (every layer trains, BN in train mode), batch 32,
      3x96x96, 10-class head, Adam lr 1e-4 (transfer learning way (b) of shared/bench/transfer.md) -> samples_per_s

Both also run in channels_last memory format (what oneDNN prefers), reported as *_channels_last.

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


if __name__ == "__main__":
    workload = sys.argv[1]
    run, key = {"W6": (w6, "images_per_s"), "W7": (w7, "samples_per_s")}[workload]
    result = {key: run(False), key + "_channels_last": run(True),
              "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    print(json.dumps(result))
