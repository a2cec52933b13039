"""Reference side of the CLAP benchmark: diffusers' score_waveforms path for one take on torch CPU (librosa soxr
resampling to 48 kHz, ClapFeatureExtractor, tokenizer, ClapModel text and audio features, cosine), same weights,
file, thread count and timing rule (median wall and CPU time after a warm-up) as bench_clap.cc.
usage: bench_torch.py MODEL_DIR TAKE_FILE THREADS REPS"""
import json, os, sys, time
import librosa
import soundfile
import torch
from transformers import ClapFeatureExtractor, ClapModel, RobertaTokenizerFast

model_dir, take, threads, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
t0 = time.perf_counter()
model = ClapModel.from_pretrained(os.path.join(model_dir, "text_encoder")).eval()
tokenizer = RobertaTokenizerFast.from_pretrained(os.path.join(model_dir, "tokenizer"))
fe = ClapFeatureExtractor.from_pretrained(os.path.join(model_dir, "feature_extractor"))
load_ms = (time.perf_counter() - t0) * 1e3
prompt = "a dog barking in the rain"


def score():
    audio, rate = soundfile.read(take, dtype="float32")
    audio = librosa.resample(audio[None], orig_sr=rate, target_sr=fe.sampling_rate)
    with torch.inference_mode():
        inputs = tokenizer([prompt], return_tensors="pt", padding=True)
        feats = fe(list(audio), return_tensors="pt", sampling_rate=fe.sampling_rate).input_features
        text = model.get_text_features(**inputs)
        audio_embeds = model.get_audio_features(input_features=feats)
        return float((text @ audio_embeds.T)[0, 0])


s = score()
ts, cpu = [], []
for _ in range(reps):
    t0, c0 = time.perf_counter(), time.process_time()
    s = score()
    ts.append((time.perf_counter() - t0) * 1e3)
    cpu.append((time.process_time() - c0) * 1e3)
ts.sort()
cpu.sort()
print(json.dumps({"impl": "torch", "bench": "clap_score_10s", "threads": torch.get_num_threads(),
                  "isa": torch.backends.cpu.get_cpu_capability(), "median_ms": round(ts[len(ts) // 2], 1), "median_cpu_ms": round(cpu[len(cpu) // 2], 1),
                  "load_ms": round(load_ms), "score": round(s, 6)}))
