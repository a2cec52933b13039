#!/usr/bin/env python3
"""Writes tests/fixtures/golden/unet-per-block/: a tiny AudioLDM2UNet2DConditionModel whose per-block settings are
lists, as diffusers accepts them, and its outputs for seeded inputs.

The official configs give one value for every block; diffusers also reads `layers_per_block`,
`transformer_layers_per_block`, `attention_head_dim` and `cross_attention_dim` as one entry per down block (up block i
uses entry n-1-i, the mid block the last). The two layouts below make every entry differ, so that a port reading one
entry for another fails on a shape or on the numbers:
  a: 4 levels, cross-attention slot lists that differ per block (a plain int width included),
  b: 3 levels, int cross_attention_dim for every block, lists elsewhere.

Outputs: <layout>/config.json and <layout>/diffusion_pytorch_model.safetensors (the model folder the C++ loads), and
<layout>/io.safetensors: "sample", "timestep", "encoder_hidden_states", "encoder_hidden_states_1",
"encoder_attention_mask_1", "output" (fp32, CPU). Seeded: running this twice gives identical files.
"""
import argparse
import json
import os

import torch
from diffusers.pipelines.audioldm2.modeling_audioldm2 import AudioLDM2UNet2DConditionModel
from safetensors.torch import save_file

from make_tiny import GPT2_DIM, T5_DIM, perturb_constants

LAYOUTS = {
    "a": dict(
        block_out_channels=[4, 8, 12, 16],
        down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
        up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
        layers_per_block=[2, 1, 2, 1],
        transformer_layers_per_block=[1, 2, 1, 1],
        attention_head_dim=[2, 4, 3, 8],
        cross_attention_dim=[[None, GPT2_DIM, T5_DIM], [GPT2_DIM, None, T5_DIM, None], GPT2_DIM,
                             [None, GPT2_DIM, T5_DIM, T5_DIM]],
        norm_num_groups=4,
    ),
    "b": dict(
        block_out_channels=[8, 8, 8],
        down_block_types=["CrossAttnDownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"],
        up_block_types=["CrossAttnUpBlock2D", "UpBlock2D", "CrossAttnUpBlock2D"],
        layers_per_block=[2, 1, 3],
        transformer_layers_per_block=1,
        attention_head_dim=[4, 2, 2],
        cross_attention_dim=GPT2_DIM,
        norm_num_groups=4,
    ),
}


def build(name, config, out_root):
    gen = torch.Generator("cpu").manual_seed(100 + ord(name))
    torch.manual_seed(100 + ord(name))
    unet = AudioLDM2UNet2DConditionModel(in_channels=8, out_channels=8, sample_size=32, **config).eval()
    perturb_constants(unet, gen)
    out = os.path.join(out_root, name)
    os.makedirs(out, exist_ok=True)
    unet.save_pretrained(out, safe_serialization=True)

    # T and F not multiples of 2^levels, so the upsamplers take the skips' sizes.
    sample = torch.randn((2, 8, 13, 6), generator=gen)
    gpt2 = torch.randn((2, 8, GPT2_DIM), generator=gen)
    t5 = torch.randn((2, 5, T5_DIM), generator=gen)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    timestep = torch.tensor([617], dtype=torch.int64)
    with torch.no_grad():
        output = unet(sample, timestep, encoder_hidden_states=gpt2, encoder_hidden_states_1=t5,
                      encoder_attention_mask_1=mask).sample
    save_file({"sample": sample, "timestep": timestep, "encoder_hidden_states": gpt2,
               "encoder_hidden_states_1": t5, "encoder_attention_mask_1": mask, "output": output.contiguous()},
              os.path.join(out, "io.safetensors"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.normpath(os.path.join(here, "..", "..", "tests", "fixtures", "golden", "unet-per-block"))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    for name, config in LAYOUTS.items():
        build(name, config, args.out)


if __name__ == "__main__":
    main()
