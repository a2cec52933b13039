#!/usr/bin/env python3
"""Measures how far the fp32 goldens are from the same computation in fp64 (a floor for C++ tolerances).

For each pipeline case of a tiny model, re-runs the pipeline in float64 from the golden's own initial latents and
prints, per stage, NMSE = sum((a-b)^2)/sum(b^2) and max |a-b| between the fp32 golden and the fp64 result.
Writes nothing; prints a markdown table.
"""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dump_goldens as D  # noqa: E402

STAGES = ["clap.text_embeds", "t5.last_hidden_state", "projection.hidden_states", "gpt2.generated",
          "unet.output.0", "unet.noise_pred.0", "latents.final", "vae.mel", "vocoder.waveform", "waveform"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="tiny-audioldm2")
    args = ap.parse_args()
    torch.set_num_threads(1)
    # transformers' causal-mask helper calls torch.full(finfo(float64).min) without a dtype when GPT-2's input
    # has padding, which overflows unless the default dtype is float64.
    torch.set_default_dtype(torch.float64)
    model_dir = os.path.join(D.FIXTURES, args.model)
    gdir = os.path.join(D.FIXTURES, "golden", args.model)
    with open(os.path.join(gdir, "index.json"), encoding="utf-8") as f:
        cases = [c for c in json.load(f)["cases"] if c["kind"] == "pipeline"]
    print("| case | " + " | ".join(STAGES) + " |")
    print("|---|" + "---|" * len(STAGES))
    for case in cases:
        gold = load_file(os.path.join(gdir, case["file"]))
        pipe = D.load(model_dir).to(torch.float64)
        pipe.scheduler = D.make_scheduler(pipe, case["scheduler"])
        rec = D.Recorder(pipe)
        rec.wrap_scheduler(pipe.scheduler)
        with torch.no_grad():
            audio = pipe(case["prompt"], negative_prompt=case["negative_prompt"],
                         num_inference_steps=case["steps"], guidance_scale=case["guidance"],
                         audio_length_in_s=case["duration_s"], latents=gold["latents.initial"].double(),
                         output_type="pt").audios
        got = {k: v for k, v in rec.tensors.items()}
        got["latents.final"] = got[f"scheduler.step.{case['steps'] - 1}.prev_sample"]
        got["waveform"] = audio.float()
        cells = []
        for s in STAGES:
            if s not in gold:
                cells.append("–")
                continue
            a, b = gold[s].double(), pipe_ref(got, s)
            nmse = float(((a - b) ** 2).sum() / (b ** 2).sum())
            cells.append(f"{nmse:.1e} / {float((a - b).abs().max()):.1e}")
        print(f"| {case['name']} | " + " | ".join(cells) + " |")


def pipe_ref(got, name):
    return got[name].double()


if __name__ == "__main__":
    main()
