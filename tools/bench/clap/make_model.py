"""Writes a full-size random-weight CLAP scorer checkpoint in the AudioLDM 2 layout (text_encoder/ from the
official ClapModel config, tokenizer/ from the tiny fixture — ids below 1000 fit the full vocabulary —,
feature_extractor/ official) and a 10 s, 16 kHz take (AudioLDM 2's output rate) as a float WAV.
usage: make_model.py CONFIG_DIR TINY_DIR OUT_DIR"""
import os, shutil, sys
import numpy as np
import soundfile
import torch
from transformers import ClapConfig, ClapModel

config_dir, tiny, out = sys.argv[1:4]
torch.manual_seed(0)
model = ClapModel(ClapConfig.from_pretrained(os.path.join(config_dir, "text_encoder"))).eval()
model.save_pretrained(os.path.join(out, "text_encoder"), safe_serialization=True)
shutil.copytree(os.path.join(tiny, "tokenizer"), os.path.join(out, "tokenizer"))
shutil.copytree(os.path.join(config_dir, "feature_extractor"), os.path.join(out, "feature_extractor"))
t = np.arange(160000) / 16000.0
rng = np.random.default_rng(0)
take = 0.3 * np.sin(2 * np.pi * (200 * t + 40 * t * t)) + 0.05 * rng.standard_normal(t.size)
soundfile.write(os.path.join(out, "take.wav"), take.astype(np.float32), 16000, subtype="FLOAT")
