#!/usr/bin/env python3
"""Writes tests/fixtures/golden/scheduler_options.{safetensors,json}: scheduler options beyond AudioLDM 2's config.

Each case is a scheduler config object (AudioLDM 2's DDIM config from the tiny model with some keys changed, or
a bare one so that the class defaults apply), a diffusers class built with from_config(config) as the pipeline
does, and a synthetic trajectory without a UNet: x_0 ~ randn (1, 8, 2, 4), eps_i ~ randn from the same seeded
generator, x_{i+1} = step(eps_i, t_i, x_i). The JSON holds each case's config exactly as the C++ reads it
(Python's json writes -Infinity for DPM-Solver's lambda_min_clipped, as diffusers' save_config does), its
class, steps, and the tensors: "{case}.timesteps", "{case}.sigmas" (DPM only), "{case}.sample.0",
"{case}.model_output.{i}", "{case}.prev_sample.{i}".
"""
import argparse
import json
import os

import diffusers
import torch
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler
from safetensors.torch import save_file

CLASSES = {"ddim": DDIMScheduler, "dpmsolver++": DPMSolverMultistepScheduler}


def audioldm2_config(here):
    path = os.path.join(here, "..", "..", "tests", "fixtures", "tiny-audioldm2", "scheduler", "scheduler_config.json")
    with open(path, encoding="utf-8") as f:
        return {k: v for k, v in json.load(f).items() if not k.startswith("_")}


def saved_dpm_config(base):
    """The config diffusers' save_config writes for a DPM-Solver built from AudioLDM 2's (has -Infinity)."""
    config = dict(DPMSolverMultistepScheduler.from_config(base).config)
    return {k: v for k, v in config.items() if not k.startswith("_")}


def cases(base):
    def with_(**changes):
        return dict(base, **changes)

    return [
        ("ddim.defaults", "ddim", {}, 10),  # linear betas, clip_sample, set_alpha_to_one, offset 0
        ("ddim.clip", "ddim", with_(clip_sample=True, clip_sample_range=0.5), 25),
        ("ddim.trailing", "ddim", with_(timestep_spacing="trailing"), 3),
        ("ddim.linspace", "ddim", with_(timestep_spacing="linspace"), 27),
        ("dpm.defaults", "dpmsolver++", {}, 10),  # linspace, offset 0, linear betas
        ("dpm.saved", "dpmsolver++", saved_dpm_config(base), 20),
        ("dpm.order1", "dpmsolver++", with_(solver_order=1), 10),
        ("dpm.order3", "dpmsolver++", with_(solver_order=3), 20),
        ("dpm.order3.short", "dpmsolver++", with_(solver_order=3), 8),
        ("dpm.heun", "dpmsolver++", with_(solver_type="heun"), 10),
        ("dpm.heun.order3", "dpmsolver++", with_(solver_type="heun", solver_order=3), 20),
        ("dpm.sigma_min", "dpmsolver++", with_(final_sigmas_type="sigma_min"), 20),
        ("dpm.sigma_min.euler", "dpmsolver++", with_(final_sigmas_type="sigma_min", euler_at_final=True), 20),
        ("dpm.sigma_min.no_lower_final", "dpmsolver++",
         with_(final_sigmas_type="sigma_min", lower_order_final=False), 10),
        ("dpm.trailing", "dpmsolver++", with_(timestep_spacing="trailing"), 7),
        ("dpm.linspace", "dpmsolver++", with_(timestep_spacing="linspace"), 26),
        ("dpm.deis", "dpmsolver++", with_(algorithm_type="deis", final_sigmas_type="sigma_min"), 10),
    ]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "tests", "fixtures", "golden"))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()

    tensors, index = {}, []
    for name, kind, config, steps in cases(audioldm2_config(here)):
        s = CLASSES[kind].from_config(config)
        s.set_timesteps(steps)
        tensors[f"{name}.timesteps"] = s.timesteps.to(torch.int64).clone()
        if kind == "dpmsolver++":
            tensors[f"{name}.sigmas"] = s.sigmas.to(torch.float32).clone()
        g = torch.Generator("cpu").manual_seed(11)
        x = torch.randn((1, 8, 2, 4), generator=g)
        tensors[f"{name}.sample.0"] = x.clone()
        for i, t in enumerate(s.timesteps):
            eps = torch.randn(x.shape, generator=g)
            tensors[f"{name}.model_output.{i}"] = eps.clone()
            x = s.step(eps, t, x).prev_sample
            tensors[f"{name}.prev_sample.{i}"] = x.clone()
        index.append({"name": name, "scheduler": kind, "steps": steps, "config": config})

    save_file(tensors, os.path.join(args.out, "scheduler_options.safetensors"))
    with open(os.path.join(args.out, "scheduler_options.json"), "w", encoding="utf-8") as f:
        json.dump({"diffusers": diffusers.__version__, "torch": torch.__version__, "cases": index}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
