#!/usr/bin/env python3
"""Reference side of the GPU benchmark: diffusers' AudioLDM 2 generation half in PyTorch.

usage: bench_diffusers.py --model DIR --variant fp16-sdpa|fp16-compile [--device cuda] [--reps 3]
                          [--stages unet,vae,vocoder,e2e,batch,flops,long] [--batch 8] [--duration 10.24]
                          [--long-duration 150] [--ddim-steps 200] [--dpm-steps 20] [--dry-run]

MODEL is a folder with unet/, vae/, vocoder/ and scheduler/ (tools/bench/generation/bench_torch.py make-weights
builds the full-size random ones from tests/fixtures/configs/audioldm2{,-large}). Text conditioning is given
(random GPT-2 vectors and T5 states of a 32-token prompt), exactly as on the foley side (bench_foley_gpu.cc).

Variants: fp16-sdpa = the models in float16 with PyTorch's scaled-dot-product attention (diffusers' default
AttnProcessor2_0); fp16-compile = the same plus torch.compile(unet, mode="reduce-overhead") (CUDA graphs).

Measurements (one JSON line each; GPU times with torch.cuda.synchronize() around them, median of REPS after a
warm-up): unet_step (one guided step: batch-2 UNet call + guidance + scheduler update), vae_decode, vocoder,
e2e_ddim200 / e2e_dpm20 (initial noise to waveform), batch8_dpm20 (8 cues in one batch of 16 UNet rows) against
seq8_dpm20 (the same 8 one after another), and unet_flops (FLOPs of one batch-2 UNet call, counted by
torch.utils.flop_counter, for the TFLOP/s figure); long150_unet_step / _vae_decode / _vocoder: one guided step,
the VAE decode and the vocoder at 150 s, the peak memory counted from just before them (reset_peak_memory_stats).

--dry-run checks everything but the speed: CPU, float32, no torch.compile, 2 steps, 1 rep, the model given (use
the tiny fixture), so argument parsing, model building and every code path run on a machine without a GPU.
"""
import argparse
import json
import sys
import time

import torch

T5_TOKENS, GPT2_VECTORS = 32, 8


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="diffusers side of tools/bench/gpu_vs_diffusers")
    p.add_argument("--model", required=True)
    p.add_argument("--variant", choices=["fp16-sdpa", "fp16-compile"], default="fp16-sdpa")
    p.add_argument("--device", default="cuda")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--stages", default="unet,vae,vocoder,e2e,batch,flops,long")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--duration", type=float, default=10.24)
    p.add_argument("--long-duration", type=float, default=150.0)
    p.add_argument("--ddim-steps", type=int, default=200)
    p.add_argument("--dpm-steps", type=int, default=20)
    p.add_argument("--guidance", type=float, default=3.5)
    p.add_argument("--dry-run", action="store_true")
    a = p.parse_args(argv)
    if a.dry_run:
        a.device, a.reps, a.ddim_steps, a.dpm_steps = "cpu", 1, 2, 2
    elif not torch.cuda.is_available():
        p.error("no CUDA device: this benchmark needs a GPU (use --dry-run to check it without one)")
    return a


