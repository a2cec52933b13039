#!/usr/bin/env python3
"""Writes tests/fixtures/randn/randn.safetensors: exact outputs of torch's CPU randn.

Each tensor is torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=...)
drawn from a FRESH generator, so a C++ port of torch's MT19937 + normal sampling can be checked bit for bit.
torch's CPU normal uses a scalar Box-Muller path for numel < 16 and a vectorised 16-wide path for
numel >= 16 (with a tail fix-up when numel % 16 != 0), so the sizes straddle 16.

Names: seed{S}.n{N}            float32, shape (N,)
       seed{S}.shape{A}x{B}..  float32, the given multi-dim shape
       seed{S}.f64.n{N}        float64, shape (N,)
A JSON sidecar (randn.json) lists every tensor with its seed, shape and dtype.
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file

SEEDS = [0, 1, 42, 2**31 + 5, 123456789]
SIZES = [1, 7, 15, 16, 17, 100, 1000, 8 * 16 * 64]
SHAPES = [(1, 8, 256, 16), (2, 8, 13, 16)]
SHAPE_SEEDS = [0, 42]
F64 = [(0, 7), (0, 17), (42, 100), (42, 1000)]


def draw(seed, shape, dtype):
    gen = torch.Generator("cpu").manual_seed(seed)
    return torch.randn(shape, generator=gen, dtype=dtype)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "tests", "fixtures", "randn"))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    tensors, index = {}, []
    for seed in SEEDS:
        for n in SIZES:
            name = f"seed{seed}.n{n}"
            tensors[name] = draw(seed, (n,), torch.float32)
            index.append({"name": name, "seed": seed, "shape": [n], "dtype": "float32"})
    for seed in SHAPE_SEEDS:
        for shape in SHAPES:
            name = f"seed{seed}.shape" + "x".join(str(d) for d in shape)
            tensors[name] = draw(seed, shape, torch.float32)
            index.append({"name": name, "seed": seed, "shape": list(shape), "dtype": "float32"})
    for seed, n in F64:
        name = f"seed{seed}.f64.n{n}"
        tensors[name] = draw(seed, (n,), torch.float64)
        index.append({"name": name, "seed": seed, "shape": [n], "dtype": "float64"})

    # Sanity: a prefix of a longer draw is NOT generally equal to a shorter draw (different paths);
    # record whether it is, so the C++ tests can document the behaviour.
    a = tensors["seed42.n17"][:15]
    b = tensors["seed42.n15"]
    meta = {
        "torch_version": torch.__version__,
        "generator": 'torch.Generator("cpu").manual_seed(seed), fresh per tensor',
        "prefix_of_n17_equals_n15_for_seed42": bool(torch.equal(a, b)),
        "tensors": index,
    }
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(args.out, "randn.safetensors"),
              # One metadata key only: safetensors writes metadata in hash-map order, so two keys would make
              # the file bytes differ between runs.
              metadata={"generator": f'{meta["generator"]}; torch {torch.__version__}'})
    with open(os.path.join(args.out, "randn.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"wrote {len(tensors)} tensors to {args.out}")


if __name__ == "__main__":
    main()
