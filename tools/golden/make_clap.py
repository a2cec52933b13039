#!/usr/bin/env python3
"""Tiny random-weight CLAP models and the goldens of CLAP audio scoring.

Writes
  tests/fixtures/tiny-clap/unfused/   a standalone CLAP folder (config.json, model.safetensors, tokenizer files,
                                      preprocessor_config.json): HTSAT without fusion, extractor rand_trunc/repeatpad
  tests/fixtures/tiny-clap/fused/     the same with enable_fusion and a fusion/repeatpad extractor
  tests/fixtures/golden/clap/         index.json + clap.safetensors:
    fe.<config>.<wave>.rows        ClapFeatureExtractor input_features at a few frames [C, len(ROWS), 64]
    fe.<config>.<wave>.frame_mean  the mean over mel bins of every frame [C, T]
    <model>.pooled / .audio_embeds ClapModel audio branch (pooler_output, get_audio_features) per waveform
    <model>.text_embeds / .scores  get_text_features of the prompts; cosine scores [prompts, waveforms]
    audioldm2.*                    the tiny AudioLDM 2's text_encoder: score_waveforms' order of 16 kHz takes

Waveforms are not stored: both sides synthesise them from the parameters in index.json (see waveform()).
Where ClapFeatureExtractor draws from numpy's global generator, the golden applies foley's deterministic rule
(centred rand_trunc crop, the middle candidate of each fusion third, is_longer only for longer clips) by
patching numpy.random during the call, so the goldens are what foley must compute.
"""
import json
import math
import os
import shutil
import sys
from contextlib import contextmanager

import numpy as np
import torch
from safetensors.torch import save_file

import official

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT_MODELS = os.path.join(FIXTURES, "tiny-clap")
OUT_GOLDEN = os.path.join(FIXTURES, "golden", "clap")
TINY_AUDIOLDM2 = os.path.join(FIXTURES, "tiny-audioldm2")
SEED = 20240611

# Waveforms at 48 kHz: below, at and above max_length (480000), the under-one-hop corner, a tiny clip.
WAVES = [
    dict(name="short", rate=48000, length=62400, f0=220.0, sweep=300.0, am=3.0, noise=0.05, seed=1),
    dict(name="exact", rate=48000, length=480000, f0=880.0, sweep=-40.0, am=0.5, noise=0.02, seed=2),
    dict(name="long", rate=48000, length=491520, f0=110.0, sweep=150.0, am=7.0, noise=0.2, seed=3),
    dict(name="tiny", rate=48000, length=300, f0=2000.0, sweep=0.0, am=0.0, noise=0.3, seed=4),
    dict(name="overhop", rate=48000, length=480100, f0=440.0, sweep=10.0, am=1.5, noise=0.1, seed=5),
    dict(name="long15", rate=48000, length=720000, f0=60.0, sweep=90.0, am=2.0, noise=0.4, seed=6),
]
# The takes of the AudioLDM 2 ordering check: 16 kHz (the vocoder's rate), under 10 s.
TAKES = [
    dict(name=f"take{i}", rate=16000, length=24000, f0=f0, sweep=sw, am=am, noise=nz, seed=10 + i)
    for i, (f0, sw, am, nz) in enumerate([(300.0, 500.0, 4.0, 0.05), (1200.0, -300.0, 0.0, 0.5),
                                          (80.0, 20.0, 9.0, 0.01), (3000.0, 0.0, 1.0, 0.2),
                                          (500.0, 1000.0, 0.3, 0.1)])
]
FE_CONFIGS = {
    "trunc-repeatpad": dict(truncation="rand_trunc", padding="repeatpad"),
    "trunc-repeat": dict(truncation="rand_trunc", padding="repeat"),
    "trunc-pad": dict(truncation="rand_trunc", padding="pad"),
    "fusion-repeatpad": dict(truncation="fusion", padding="repeatpad"),
}
PROMPTS = ["a dog barking in the rain", "café crème brûlée — 雨の音", "thunder"]


