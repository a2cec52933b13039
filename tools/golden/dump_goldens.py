#!/usr/bin/env python3
"""Dumps golden tensors of diffusers' AudioLDM2Pipeline (CPU, fp32) for the tiny fixture models.

Writes tests/fixtures/golden/<model>/<case>.safetensors, tests/fixtures/golden/<model>/index.json and the
model-independent tests/fixtures/golden/schedulers.safetensors (+ schedulers.json).

The tensors are captured from the pipeline's own code paths (hooks on the tokenizers, text encoders,
projection model, generate_language_model, prepare_latents, unet, scheduler.step, vae.decode and vocoder)
while running pipe.encode_prompt(...) or pipe(...), so they are exactly what diffusers computes.
Integer tensors are int64, floating tensors float32. The unconditional branch has a ".neg" suffix.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, HERE)
import prompts as P  # noqa: E402

MODELS = ["tiny-audioldm2", "tiny-audioldm2-large"]

# Pipeline cases: lengths that are and are not multiples of 0.32 s (latent time 16, 13, 25, 8, 7), both
# schedulers, with/without negative prompt, several seeds, and one run without guidance.
PIPELINE_CASES = [
    dict(name="pipe-plain-ddim10-0.64s", prompt=P.PLAIN, negative_prompt=None, seed=0, steps=10,
         scheduler="ddim", duration_s=0.64, guidance=3.5),
    dict(name="pipe-plain-neg-dpm5-0.5s", prompt=P.PLAIN, negative_prompt=P.NEGATIVE, seed=42, steps=5,
         scheduler="dpmsolver++", duration_s=0.5, guidance=3.5),
    dict(name="pipe-unicode-dpm10-1.0s", prompt=P.UNICODE, negative_prompt=None, seed=123456789, steps=10,
         scheduler="dpmsolver++", duration_s=1.0, guidance=2.5),
    dict(name="pipe-empty-ddim5-0.32s", prompt=P.EMPTY, negative_prompt=None, seed=1, steps=5,
         scheduler="ddim", duration_s=0.32, guidance=3.5),
    dict(name="pipe-long-neg-ddim5-0.29s", prompt=P.LONG, negative_prompt=P.NEGATIVE, seed=2**31 + 5, steps=5,
         scheduler="ddim", duration_s=0.29, guidance=3.5),
    dict(name="pipe-plain-noguidance-ddim5-0.64s", prompt=P.PLAIN, negative_prompt=None, seed=7, steps=5,
         scheduler="ddim", duration_s=0.64, guidance=1.0),
]


def f32(t):
    t = t.detach().cpu()
    if t.dtype in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool):
        return t.to(torch.int64).contiguous().clone()
    return t.to(torch.float32).contiguous().clone()


class Recorder:
    """Installs capture hooks on one pipeline instance; `tensors` fills as the pipeline runs."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.tensors = {}
        self.branch = {"clap_tok": 0, "t5_tok": 0, "clap": 0, "t5": 0, "proj": 0, "gpt2": 0}
        self.step = 0
        self.unet_call = 0
        self._install()

    def _suffix(self, key):
        n = self.branch[key]
        self.branch[key] += 1
        if n > 1:
            raise RuntimeError(f"{key} called more than twice; one prompt at a time")
        return "" if n == 0 else ".neg"

    def put(self, name, t):
        if name in self.tensors:
            raise RuntimeError(f"tensor {name} captured twice")
        self.tensors[name] = f32(t)

    def _install(self):
        pipe, rec = self.pipe, self

        def wrap_tokenizer(tok, key, prefix):
            base = tok.__class__

            def call(self_, *args, **kwargs):
                out = base.__call__(self_, *args, **kwargs)
                if kwargs.get("truncation"):  # the pipeline's real call, not the truncation-warning probe
                    sfx = rec._suffix(key)
                    rec.put(f"{prefix}.input_ids{sfx}", out["input_ids"])
                    rec.put(f"{prefix}.attention_mask{sfx}", out["attention_mask"])
                return out
            tok.__class__ = type("Recording" + base.__name__, (base,), {"__call__": call})

        wrap_tokenizer(pipe.tokenizer, "clap_tok", "clap")
        wrap_tokenizer(pipe.tokenizer_2, "t5_tok", "t5")

        get_text_features = pipe.text_encoder.get_text_features

        def clap_features(*args, **kwargs):
            out = get_text_features(*args, **kwargs)
            rec.put(f"clap.text_embeds{rec._suffix('clap')}", out)
            return out
        pipe.text_encoder.get_text_features = clap_features

        def t5_hook(module, args, output):
            rec.put(f"t5.last_hidden_state{rec._suffix('t5')}", output[0])
        pipe.text_encoder_2.register_forward_hook(t5_hook)

        def proj_hook(module, args, output):
            sfx = rec._suffix("proj")
            rec.put(f"projection.hidden_states{sfx}", output.hidden_states)
            rec.put(f"projection.attention_mask{sfx}", output.attention_mask)
        pipe.projection_model.register_forward_hook(proj_hook)

        generate = pipe.generate_language_model

        def gen_lm(*args, **kwargs):
            out = generate(*args, **kwargs)
            rec.put(f"gpt2.generated{rec._suffix('gpt2')}", out)
            return out
        pipe.generate_language_model = gen_lm

        prepare_latents = pipe.prepare_latents

        def prep(*args, **kwargs):
            out = prepare_latents(*args, **kwargs)
            rec.put("latents.initial", out)
            return out
        pipe.prepare_latents = prep

        def unet_hook(module, args, kwargs, output):
            i = rec.unet_call
            rec.unet_call += 1
            sample = args[0] if args else kwargs["sample"]
            timestep = args[1] if len(args) > 1 else kwargs["timestep"]
            if i == 0:
                rec.put("unet.encoder_hidden_states", kwargs["encoder_hidden_states"])
                rec.put("unet.encoder_hidden_states_1", kwargs["encoder_hidden_states_1"])
                rec.put("unet.encoder_attention_mask_1", kwargs["encoder_attention_mask_1"])
                rec.put("unet.input.0", sample)
                rec.put("unet.timestep.0", torch.as_tensor(timestep).reshape(1))
                rec.put("unet.output.0", output[0] if isinstance(output, tuple) else output.sample)
        pipe.unet.register_forward_hook(unet_hook, with_kwargs=True)

        def vae_decode_wrapper(decode):
            def vae_decode(z, *args, **kwargs):
                out = decode(z, *args, **kwargs)
                rec.put("vae.input", z)
                rec.put("vae.mel", out.sample)
                return out
            return vae_decode
        pipe.vae.decode = vae_decode_wrapper(pipe.vae.decode)

        def voc_hook(module, args, output):
            rec.put("vocoder.input", args[0])
            rec.put("vocoder.waveform", output)
        pipe.vocoder.register_forward_hook(voc_hook)

    def wrap_scheduler(self, scheduler):
        """scheduler.step receives the guided noise prediction: that is unet.noise_pred.<i>."""
        step, rec = scheduler.step, self

        def recording_step(model_output, timestep, sample, *args, **kwargs):
            i = rec.step
            rec.step += 1
            out = step(model_output, timestep, sample, *args, **kwargs)
            if i == 0:
                rec.put("unet.noise_pred.0", model_output)
            rec.put(f"scheduler.step.{i}.timestep", torch.as_tensor(timestep).reshape(1))
            rec.put(f"scheduler.step.{i}.model_output", model_output)
            rec.put(f"scheduler.step.{i}.prev_sample", out.prev_sample if hasattr(out, "prev_sample") else out[0])
            return out
        scheduler.step = recording_step


