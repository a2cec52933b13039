"""Reference side of the generation benchmark: diffusers/transformers on torch CPU.

usage: bench_torch.py make-weights CONFIG_DIR MODEL_DIR
       bench_torch.py bench MODEL_DIR THREADS REPS [STAGES] [TINY_MODEL_DIR]

make-weights builds full-size random-weight unet/, vae/ and vocoder/ from the official configs (seeded, fan-in scaled
so activations stay O(1) and no stage runs on denormals) and saves them in the diffusers folder layout with
safetensors, plus scheduler/. Both sides of the benchmark load these same files.

bench times, with the same shapes and rule as bench_generation.cc (median of REPS after one warm-up): one UNet call
at batch 2 (as under guidance), VAE decode of a 10.24 s latent, the vocoder on its mel, and the generation half of
AudioLDM2Pipeline end to end (DPM-Solver++ 20 steps, guidance 3.5, VAE, vocoder) with given text conditioning.
STAGES is a comma list of unet,vae,vocoder,e2e,tiny,unet-profile (default the first four); unet-profile prints one UNet
call's time by op family (torch.profiler), as bench_generation's stage of that name does for foley. tiny runs AudioLDM2Pipeline end to
end, text to waveform, on TINY_MODEL_DIR (10.24 s, DPM-Solver++ 20 steps, guidance 3.5), as bench_generation's tiny
stage does: the first call, then the median. One JSON line per measurement.
"""
import json
import os
import shutil
import sys
import time

import torch

LATENT_FRAMES, LATENT_BINS = 256, 16  # 10.24 s: 1024 mel frames / 4, 64 bins / 4
T5_TOKENS = 32                        # T5 states of a 32-token prompt
GPT2_VECTORS = 8                      # max_new_tokens of the language model


def make_weights(config_dir, model_dir):
    from diffusers import AutoencoderKL
    from diffusers.pipelines.audioldm2.modeling_audioldm2 import AudioLDM2UNet2DConditionModel
    from transformers import SpeechT5HifiGan, SpeechT5HifiGanConfig

    torch.manual_seed(0)
    gen = torch.Generator("cpu").manual_seed(1)

    def fan_in_scale(module):
        with torch.no_grad():
            for name, p in module.named_parameters():
                if p.dim() >= 2:
                    p.copy_(torch.randn(p.shape, generator=gen) / p[0].numel() ** 0.5)

    unet = AudioLDM2UNet2DConditionModel.from_config(
        AudioLDM2UNet2DConditionModel.load_config(f"{config_dir}/unet"))
    unet.save_pretrained(f"{model_dir}/unet", safe_serialization=True)
    del unet
    vae = AutoencoderKL.from_config(AutoencoderKL.load_config(f"{config_dir}/vae"))
    vae.save_pretrained(f"{model_dir}/vae", safe_serialization=True)
    del vae
    vocoder = SpeechT5HifiGan(SpeechT5HifiGanConfig.from_pretrained(f"{config_dir}/vocoder"))
    fan_in_scale(vocoder)  # the default N(0, 0.01) init decays the waveform into denormals
    vocoder.save_pretrained(f"{model_dir}/vocoder", safe_serialization=True)
    shutil.copytree(f"{config_dir}/scheduler", f"{model_dir}/scheduler", dirs_exist_ok=True)
    shutil.copy(f"{config_dir}/model_index.json", f"{model_dir}/model_index.json")