def waveform(p):
    """A chirp with amplitude modulation plus LCG noise, in float64, returned as float32."""
    n = np.arange(p["length"], dtype=np.float64)
    t = n / p["rate"]
    tone = np.sin(2 * np.pi * (p["f0"] * t + 0.5 * p["sweep"] * t * t))
    env = 0.6 + 0.4 * np.sin(2 * np.pi * p["am"] * t)
    state = (p["seed"] * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    noise = np.empty(p["length"], dtype=np.float64)
    for i in range(p["length"]):
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        noise[i] = (state >> 40) / float(1 << 24) * 2.0 - 1.0
    return (0.4 * tone * env + p["noise"] * noise).astype(np.float32)


@contextmanager
def deterministic_numpy():
    """foley's rule in place of numpy's global generator inside ClapFeatureExtractor."""
    randint, choice = np.random.randint, np.random.choice
    np.random.randint = lambda low, high=None, *a, **k: (high - 1) // 2 if high is not None else (low - 1) // 2
    np.random.choice = lambda r, *a, **k: np.asarray(r)[len(r) // 2]
    try:
        yield
    finally:
        np.random.randint, np.random.choice = randint, choice


def extractor(truncation, padding):
    from transformers import ClapFeatureExtractor
    fe = dict(official.FEATURE_EXTRACTOR)
    return ClapFeatureExtractor(feature_size=fe["feature_size"], sampling_rate=fe["sampling_rate"],
                                hop_length=fe["hop_length"], max_length_s=fe["max_length_s"],
                                fft_window_size=fe["fft_window_size"], padding_value=fe["padding_value"],
                                return_attention_mask=fe["return_attention_mask"],
                                frequency_min=fe["frequency_min"], frequency_max=fe["frequency_max"],
                                top_db=fe["top_db"], truncation=truncation, padding=padding)


def features(fe, wave):
    """(input_features [C, T, 64] float32, is_longer) for one clip, as foley computes them."""
    with deterministic_numpy():
        mel, longer = fe._get_input_mel(wave.astype(np.float64), fe.nb_max_samples, fe.truncation, fe.padding)
    return np.asarray(mel, dtype=np.float32), bool(longer)


def rows_of(frames):
    return sorted({0, 1, frames // 3, frames // 2, frames - 2, frames - 1})


def build_clap(fusion, gen):
    from transformers import ClapAudioConfig, ClapConfig, ClapModel, ClapTextConfig
    text = dict(official.CLAP["text_config"])
    text.update(vocab_size=1000, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16,
                projection_dim=16, projection_hidden_size=8, fusion_hidden_size=8)
    text.pop("model_type")
    audio = dict(official.CLAP["audio_config"])
    audio.update(depths=[2, 2, 2], num_attention_heads=[2, 2, 4], patch_embeds_hidden_size=8, hidden_size=32,
                 projection_dim=16, num_hidden_layers=3, enable_fusion=fusion)
    audio.pop("model_type")
    cfg = ClapConfig.from_text_audio_configs(ClapTextConfig(**text), ClapAudioConfig(**audio), projection_dim=16,
                                             logit_scale_init_value=official.CLAP["logit_scale_init_value"])
    model = ClapModel(cfg)
    scale_and_perturb(model, gen, lambda n: True)
    return model.eval()


def scale_and_perturb(model, gen, wanted):
    """Fan-in scaled weights, randomised constants and batch-norm statistics that suit dB inputs, so that every
    parameter matters and the embeddings of different clips differ (the default init makes them ~equal)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not wanted(name):
                continue
            if p.dim() >= 2 and name.endswith("weight") and "embeddings" not in name:
                p.copy_(torch.randn(p.shape, generator=gen) / p[0].numel() ** 0.5)
            elif p.dim() >= 1 and p.numel() > 1 and float(p.std()) == 0:
                p.copy_(p + torch.randn(p.shape, generator=gen) * 0.1)
        for name, b in model.named_buffers():
            if not wanted(name):
                continue
            if name.endswith("running_mean"):
                base = -40.0 if name.endswith("audio_encoder.batch_norm.running_mean") else 0.0
                b.copy_(base + torch.randn(b.shape, generator=gen) * (5.0 if base else 0.1))
            elif name.endswith("running_var"):
                big = name.endswith("audio_encoder.batch_norm.running_var")
                b.copy_((300.0 if big else 1.0) * (0.5 + torch.rand(b.shape, generator=gen)))


def save_clap_folder(model, fe, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model.save_pretrained(out, safe_serialization=True)
    # relative_position_index is a buffer that __init__ recomputes (32 KB per block): the fixture leaves it out
    # to stay small; from_pretrained and foley both rebuild it.
    from safetensors.torch import load_file
    weights = load_file(os.path.join(out, "model.safetensors"))
    save_file({k: v for k, v in weights.items() if not k.endswith("relative_position_index")},
              os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    fe.save_pretrained(out)
    for f in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(TINY_AUDIOLDM2, "tokenizer", f), out)


def f32(a):
    return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32).contiguous()


def text_embeds(model, tokenizer, prompts):
    with torch.no_grad():
        inputs = tokenizer(prompts, return_tensors="pt", padding=True)
        return model.get_text_features(**inputs)


def main():
    torch.set_num_threads(1)
    from transformers import ClapModel, RobertaTokenizerFast
    tokenizer = RobertaTokenizerFast.from_pretrained(os.path.join(TINY_AUDIOLDM2, "tokenizer"))
    waves = {w["name"]: waveform(w) for w in WAVES}
    tensors, index = {}, {"waveforms": WAVES + TAKES, "rows_rule": "sorted({0, 1, T//3, T//2, T-2, T-1})",
                          "extractor": {}, "models": {}, "prompts": PROMPTS}

    for cname, cfg in FE_CONFIGS.items():
        fe = extractor(**cfg)
        cases = {}
        for w in WAVES:
            mel, longer = features(fe, waves[w["name"]])
            key = f"fe.{cname}.{w['name']}"
            tensors[key + ".rows"] = f32(mel[:, rows_of(mel.shape[1]), :])
            tensors[key + ".frame_mean"] = f32(mel.astype(np.float64).mean(axis=2))
            cases[w["name"]] = dict(channels=mel.shape[0], frames=mel.shape[1], is_longer=longer)
        index["extractor"][cname] = dict(cfg, cases=cases)

    gen = torch.Generator("cpu").manual_seed(SEED)
    for mname, fusion, cname in (("unfused", False, "trunc-repeatpad"), ("fused", True, "fusion-repeatpad")):
        torch.manual_seed(SEED + (1 if fusion else 0))
        model = build_clap(fusion, gen)
        fe = extractor(**FE_CONFIGS[cname])
        save_clap_folder(model, fe, os.path.join(OUT_MODELS, mname))
        model = ClapModel.from_pretrained(os.path.join(OUT_MODELS, mname)).eval()  # what the folder holds
        mels, flags = zip(*(features(fe, waves[w["name"]]) for w in WAVES))
        with torch.no_grad():
            x = torch.from_numpy(np.stack(mels))
            longer = torch.tensor([[f] for f in flags])
            pooled = model.audio_model(input_features=x, is_longer=longer).pooler_output
            audio = model.get_audio_features(input_features=x, is_longer=longer)
        text = text_embeds(model, tokenizer, PROMPTS)
        tensors[f"{mname}.pooled"] = f32(pooled)
        tensors[f"{mname}.audio_embeds"] = f32(audio)
        tensors[f"{mname}.text_embeds"] = f32(text)
        tensors[f"{mname}.scores"] = f32(text @ audio.T)
        index["models"][mname] = dict(folder=f"tiny-clap/{mname}", extractor=cname,
                                      is_longer=[bool(f) for f in flags])
        print(mname, "scores\n", (text @ audio.T).numpy())

    # The tiny AudioLDM 2: diffusers' own ranking of five 16 kHz takes of one prompt.
    from diffusers import AudioLDM2Pipeline
    pipe = AudioLDM2Pipeline.from_pretrained(TINY_AUDIOLDM2)
    # score_waveforms takes one [N, samples] tensor, as the pipeline's takes all have one length.
    audio = torch.stack([torch.from_numpy(waveform(t)) for t in TAKES])
    prompt = PROMPTS[0]
    ranked = pipe.score_waveforms(text=[prompt], audio=audio, num_waveforms_per_prompt=len(TAKES),
                                  device="cpu", dtype=torch.float32)
    order = [next(i for i in range(len(TAKES)) if torch.equal(ranked[k], audio[i])) for k in range(len(TAKES))]
    with torch.no_grad():
        inputs = pipe.tokenizer([prompt], return_tensors="pt", padding=True)
        import librosa
        resampled = librosa.resample(audio.numpy(), orig_sr=16000, target_sr=48000)
        feats = pipe.feature_extractor(list(resampled), return_tensors="pt", sampling_rate=48000).input_features
        logits = pipe.text_encoder(**inputs, input_features=feats).logits_per_text
        cos = logits / pipe.text_encoder.logit_scale_t.exp()
    tensors["audioldm2.cosine"] = f32(cos)
    index["audioldm2"] = dict(prompt=prompt, takes=[t["name"] for t in TAKES], order=order)
    print("audioldm2 order", order, "cosine", cos.numpy())

    os.makedirs(OUT_GOLDEN, exist_ok=True)
    save_file(tensors, os.path.join(OUT_GOLDEN, "clap.safetensors"))
    with open(os.path.join(OUT_GOLDEN, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