class Models:
    """unet/vae/vocoder/schedulers of MODEL on the device, in the variant's dtype."""

    def __init__(self, a):
        from diffusers import AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler
        from diffusers.pipelines.audioldm2.modeling_audioldm2 import AudioLDM2UNet2DConditionModel
        from transformers import SpeechT5HifiGan

        self.device = torch.device(a.device)
        self.dtype = torch.float32 if a.dry_run else torch.float16
        load = dict(torch_dtype=self.dtype)
        self.unet = AudioLDM2UNet2DConditionModel.from_pretrained(f"{a.model}/unet", **load).to(self.device).eval()
        self.vae = AutoencoderKL.from_pretrained(f"{a.model}/vae", **load).to(self.device).eval()
        self.vocoder = SpeechT5HifiGan.from_pretrained(f"{a.model}/vocoder", **load).to(self.device).eval()
        self.ddim = DDIMScheduler.from_pretrained(f"{a.model}/scheduler")
        self.dpm = DPMSolverMultistepScheduler.from_pretrained(f"{a.model}/scheduler")
        if a.variant == "fp16-compile" and not a.dry_run:
            self.unet = torch.compile(self.unet, mode="reduce-overhead", fullgraph=True)
        cross = self.unet.config.cross_attention_dim[0]
        vae_factor = 2 ** (len(self.vae.config.block_out_channels) - 1)
        hop = 1
        for r in self.vocoder.config.upsample_rates:
            hop *= r

        def latent_shape(seconds):
            mel_frames = int(seconds * self.vocoder.config.sampling_rate / hop)
            mel_frames = -(-mel_frames // vae_factor) * vae_factor
            return (self.unet.config.in_channels, mel_frames // vae_factor,
                    self.vocoder.config.model_in_dim // vae_factor)
        self.latent_shape = latent_shape(a.duration)
        self.long_latent_shape = latent_shape(a.long_duration)
        g = torch.Generator("cpu").manual_seed(0)
        self.ehs = torch.randn(2, GPT2_VECTORS, cross[1], generator=g).to(self.device, self.dtype)
        self.ehs1 = torch.randn(2, T5_TOKENS, cross[2], generator=g).to(self.device, self.dtype)
        self.mask1 = torch.ones(2, T5_TOKENS, dtype=torch.long, device=self.device)

    def unet_call(self, x, t, rows=2):
        reps = rows // 2
        return self.unet(x, t, encoder_hidden_states=self.ehs.repeat(reps, 1, 1),
                         encoder_hidden_states_1=self.ehs1.repeat(reps, 1, 1),
                         encoder_attention_mask_1=self.mask1.repeat(reps, 1), return_dict=False)[0]

    def noise(self, n, seed=0):
        lat = torch.randn((n,) + self.latent_shape, generator=torch.Generator("cpu").manual_seed(seed))
        return lat.to(self.device, self.dtype)

    def denoise(self, sched, steps, lat, guidance):
        sched.set_timesteps(steps)
        lat = lat * sched.init_noise_sigma
        n = lat.shape[0]
        for t in sched.timesteps:
            eps = self.unet_call(torch.cat([lat, lat]), t, rows=2 * n)
            uncond, cond = eps.chunk(2)
            lat = sched.step(uncond + guidance * (cond - uncond), t, lat).prev_sample
        return lat

    def decode(self, lat):
        mel = self.vae.decode(lat / self.vae.config.scaling_factor).sample
        return self.vocoder(mel.squeeze(1))


def timing(fn, reps, device):
    """Median wall ms of REPS runs after one warm-up, the device synchronised around each."""
    def once():
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1e3
    fn()
    runs = sorted(once() for _ in range(reps))
    return runs[len(runs) // 2]


def main(argv=None):
    a = parse_args(argv)
    stages = set(a.stages.split(","))
    m = Models(a)
    dev = m.device

    def emit(bench, ms=None, **extra):
        row = {"impl": "diffusers", "variant": a.variant, "bench": bench, "device": str(dev),
               "dtype": str(m.dtype).replace("torch.", ""), "dry_run": a.dry_run}
        if ms is not None:
            row["median_ms"] = round(ms, 3)
        row.update(extra)
        if dev.type == "cuda":
            row["peak_mem_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
            row["gpu"] = torch.cuda.get_device_name()
        print(json.dumps(row), flush=True)

    with torch.inference_mode():
        lat1 = m.noise(1)
        if "unet" in stages:
            x2 = torch.cat([lat1, lat1])
            sched = m.dpm
            sched.set_timesteps(a.dpm_steps)
            t = sched.timesteps[0]

            def step():
                eps = m.unet_call(x2, t)
                u, c = eps.chunk(2)
                return u + a.guidance * (c - u)
            emit("unet_step", timing(step, a.reps, dev))
        if "vae" in stages:
            emit("vae_decode", timing(lambda: m.vae.decode(lat1 / m.vae.config.scaling_factor), a.reps, dev))
        if "vocoder" in stages:
            mel = m.vae.decode(lat1 / m.vae.config.scaling_factor).sample
            emit("vocoder", timing(lambda: m.vocoder(mel.squeeze(1)), a.reps, dev))
        if "e2e" in stages:
            emit(f"e2e_ddim{a.ddim_steps}",
                 timing(lambda: m.decode(m.denoise(m.ddim, a.ddim_steps, m.noise(1), a.guidance)), a.reps, dev))
            emit(f"e2e_dpm{a.dpm_steps}",
                 timing(lambda: m.decode(m.denoise(m.dpm, a.dpm_steps, m.noise(1), a.guidance)), a.reps, dev))
        if "batch" in stages:
            n = a.batch

            def batched():
                lat = m.denoise(m.dpm, a.dpm_steps, m.noise(n), a.guidance)
                return [m.decode(lat[i:i + 1]) for i in range(n)]

            def sequential():
                return [m.decode(m.denoise(m.dpm, a.dpm_steps, m.noise(1, seed=i), a.guidance)) for i in range(n)]
            emit(f"batch{n}_dpm{a.dpm_steps}", timing(batched, a.reps, dev), cues=n)
            emit(f"seq{n}_dpm{a.dpm_steps}", timing(sequential, a.reps, dev), cues=n)
        if "flops" in stages:
            from torch.utils.flop_counter import FlopCounterMode
            x2 = torch.cat([lat1, lat1])
            counter = FlopCounterMode(display=False)
            with counter:
                m.unet_call(x2, torch.tensor(981, device=dev))
            emit("unet_flops", flops=counter.get_total_flops())
        if "long" in stages:
            tag = f"long{int(a.long_duration)}"
            lat = torch.randn((1,) + m.long_latent_shape, generator=torch.Generator("cpu").manual_seed(1))
            lat = lat.to(dev, m.dtype)
            if dev.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
            x2 = torch.cat([lat, lat])

            def long_step():
                eps = m.unet_call(x2, torch.tensor(981, device=dev))
                u, c = eps.chunk(2)
                return u + a.guidance * (c - u)
            reps = min(a.reps, 1)
            emit(f"{tag}_unet_step", timing(long_step, reps, dev), seconds=a.long_duration)
            emit(f"{tag}_vae_decode", timing(lambda: m.vae.decode(lat / m.vae.config.scaling_factor), reps, dev),
                 seconds=a.long_duration)
            mel = m.vae.decode(lat / m.vae.config.scaling_factor).sample
            emit(f"{tag}_vocoder", timing(lambda: m.vocoder(mel.squeeze(1)), reps, dev), seconds=a.long_duration)


if __name__ == "__main__":
    sys.exit(main())
