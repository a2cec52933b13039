#!/usr/bin/env python3
"""Writes the official full-size configs and checks their parameter counts.

tests/fixtures/configs/{audioldm2,audioldm2-large,audioldm2-music}/
    model_index.json, <component>/config.json, scheduler/scheduler_config.json,
    feature_extractor/preprocessor_config.json
tests/fixtures/configs/param_counts.json

The configs come from official.py (the hub repositories' config files). Each component is then
re-read from the written file with the library's own loader and instantiated on the meta device (CLAP:
on the CPU without weight init) to count parameters; the counts are checked against audioldm2.md section 12.
"""
import argparse
import json
import os

import torch

import official

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
VARIANTS = ["audioldm2", "audioldm2-large", "audioldm2-music"]

# audioldm2.md section 12 (rounded figures, except the projection model), and the relative tolerance
# that the rounding allows.
EXPECTED = {
    "text_encoder": (194e6, 0.01),
    "text_encoder_2": (341.2e6, 0.0005),
    "projection_model": (1184256, 0.0),
    "language_model": (124.4e6, 0.0005),
    "unet": (346.9e6, 0.0005),
    "unet@audioldm2-large": (718.0e6, 0.0005),
    "vae": (55.4e6, 0.001),
    "vocoder": (55.3e6, 0.001),
    "text_encoder.text_branch": (125.3e6, 0.0005),
    "vae.decoder": (33.0e6, 0.002),
}


def dump(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def write_variant(out_dir, name):
    import transformers
    comps = official.variant(name)
    for comp, cfg in comps.items():
        cfg = dict(cfg)
        if "architectures" in cfg:
            cfg["transformers_version"] = transformers.__version__
        dump(os.path.join(out_dir, comp, "config.json"), cfg)
    dump(os.path.join(out_dir, "scheduler", "scheduler_config.json"), official.SCHEDULER)
    dump(os.path.join(out_dir, "feature_extractor", "preprocessor_config.json"), official.FEATURE_EXTRACTOR)
    dump(os.path.join(out_dir, "model_index.json"), official.MODEL_INDEX)


def count(module):
    params = sum(p.numel() for p in module.parameters())
    state = sum(t.numel() for t in module.state_dict().values())
    return params, state


def instantiate(folder, comp):
    """Builds one component from its written config.json on the meta device."""
    from diffusers import AutoencoderKL
    from diffusers.pipelines.audioldm2.modeling_audioldm2 import (AudioLDM2ProjectionModel,
                                                                 AudioLDM2UNet2DConditionModel)
    from transformers import (ClapConfig, ClapModel, GPT2Config, GPT2Model, SpeechT5HifiGan,
                              SpeechT5HifiGanConfig, T5Config, T5EncoderModel)
    path = os.path.join(folder, comp)
    if comp == "text_encoder":  # HTSAT calls .item() while building, which the meta device refuses
        from transformers.modeling_utils import no_init_weights
        with no_init_weights():
            return ClapModel(ClapConfig.from_pretrained(path))
    with torch.device("meta"):
        if comp == "text_encoder_2":
            return T5EncoderModel(T5Config.from_pretrained(path))
        if comp == "language_model":
            return GPT2Model(GPT2Config.from_pretrained(path))
        if comp == "vocoder":
            return SpeechT5HifiGan(SpeechT5HifiGanConfig.from_pretrained(path))
        cls = {"projection_model": AudioLDM2ProjectionModel, "unet": AudioLDM2UNet2DConditionModel,
               "vae": AutoencoderKL}[comp]
        return cls.from_config(cls.load_config(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "configs"))
    args = ap.parse_args()

    result = {"note": "parameters = sum of numel over model.parameters() (tied weights once); "
                      "state_dict = sum of numel over state_dict() entries: adds persistent buffers and counts a tied "
                      "weight under each of its names (T5: shared and encoder.embed_tokens); save_pretrained's "
                      "safetensors files keep a tied weight once. Subtotals: text_encoder.text_branch = text_model + text_projection; "
                      "vae.decoder = decoder + post_quant_conv.",
              "variants": {}}
    failures = []
    for name in VARIANTS:
        folder = os.path.join(args.out, name)
        write_variant(folder, name)
        counts = {}
        for comp in official.variant(name):
            model = instantiate(folder, comp)
            params, state = count(model)
            counts[comp] = {"parameters": params, "state_dict": state}
            if comp == "text_encoder":
                counts["text_encoder.text_branch"] = {
                    "parameters": count(model.text_model)[0] + count(model.text_projection)[0]}
            if comp == "vae":
                counts["vae.decoder"] = {"parameters": count(model.decoder)[0] + count(model.post_quant_conv)[0]}
        counts["total"] = {"parameters": sum(v["parameters"] for k, v in counts.items() if "." not in k)}
        result["variants"][name] = counts
        for comp, c in counts.items():
            key = f"{comp}@{name}" if f"{comp}@{name}" in EXPECTED else comp
            if key not in EXPECTED:
                continue
            want, tol = EXPECTED[key]
            ok = abs(c["parameters"] - want) <= tol * want
            print(f"{name:16s} {comp:26s} {c['parameters']:>12,d}  expected ~{want:,.0f}  {'ok' if ok else 'MISMATCH'}")
            if not ok:
                failures.append((name, comp, c["parameters"], want))
    dump(os.path.join(args.out, "param_counts.json"), result)
    if failures:
        raise SystemExit(f"parameter counts differ from audioldm2.md section 12: {failures}")


if __name__ == "__main__":
    main()