def load(model_dir):
    from diffusers import AudioLDM2Pipeline
    pipe = AudioLDM2Pipeline.from_pretrained(model_dir)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def make_scheduler(pipe, kind):
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler
    if kind == "ddim":
        return DDIMScheduler.from_config(pipe.scheduler.config)
    if kind == "dpmsolver++":
        return DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)
    raise ValueError(kind)


def conditioning_case(model_dir, name, prompt, negative_prompt):
    pipe = load(model_dir)
    rec = Recorder(pipe)
    with torch.no_grad():
        pipe.encode_prompt(prompt, device=torch.device("cpu"), num_waveforms_per_prompt=1,
                           do_classifier_free_guidance=True, negative_prompt=negative_prompt)
    meta = dict(name=name, kind="conditioning", prompt=prompt, negative_prompt=negative_prompt)
    return meta, rec.tensors


def pipeline_case(model_dir, case):
    pipe = load(model_dir)
    pipe.scheduler = make_scheduler(pipe, case["scheduler"])
    rec = Recorder(pipe)
    rec.wrap_scheduler(pipe.scheduler)
    gen = torch.Generator("cpu").manual_seed(case["seed"])
    with torch.no_grad():
        audio = pipe(case["prompt"], negative_prompt=case["negative_prompt"], num_inference_steps=case["steps"],
                     guidance_scale=case["guidance"], audio_length_in_s=case["duration_s"], generator=gen,
                     output_type="pt").audios
    rec.put("scheduler.timesteps", pipe.scheduler.timesteps)
    rec.put("latents.final", rec.tensors[f"scheduler.step.{case['steps'] - 1}.prev_sample"])
    rec.put("waveform", audio)
    meta = dict(case, kind="pipeline")
    meta["mel_frames"] = int(rec.tensors["vae.mel"].shape[2])
    meta["latent_frames"] = int(rec.tensors["latents.initial"].shape[2])
    meta["waveform_samples"] = int(audio.shape[-1])
    return meta, rec.tensors


