#!/usr/bin/env python3
"""Writes tests/fixtures/golden/takes/: diffusers' num_waveforms_per_prompt = 3 on the tiny AudioLDM 2, in diffusers'
own order (before score_waveforms reorders them), so that foley's take i can be compared with diffusers' waveform i.

diffusers draws the initial latents of all N waveforms as one randn([N, C, T, F]) from the seeded generator; foley's
take i is slice i of it (pipeline_audioldm2.h: take_noise). `score_waveforms` is replaced by the identity here: its
ranking (checked by ranking_tests on the same model) would otherwise reorder the waveforms.

Output: takes.safetensors ("waveforms" [3, samples], "latents.initial" [3, 8, T, 16]) and takes.json (the call).
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file

from dump_goldens import load, make_scheduler

CALL = dict(prompt="a dog barking in the rain", negative_prompt="low quality, noise", seed=21, steps=5,
            guidance=3.5, duration_s=0.32, scheduler="ddim", takes=3)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "golden", "takes"))
    args = ap.parse_args()

    pipe = load(os.path.join(root, "tests", "fixtures", "tiny-audioldm2"))
    pipe.scheduler = make_scheduler(pipe, CALL["scheduler"])
    pipe.score_waveforms = lambda text, audio, num_waveforms_per_prompt, device, dtype: audio
    seen = {}
    original_prepare = pipe.prepare_latents

    def prepare_latents(*a, **k):
        latents = original_prepare(*a, **k)
        seen["latents"] = latents.clone()
        return latents

    pipe.prepare_latents = prepare_latents
    gen = torch.Generator("cpu").manual_seed(CALL["seed"])
    with torch.no_grad():
        audio = pipe(CALL["prompt"], negative_prompt=CALL["negative_prompt"], num_inference_steps=CALL["steps"],
                     guidance_scale=CALL["guidance"], audio_length_in_s=CALL["duration_s"], generator=gen,
                     num_waveforms_per_prompt=CALL["takes"], output_type="pt").audios
    os.makedirs(args.out, exist_ok=True)
    save_file({"waveforms": audio.float().contiguous(), "latents.initial": seen["latents"].float().contiguous()},
              os.path.join(args.out, "takes.safetensors"))
    with open(os.path.join(args.out, "takes.json"), "w", encoding="utf-8") as f:
        json.dump(CALL, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
