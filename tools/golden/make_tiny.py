#!/usr/bin/env python3
"""Builds the tiny random-weight AudioLDM 2 pipelines used by the C++ tests.

Outputs (official diffusers folder layout, safetensors weights):
  tests/fixtures/tiny-audioldm2/        base/music UNet layout: cross_attention_dim [[None, gpt2, t5]] x 4, 1 layer
  tests/fixtures/tiny-audioldm2-large/  large UNet layout: [[None, gpt2, t5, None]] x 4, 2 layers per transformer

Every component is the real class with the real structure (from official.py) at small sizes. Tokenizers are
trained offline on corpus.txt: a byte-level BPE (RoBERTa specials) and a SentencePiece unigram (T5 specials).
Everything is seeded: running this twice gives byte-identical weight files.
"""
import argparse
import copy
import json
import os
import shutil
import sys
import tempfile

import torch

import official

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")

BPE_VOCAB = 1000      # including the 5 RoBERTa specials
SPM_VOCAB = 1000      # sentencepiece pieces; T5TokenizerFast adds 100 <extra_id_*>
T5_MODEL_VOCAB = 1128  # like flan-t5 (32000 + 100 extra ids, padded to 32128)

# Sizes. Dimensions differ between components on purpose, so that a C++ bug that mixes up two
# streams fails on a shape instead of passing silently.
CLAP_HIDDEN = 24
CLAP_PROJ = 16
T5_DIM = 32
GPT2_DIM = 40


def train_bpe(corpus, out_dir):
    """Byte-level BPE with RoBERTa specials; writes vocab.json + merges.txt (+ tokenizer.json etc.)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizerFast

    bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    # <mask> is appended last, like roberta's vocab.json (50264), after training.
    bpe.train([corpus], vocab_size=BPE_VOCAB - 1, min_frequency=2,
              special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False)
    raw = tempfile.mkdtemp()
    bpe.save_model(raw)
    with open(os.path.join(raw, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    assert vocab["<s>"] == 0 and vocab["<pad>"] == 1 and vocab["</s>"] == 2 and vocab["<unk>"] == 3
    vocab["<mask>"] = len(vocab)
    with open(os.path.join(raw, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    tok = RobertaTokenizerFast(vocab_file=os.path.join(raw, "vocab.json"),
                               merges_file=os.path.join(raw, "merges.txt"),
                               model_max_length=512, add_prefix_space=False, trim_offsets=True)
    tok.save_pretrained(out_dir)
    shutil.rmtree(raw)
    return tok


def train_spm(corpus, out_dir):
    """SentencePiece unigram with T5 specials (pad=0, eos=1, unk=2, no bos); saved as a T5TokenizerFast."""
    import sentencepiece as spm
    from transformers import T5TokenizerFast

    raw = tempfile.mkdtemp()
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=os.path.join(raw, "spiece"), vocab_size=SPM_VOCAB, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        character_coverage=1.0, num_threads=1, seed_sentencepiece_size=100000, shuffle_input_sentence=False,
        minloglevel=2)
    # The trainer stores its input and output paths in the model; blank them so the file is reproducible.
    from sentencepiece import sentencepiece_model_pb2
    proto = sentencepiece_model_pb2.ModelProto()
    with open(os.path.join(raw, "spiece.model"), "rb") as f:
        proto.ParseFromString(f.read())
    del proto.trainer_spec.input[:]
    proto.trainer_spec.model_prefix = "spiece"
    with open(os.path.join(raw, "spiece.model"), "wb") as f:
        f.write(proto.SerializeToString())
    tok = T5TokenizerFast(vocab_file=os.path.join(raw, "spiece.model"), model_max_length=128, extra_ids=100)
    tok.save_pretrained(out_dir)
    shutil.rmtree(raw)
    return tok


def check_t5_fast_matches_sentencepiece(tok_dir, lines):
    """The pipeline uses T5TokenizerFast; the C++ side uses libsentencepiece + '</s>'. They must agree."""
    import sentencepiece as spm
    from transformers import T5TokenizerFast

    fast = T5TokenizerFast.from_pretrained(tok_dir)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(tok_dir, "spiece.model"))
    bad = []
    for line in lines:
        a = fast(line).input_ids
        b = sp.encode(line) + [1]
        if a != b:
            bad.append((line, a, b))
    return bad


def check_roberta_fast_matches_slow(tok_dir, lines):
    """The pipeline uses RobertaTokenizerFast; the slow (pure Python) one is the readable reference of the
    byte-level BPE rules the C++ port follows. They must agree on every line."""
    from transformers import RobertaTokenizer, RobertaTokenizerFast

    fast = RobertaTokenizerFast.from_pretrained(tok_dir)
    slow = RobertaTokenizer.from_pretrained(tok_dir)
    return [(l, fast(l).input_ids, slow(l).input_ids) for l in lines if fast(l).input_ids != slow(l).input_ids]


def perturb_constants(model, gen):
    """Randomises parameters that the default init leaves constant (zero biases, unit norms, ones-initialised
    SOS/EOS vectors), so that a port that ignores one of them cannot match the goldens by accident."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.numel() > 1 and float(p.std()) > 0:
                continue
            base = float(p.flatten()[0]) if p.numel() else 0.0
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            p.copy_(p + noise * (0.1 if base != 0.0 else 0.05))


