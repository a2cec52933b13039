#!/usr/bin/env python3
"""Writes tests/fixtures/golden/timestep_table.safetensors: diffusers' timestep lists, every step count.

For DDIMScheduler and DPMSolverMultistepScheduler (their set_timesteps differ: DPM spaces steps + 1 points
and drops one), each timestep_spacing ("leading", "linspace", "trailing", steps_offset 1), and each train
count in TRAIN_COUNTS, set_timesteps(n) runs for every n in 1..num_train_timesteps. Storing every list
would take ~30 MB, so each list is reduced to a digest that any changed, missing or extra value alters:

    [len, first, last, sum(t), sum((i + 1) * t)]   (int64, i the position in the list)

Tensor "{ddim|dpm}.{spacing}.T{T}" has shape (T, 5): row n - 1 is the digest of set_timesteps(n).
Full lists of a few step counts ("...T{T}.n{n}", int64) are kept too, so a failing test can show values.
timestep_table.json lists the tensors and the versions that made them.
"""
import argparse
import json
import os

import diffusers
import numpy as np
import torch
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler
from safetensors.torch import save_file

TRAIN_COUNTS = [1000, 900, 100, 10]
SPACINGS = ["leading", "linspace", "trailing"]
CLASSES = {"ddim": DDIMScheduler, "dpm": DPMSolverMultistepScheduler}
FULL_LISTS = [1, 2, 3, 7, 26, 27, 50]


def digest(timesteps):
    t = np.asarray(timesteps, dtype=np.int64)
    weights = np.arange(1, len(t) + 1, dtype=np.int64)
    return [len(t), int(t[0]), int(t[-1]), int(t.sum()), int((weights * t).sum())]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "tests", "fixtures", "golden"))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    tensors, index = {}, []
    for tag, cls in CLASSES.items():
        for spacing in SPACINGS:
            for train in TRAIN_COUNTS:
                scheduler = cls(num_train_timesteps=train, beta_schedule="scaled_linear", beta_start=0.0015,
                                beta_end=0.0195, timestep_spacing=spacing, steps_offset=1)
                rows = []
                for n in range(1, train + 1):
                    scheduler.set_timesteps(n)
                    ts = scheduler.timesteps.numpy()
                    rows.append(digest(ts))
                    if n in FULL_LISTS:
                        tensors[f"{tag}.{spacing}.T{train}.n{n}"] = torch.from_numpy(ts.astype(np.int64).copy())
                name = f"{tag}.{spacing}.T{train}"
                tensors[name] = torch.tensor(rows, dtype=torch.int64)
                index.append({"name": name, "class": cls.__name__, "timestep_spacing": spacing, "steps_offset": 1,
                              "num_train_timesteps": train, "shape": [train, 5]})

    save_file(tensors, os.path.join(args.out, "timestep_table.safetensors"))
    meta = {"diffusers": diffusers.__version__, "numpy": np.__version__, "digest":
            "[len, first, last, sum(t), sum((i + 1) * t)] per set_timesteps(n), n = 1..T", "tables": index}
    with open(os.path.join(args.out, "timestep_table.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