def scheduler_goldens(model_dir, out_dir):
    """Timestep lists and whole synthetic trajectories (fixed random eps, no UNet) for both schedulers."""
    pipe = load(model_dir)
    tensors, meta = {}, {"config": dict(pipe.scheduler.config), "entries": []}
    ddim = make_scheduler(pipe, "ddim")
    tensors["scheduler.ddim.alphas_cumprod"] = f32(ddim.alphas_cumprod)
    for kind, steps_list in (("ddim", [200, 50, 25, 10, 5]), ("dpmsolver++", [20, 25, 10, 5])):
        tag = "ddim" if kind == "ddim" else "dpm"
        for steps in steps_list:
            s = make_scheduler(pipe, kind)
            s.set_timesteps(steps)
            name = f"scheduler.{tag}.timesteps" + ("" if steps in (200, 20) else f".{steps}")
            tensors[name] = f32(s.timesteps)
            if tag == "dpm":
                tensors[f"scheduler.dpm.sigmas.{steps}"] = f32(s.sigmas)
            meta["entries"].append({"name": name, "scheduler": kind, "steps": steps})
        # A synthetic trajectory: x0 ~ randn, eps_i = randn (seeded), x_{i+1} = step(eps_i, t_i, x_i).
        steps = 20 if tag == "dpm" else 50
        s = make_scheduler(pipe, kind)
        s.set_timesteps(steps)
        g = torch.Generator("cpu").manual_seed(5)
        x = torch.randn((1, 8, 2, 4), generator=g)
        tensors[f"scheduler.{tag}.synthetic.sample.0"] = f32(x)
        for i, t in enumerate(s.timesteps):
            eps = torch.randn(x.shape, generator=g)
            tensors[f"scheduler.{tag}.synthetic.model_output.{i}"] = f32(eps)
            x = s.step(eps, t, x).prev_sample
            tensors[f"scheduler.{tag}.synthetic.prev_sample.{i}"] = f32(x)
        meta["entries"].append({"name": f"scheduler.{tag}.synthetic", "scheduler": kind, "steps": steps,
                                "sample_shape": [1, 8, 2, 4]})
    save_file(tensors, os.path.join(out_dir, "schedulers.safetensors"))
    with open(os.path.join(out_dir, "schedulers.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False, default=str)
        f.write("\n")


def write_case(out_dir, meta, tensors, cases):
    path = os.path.join(out_dir, meta["name"] + ".safetensors")
    save_file(tensors, path)
    meta = dict(meta, file=os.path.basename(path),
                tensors={k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
                         for k, v in sorted(tensors.items())})
    cases.append(meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stages", choices=["conditioning", "pipeline", "all"], default="all")
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--out", default=os.path.join(FIXTURES, "golden"))
    args = ap.parse_args()
    torch.set_num_threads(1)

    os.makedirs(args.out, exist_ok=True)
    if args.stages in ("pipeline", "all"):
        scheduler_goldens(os.path.join(FIXTURES, MODELS[0]), args.out)

    for model in args.models:
        model_dir = os.path.join(FIXTURES, model)
        out_dir = os.path.join(args.out, model)
        os.makedirs(out_dir, exist_ok=True)
        index_path = os.path.join(out_dir, "index.json")
        keep = []
        if os.path.exists(index_path):  # keep the other stage's cases when regenerating one stage
            with open(index_path, encoding="utf-8") as f:
                keep = [c for c in json.load(f)["cases"]
                        if args.stages != "all" and c["kind"] != args.stages]
        cases = list(keep)
        if args.stages in ("conditioning", "all"):
            for key, prompt in P.CONDITIONING_PROMPTS.items():
                for neg in (None, P.NEGATIVE):
                    name = f"cond-{key}" + ("-neg" if neg is not None else "")
                    meta, tensors = conditioning_case(model_dir, name, prompt, neg)
                    write_case(out_dir, meta, tensors, cases)
        if args.stages in ("pipeline", "all"):
            for case in PIPELINE_CASES:
                meta, tensors = pipeline_case(model_dir, case)
                write_case(out_dir, meta, tensors, cases)
        cases.sort(key=lambda c: (c["kind"] != "conditioning", c["name"]))
        index = {
            "model": model,
            "model_dir": f"tests/fixtures/{model}",
            "generated_by": "tools/golden/dump_goldens.py",
            "versions": versions(),
            "notes": "tensors with suffix .neg are the unconditional branch (negative prompt, or \"\" when "
                     "negative_prompt is null). Pipeline cases use torch.Generator('cpu').manual_seed(seed).",
            "shared": ["../schedulers.safetensors"],
            "cases": cases,
        }
        with open(index_path, "w", encoding="utf-8") as f:
            json.dump(index, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"{model}: {len(cases)} cases")


def versions():
    import diffusers
    import transformers
    import tokenizers
    return {"torch": torch.__version__, "diffusers": diffusers.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "numpy": np.__version__}


if __name__ == "__main__":
    main()