def scale_weights(model, gen, std_for):
    """Re-initialises weight matrices/kernels with N(0, std_for(name, p, fan_in)) so tiny activations stay O(1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() < 2 or not name.endswith("weight"):
                continue
            std = std_for(name, p, p[0].numel())
            if std is not None:  # None keeps the default init
                p.copy_(torch.randn(p.shape, generator=gen) * std)


def build_components(unet_layout, seed):
    from diffusers import AutoencoderKL, DDIMScheduler
    from diffusers.pipelines.audioldm2.modeling_audioldm2 import (AudioLDM2ProjectionModel,
                                                                 AudioLDM2UNet2DConditionModel)
    from transformers import (ClapAudioConfig, ClapConfig, ClapModel, ClapTextConfig, GPT2Config, GPT2Model,
                              SpeechT5HifiGan, SpeechT5HifiGanConfig, T5Config, T5EncoderModel)

    def seeded(offset):
        torch.manual_seed(seed + offset)
        return torch.Generator("cpu").manual_seed(seed + 1000 + offset)

    comps = {}

    # CLAP: roberta text branch (+pooler, projection) and a tiny HTSAT audio branch (ranking only).
    gen = seeded(1)
    text = dict(official.CLAP["text_config"])
    text.update(vocab_size=BPE_VOCAB, hidden_size=CLAP_HIDDEN, num_hidden_layers=2, num_attention_heads=4,
                intermediate_size=48, projection_dim=CLAP_PROJ, projection_hidden_size=CLAP_HIDDEN,
                fusion_hidden_size=CLAP_HIDDEN)
    text.pop("model_type")
    audio = dict(official.CLAP["audio_config"])
    audio.update(depths=[1, 1], num_attention_heads=[2, 2], patch_embeds_hidden_size=8, hidden_size=16,
                 projection_dim=CLAP_PROJ, num_hidden_layers=2)
    audio.pop("model_type")
    clap_cfg = ClapConfig.from_text_audio_configs(ClapTextConfig(**text), ClapAudioConfig(**audio),
                                                  projection_dim=CLAP_PROJ,
                                                  logit_scale_init_value=official.CLAP["logit_scale_init_value"])
    clap = ClapModel(clap_cfg)
    # The default N(0, 0.02) init makes the pooled text feature almost independent of the prompt (cosine
    # 0.9997 between two prompts); fan-in scaling makes every token matter.
    scale_weights(clap, gen, lambda n, p, fan: (1.0 if "embeddings" in n else 1.0 / fan ** 0.5)
                  if n.startswith(("text_model.", "text_projection.")) else None)
    perturb_constants(clap, gen)
    comps["text_encoder"] = clap.eval()

    # Flan-T5 encoder: relative-position buckets 32 / max distance 128, gated-gelu.
    gen = seeded(2)
    t5 = dict(official.T5)
    t5.update(vocab_size=T5_MODEL_VOCAB, d_model=T5_DIM, d_kv=8, num_heads=4, d_ff=48, num_layers=2,
              num_decoder_layers=2)
    t5.pop("model_type")
    t5_model = T5EncoderModel(T5Config(**t5))
    perturb_constants(t5_model, gen)
    comps["text_encoder_2"] = t5_model.eval()

    # Projection model with SOS/EOS per stream.
    gen = seeded(3)
    proj = AudioLDM2ProjectionModel(text_encoder_dim=CLAP_PROJ, text_encoder_1_dim=T5_DIM,
                                    langauge_model_dim=GPT2_DIM)
    perturb_constants(proj, gen)
    comps["projection_model"] = proj.eval()

    # GPT-2 (2 layers); the token embedding is never used by the pipeline, so its vocabulary is small.
    gen = seeded(4)
    g = dict(official.GPT2)
    g.update(n_embd=GPT2_DIM, n_layer=2, n_head=4, vocab_size=BPE_VOCAB)
    g.pop("model_type")
    gpt2 = GPT2Model(GPT2Config(**g))
    scale_weights(gpt2, gen, lambda n, p, fan: 0.5 / fan ** 0.5 if "wte" not in n and "wpe" not in n else 0.1)
    perturb_constants(gpt2, gen)
    comps["language_model"] = gpt2.eval()

    # UNet with both cross-attention streams. 8 "heads" everywhere, like diffusers reads the official config.
    gen = seeded(5)
    u = copy.deepcopy(official.UNET_LARGE if unet_layout == "large" else official.UNET)
    for k in ("_class_name", "_diffusers_version"):
        u.pop(k)
    u.update(block_out_channels=[8, 16, 16, 24], norm_num_groups=4, sample_size=32,
             cross_attention_dim=[[None if d is None else {768: GPT2_DIM, 1024: T5_DIM}[d] for d in slot]
                                  for slot in u["cross_attention_dim"]])
    unet = AudioLDM2UNet2DConditionModel(**u)
    perturb_constants(unet, gen)
    comps["unet"] = unet.eval()

    # VAE (KL) with mid-block attention.
    gen = seeded(6)
    v = dict(official.VAE)
    for k in ("_class_name", "_diffusers_version"):
        v.pop(k)
    v.update(block_out_channels=[8, 16, 16], norm_num_groups=4, sample_size=128)
    vae = AutoencoderKL(**v)
    perturb_constants(vae, gen)
    comps["vae"] = vae.eval()

    # HiFi-GAN with the real upsample pattern (x160), smaller channels.
    gen = seeded(7)
    voc = dict(official.VOCODER)
    voc.pop("model_type")
    voc.update(upsample_initial_channel=32)
    vocoder = SpeechT5HifiGan(SpeechT5HifiGanConfig(**voc))
    # The default N(0, 0.01) init makes the waveform ~1e-6; use fan-in scaling so the output is O(0.1).
    scale_weights(vocoder, gen, lambda n, p, fan: 1.0 / fan ** 0.5)
    perturb_constants(vocoder, gen)
    comps["vocoder"] = vocoder.eval()

    s = dict(official.SCHEDULER)
    for k in ("_class_name", "_diffusers_version"):
        s.pop(k)
    comps["scheduler"] = DDIMScheduler(**s)
    return comps


def build_pipeline(unet_layout, tok_dir, seed):
    from diffusers import AudioLDM2Pipeline
    from transformers import ClapFeatureExtractor, RobertaTokenizerFast, T5TokenizerFast

    comps = build_components(unet_layout, seed)
    fe = dict(official.FEATURE_EXTRACTOR)
    fe_args = dict(feature_size=fe["feature_size"], sampling_rate=fe["sampling_rate"], hop_length=fe["hop_length"],
                   max_length_s=fe["max_length_s"], fft_window_size=fe["fft_window_size"],
                   padding_value=fe["padding_value"], return_attention_mask=fe["return_attention_mask"],
                   frequency_min=fe["frequency_min"], frequency_max=fe["frequency_max"], top_db=fe["top_db"],
                   truncation=fe["truncation"], padding=fe["padding"])
    return AudioLDM2Pipeline(
        tokenizer=RobertaTokenizerFast.from_pretrained(os.path.join(tok_dir, "tokenizer")),
        tokenizer_2=T5TokenizerFast.from_pretrained(os.path.join(tok_dir, "tokenizer_2")),
        feature_extractor=ClapFeatureExtractor(**fe_args),
        **comps)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=FIXTURES, help="folder that receives tiny-audioldm2[-large]/")
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args()
    torch.set_num_threads(1)  # determinism of init does not depend on it, but keep runs comparable

    corpus = os.path.join(HERE, "corpus.txt")
    with open(corpus, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]

    tok_dir = tempfile.mkdtemp()
    train_bpe(corpus, os.path.join(tok_dir, "tokenizer"))
    train_spm(corpus, os.path.join(tok_dir, "tokenizer_2"))
    sys.path.insert(0, HERE)
    from prompts import all_prompts
    bad = check_t5_fast_matches_sentencepiece(os.path.join(tok_dir, "tokenizer_2"), lines + all_prompts())
    if bad:
        for line, a, b in bad[:10]:
            print(f"T5 fast/sentencepiece mismatch: {line!r}\n  fast {a}\n  spm  {b}")
        print(f"warning: {len(bad)} lines tokenize differently in T5TokenizerFast and sentencepiece")

    bad = check_roberta_fast_matches_slow(os.path.join(tok_dir, "tokenizer"), lines + all_prompts())
    if bad:
        for line, a, b in bad[:10]:
            print(f"RoBERTa fast/slow mismatch: {line!r}\n  fast {a}\n  slow {b}")
        print(f"warning: {len(bad)} lines tokenize differently in RobertaTokenizerFast and RobertaTokenizer")

    for layout, name in (("base", "tiny-audioldm2"), ("large", "tiny-audioldm2-large")):
        pipe = build_pipeline(layout, tok_dir, args.seed)
        out = os.path.join(args.out, name)
        if os.path.isdir(out):
            shutil.rmtree(out)
        pipe.save_pretrained(out, safe_serialization=True)
        n = {k: sum(p.numel() for p in getattr(pipe, k).parameters())
             for k in ("text_encoder", "text_encoder_2", "projection_model", "language_model", "unet", "vae",
                       "vocoder")}
        print(name, json.dumps(n))
    shutil.rmtree(tok_dir)


if __name__ == "__main__":
    main()