def time_once(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3


def median_timing(fn, reps):
    """(wall ms, process CPU ms) of the median run by wall time, after one warm-up."""
    fn()
    runs = sorted(time_once(fn) for _ in range(reps))
    return runs[len(runs) // 2]


def emit(name, timing):
    print(json.dumps({"impl": "torch", "bench": name, "threads": torch.get_num_threads(),
                      "median_ms": round(timing[0], 1), "cpu_ms": round(timing[1], 1)}), flush=True)


def bench_tiny(tiny_dir, reps):
    from diffusers import AudioLDM2Pipeline, DPMSolverMultistepScheduler

    pipe = AudioLDM2Pipeline.from_pretrained(tiny_dir)
    pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)

    def generate():
        return pipe("footsteps on a gravel path", num_inference_steps=20, audio_length_in_s=10.24,
                    guidance_scale=3.5, generator=torch.Generator("cpu").manual_seed(0)).audios

    with torch.inference_mode():
        emit("tiny_e2e_dpm20_first_call", time_once(generate))
        emit("tiny_e2e_dpm20", median_timing(generate, reps))


# bench_generation.cc's op families, for the aten ops a UNet call runs (by self time: each op's own time, not its
# callees'; GEMMs inside aten::addmm / aten::bmm, convolutions inside aten::mkldnn_convolution, attention inside the
# SDPA kernel).
def op_family(name):
    name = name.removeprefix("aten::")
    if name in ("addmm", "mm", "bmm", "baddbmm", "matmul", "linear"):
        return "GEMM (linear)"
    if "conv" in name:
        return "convolution"
    if "attention" in name or "softmax" in name:
        return "attention"
    if "norm" in name:
        return "norms"
    if name in ("copy_", "cat", "clone", "contiguous", "narrow", "slice", "index_select", "constant_pad_nd",
                "permute", "transpose", "view", "reshape", "_unsafe_view", "as_strided", "expand", "empty",
                "empty_like", "t", "unsqueeze", "squeeze", "chunk", "split", "to", "_to_copy", "detach", "select",
                "flatten", "resolve_conj", "resolve_neg", "zeros", "fill_", "arange", "full", "lift_fresh",
                "empty_strided"):
        return "copies"
    return "elementwise"


def profile_unet(call, reps):
    """One UNet call's time by op family (torch.profiler, self CPU time of the calling thread), REPS calls."""
    from torch.profiler import ProfilerActivity, profile
    t0 = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(reps):
            call()
    wall_ms = (time.perf_counter() - t0) * 1e3 / reps
    families = {}
    for e in prof.key_averages():
        fam = op_family(e.key)
        families[fam] = families.get(fam, 0.0) + e.self_cpu_time_total / 1e3 / reps
    for fam, ms in sorted(families.items()):
        print(json.dumps({"impl": "torch", "bench": "unet_profile", "family": fam, "ms_per_call": round(ms, 1)}),
              flush=True)
    print(json.dumps({"impl": "torch", "bench": "unet_profile", "family": "call (wall)",
                      "ms_per_call": round(wall_ms, 1)}), flush=True)


def bench(model_dir, threads, reps, stages, tiny_dir=None):
    from diffusers import AutoencoderKL, DPMSolverMultistepScheduler
    from diffusers.pipelines.audioldm2.modeling_audioldm2 import AudioLDM2UNet2DConditionModel
    from transformers import SpeechT5HifiGan

    torch.set_num_threads(threads)
    # Which instruction sets this side ran (run.sh caps them with FOLEY_CPU_ISA): ATen's kernels as dispatched,
    # MKL's and oneDNN's caps as set (neither reports what it picked).
    print(json.dumps({"impl": "torch", "bench": "isa", "kernels": torch.backends.cpu.get_cpu_capability(),
                      "mkl": os.environ.get("MKL_ENABLE_INSTRUCTIONS", "(default)"),
                      "onednn": os.environ.get("ONEDNN_MAX_CPU_ISA", "(default)")}), flush=True)
    if "tiny" in stages:
        if tiny_dir is None:
            sys.exit("stage tiny needs TINY_MODEL_DIR")
        bench_tiny(tiny_dir, reps)
        if not {"unet", "unet-profile", "vae", "vocoder", "e2e"} & set(stages):
            return
    unet = AudioLDM2UNet2DConditionModel.from_pretrained(f"{model_dir}/unet").eval()
    vae = AutoencoderKL.from_pretrained(f"{model_dir}/vae").eval()
    vocoder = SpeechT5HifiGan.from_pretrained(f"{model_dir}/vocoder").eval()
    g = torch.Generator("cpu").manual_seed(0)
    cross = unet.config.cross_attention_dim[0]
    gpt2_dim, t5_dim = cross[1], cross[2]
    ehs = torch.randn(2, GPT2_VECTORS, gpt2_dim, generator=g)
    ehs1 = torch.randn(2, T5_TOKENS, t5_dim, generator=g)
    mask1 = torch.ones(2, T5_TOKENS, dtype=torch.long)
    latents = torch.randn(1, unet.config.in_channels, LATENT_FRAMES, LATENT_BINS, generator=g)

    def unet_call(x, t):
        return unet(x, t, encoder_hidden_states=ehs, encoder_hidden_states_1=ehs1,
                    encoder_attention_mask_1=mask1, return_dict=False)[0]

    def vae_decode(z):
        return vae.decode(z / vae.config.scaling_factor).sample

    def vocode(mel):
        return vocoder(mel.squeeze(1))

    with torch.inference_mode():
        if "unet-profile" in stages:
            x2 = torch.cat([latents, latents])
            unet_call(x2, 981)
            profile_unet(lambda: unet_call(x2, 981), reps)
        if "unet" in stages:
            x2 = torch.cat([latents, latents])
            emit("unet_call_b2", median_timing(lambda: unet_call(x2, 981), reps))
        if "vae" in stages:
            emit("vae_decode", median_timing(lambda: vae_decode(latents), reps))
        if "vocoder" in stages:
            mel = vae_decode(latents)
            emit("vocoder", median_timing(lambda: vocode(mel), reps))
        if "e2e" in stages:
            def generate():
                sched = DPMSolverMultistepScheduler.from_pretrained(f"{model_dir}/scheduler")
                sched.set_timesteps(20)
                lat = torch.randn(latents.shape, generator=torch.Generator("cpu").manual_seed(0))
                lat = lat * sched.init_noise_sigma
                for t in sched.timesteps:
                    eps = unet_call(torch.cat([lat, lat]), t)
                    uncond, cond = eps.chunk(2)
                    eps = uncond + 3.5 * (cond - uncond)
                    lat = sched.step(eps, t, lat).prev_sample
                return vocode(vae_decode(lat))
            # End to end is a minute per run on 2 cores: one run after the warm-up of the stages above.
            emit("e2e_dpm20", time_once(generate))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "make-weights":
        make_weights(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "bench":
        stages = sys.argv[5].split(",") if len(sys.argv) > 5 else ["unet", "vae", "vocoder", "e2e"]
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), stages, sys.argv[6] if len(sys.argv) > 6 else None)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
