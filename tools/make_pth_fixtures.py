#!/usr/bin/env python3
"""Small PyTorch files for the .pth reader's tests (Tests/Fixtures/pth), written by torch.save in both
serialisations and several pickle protocols, with the values each must yield in expected.safetensors
(float32 for floating-point tensors, int64 for integer and boolean ones).

    pip install torch==2.13.0 safetensors && python3 tools/make_pth_fixtures.py
"""
import collections
import os

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "pth")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)

base = torch.randn(4, 6)
state = collections.OrderedDict([
    ("conv.weight", torch.randn(3, 2, 3, 3)),
    ("conv.bias", torch.randn(3)),
    ("fc.weight", base.t()),                           # transposed: strides (1, 6)
    ("fc.bias", base[1:3, 2]),                         # a strided view with an offset into a shared storage
    ("bn.running_mean", torch.randn(5).double()),     # float64 storage
    ("bn.num_batches_tracked", torch.tensor(17)),     # int64 scalar
    ("half", torch.randn(2, 5).half()),
    ("bfloat", torch.randn(7).bfloat16()),
    ("mask", torch.tensor([True, False, True])),
    ("small_ints", torch.tensor([-3, 4, 120], dtype=torch.int8)),
    ("empty", torch.zeros(0, 4)),
])
expected = {k: (v.float() if v.is_floating_point() else v.long()).contiguous() for k, v in state.items()}
save_file(expected, os.path.join(OUT, "expected.safetensors"))

torch.save(state, os.path.join(OUT, "state_zip.pth"))
torch.save(state, os.path.join(OUT, "state_legacy.pth"), _use_new_zipfile_serialization=False)
torch.save(state, os.path.join(OUT, "state_zip_protocol4.pth"), pickle_protocol=4)
# a training checkpoint: the state dict of a DataParallel model under "state_dict", with other entries beside it
wrapped = {"epoch": 12, "best_acc": 0.917, "arch": "tiny", "state_dict": collections.OrderedDict(
    (f"module.{k}", torch.nn.Parameter(v) if v.is_floating_point() and v.dtype == torch.float32 else v) for k, v in state.items()),
    "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": [0, 1, 2]}]}, "note": None}
torch.save(wrapped, os.path.join(OUT, "checkpoint_zip.pth"))
torch.save(wrapped, os.path.join(OUT, "checkpoint_legacy.pth"), _use_new_zipfile_serialization=False)
print("wrote", sorted(os.listdir(OUT)))
