"""Reference side of the conditioning benchmark: transformers on torch CPU,
same configs, shapes, thread count and timing rule (median after a warm-up)
as bench_conditioning.cc. usage: bench_torch.py CONFIG_DIR THREADS REPS"""
import json, sys, time
import torch
from transformers import GPT2Config, GPT2Model, T5Config, T5EncoderModel

config_dir, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)


def median_ms(fn):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


with torch.inference_mode():
    t5 = T5EncoderModel(T5Config.from_pretrained(f"{config_dir}/text_encoder_2")).eval()
    ids = torch.tensor([[(100 + 37 * i) % t5.config.vocab_size for i in range(31)] + [1]])
    mask = torch.ones_like(ids)
    ms = median_ms(lambda: t5(input_ids=ids, attention_mask=mask))
    print(json.dumps({"impl": "torch", "bench": "t5_encoder_32", "threads": torch.get_num_threads(), "median_ms": round(ms, 2)}))
    del t5

    cfg = GPT2Config.from_pretrained(f"{config_dir}/language_model")
    gpt2 = GPT2Model(cfg).eval()
    seq = torch.randn(1, 37, cfg.n_embd)
    seq_mask = torch.ones(1, 37, dtype=torch.long)

    def generate():
        # diffusers' generate_language_model: KV cache, feed back the last hidden state.
        embeds, m, past = seq, seq_mask, None
        out = []
        for _ in range(cfg.max_new_tokens):
            o = gpt2(inputs_embeds=embeds if past is None else embeds[:, -1:], attention_mask=m,
                     past_key_values=past, use_cache=True)
            past = o.past_key_values
            nxt = o.last_hidden_state[:, -1:, :]
            out.append(nxt)
            embeds = torch.cat([embeds, nxt], dim=1)
            m = torch.cat([m, torch.ones(1, 1, dtype=m.dtype)], dim=1)
        return torch.cat(out, dim=1)

    ms = median_ms(generate)
    print(json.dumps({"impl": "torch", "bench": "gpt2_generate_8", "threads": torch.get_num_threads(), "median_ms": round(ms, 2)}))
