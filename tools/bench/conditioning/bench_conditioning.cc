// Conditioning benchmark: full-size Flan-T5-large encoder on a
// 32-token prompt and GPT-2's 8-step generation, with random weights built
// here from the official configs. Prints one JSON line per measurement;
// run.sh runs this and the transformers reference side by side.
//
// usage: bench_conditioning CONFIG_DIR THREADS REPS WORK_DIR

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "models/gpt2/gpt2_config.h"
#include "models/t5/t5_config.h"
#include "models/gpt2/gpt2_model.h"
#include "models/t5/t5_encoder.h"
#include "tensor/ops.h"
#include "tensor/safetensors.h"

using namespace foley;
using tensor::Tensor;

namespace {

// Uniform values in [-a, a] from a 64-bit LCG: enough for timing, and fast.
Tensor random_tensor(const tensor::Shape& shape, float a, uint64_t& state) {
  Tensor t = Tensor::empty(shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    p[i] = a * (static_cast<float>(state >> 40) / 8388608.0f - 1.0f);
  }
  return t;
}

std::map<std::string, Tensor> t5_weights(const models::T5Config& c, uint64_t& s) {
  std::map<std::string, Tensor> w;
  const int64_t d = c.d_model, inner = c.inner_dim(), ff = c.d_ff;
  w["shared.weight"] = random_tensor({c.vocab_size, d}, 1.0f, s);
  w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"] =
      random_tensor({c.relative_attention_num_buckets, c.num_heads}, 1.0f, s);
  for (int64_t i = 0; i < c.num_layers; ++i) {
    std::string b = "encoder.block." + std::to_string(i) + ".layer.";
    w[b + "0.layer_norm.weight"] = Tensor::full({d}, 1.0);
    for (const char* n : {"q", "k", "v"}) w[b + "0.SelfAttention." + n + ".weight"] = random_tensor({inner, d}, 0.03f, s);
    w[b + "0.SelfAttention.o.weight"] = random_tensor({d, inner}, 0.03f, s);
    w[b + "1.layer_norm.weight"] = Tensor::full({d}, 1.0);
    w[b + "1.DenseReluDense.wi_0.weight"] = random_tensor({ff, d}, 0.03f, s);
    w[b + "1.DenseReluDense.wi_1.weight"] = random_tensor({ff, d}, 0.03f, s);
    w[b + "1.DenseReluDense.wo.weight"] = random_tensor({d, ff}, 0.03f, s);
  }
  w["encoder.final_layer_norm.weight"] = Tensor::full({d}, 1.0);
  return w;
}

std::map<std::string, Tensor> gpt2_weights(const models::GPT2Config& c, uint64_t& s) {
  std::map<std::string, Tensor> w;
  const int64_t d = c.n_embd, f = c.inner_dim();
  w["wpe.weight"] = random_tensor({c.n_positions, d}, 0.02f, s);
  auto ln = [&](const std::string& n) {
    w[n + ".weight"] = Tensor::full({d}, 1.0);
    w[n + ".bias"] = Tensor::zeros({d});
  };
  for (int64_t i = 0; i < c.n_layer; ++i) {
    std::string h = "h." + std::to_string(i) + ".";
    ln(h + "ln_1");
    ln(h + "ln_2");
    w[h + "attn.c_attn.weight"] = random_tensor({d, 3 * d}, 0.03f, s);
    w[h + "attn.c_attn.bias"] = Tensor::zeros({3 * d});
    w[h + "attn.c_proj.weight"] = random_tensor({d, d}, 0.03f, s);
    w[h + "attn.c_proj.bias"] = Tensor::zeros({d});
    w[h + "mlp.c_fc.weight"] = random_tensor({d, f}, 0.03f, s);
    w[h + "mlp.c_fc.bias"] = Tensor::zeros({f});
    w[h + "mlp.c_proj.weight"] = random_tensor({f, d}, 0.03f, s);
    w[h + "mlp.c_proj.bias"] = Tensor::zeros({d});
  }
  ln("ln_f");
  return w;
}

template <typename F>
double median_ms(int reps, F&& f) {
  f();  // warm-up (page-in of the mapped weights, allocator)
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s CONFIG_DIR THREADS REPS WORK_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path config_dir = argv[1], work = argv[4];
  int threads = std::atoi(argv[2]), reps = std::atoi(argv[3]);
  tensor::set_num_threads(threads);
  uint64_t seed = 42;

  auto t5_config = models::T5Config::load(config_dir / "text_encoder_2/config.json");
  tensor::save_safetensors(work / "t5/model.safetensors", t5_weights(t5_config, seed));
  auto t5 = models::T5Encoder::load(t5_config, tensor::WeightMap::load_dir(work / "t5"));
  std::vector<int64_t> ids(32);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(100 + 37 * i) % t5_config.vocab_size;
  ids.back() = 1;
  Tensor input_ids = Tensor::from_vector(ids, {1, 32});
  Tensor mask = Tensor::full({1, 32}, 1.0, tensor::DType::kI64);
  double t5_ms = median_ms(reps, [&] { t5.forward(input_ids, mask); });
  std::printf("{\"impl\": \"foley\", \"bench\": \"t5_encoder_32\", \"threads\": %d, \"median_ms\": %.2f}\n",
              tensor::num_threads(), t5_ms);

  auto gpt2_config = models::GPT2Config::load(config_dir / "language_model/config.json");
  tensor::save_safetensors(work / "gpt2/model.safetensors", gpt2_weights(gpt2_config, seed));
  auto gpt2 = models::GPT2Model::load(gpt2_config, tensor::WeightMap::load_dir(work / "gpt2"));
  // The GPT-2 input of a 32-token T5 prompt: 3 CLAP + 32 + 2 T5 slots.
  Tensor seq = random_tensor({1, 37, gpt2_config.n_embd}, 1.0f, seed);
  Tensor seq_mask = Tensor::full({1, 37}, 1.0, tensor::DType::kI64);
  double gpt2_ms = median_ms(reps, [&] { gpt2.generate(seq, seq_mask, gpt2_config.max_new_tokens); });
  std::printf("{\"impl\": \"foley\", \"bench\": \"gpt2_generate_8\", \"threads\": %d, \"median_ms\": %.2f}\n",
              tensor::num_threads(), gpt2_ms);
  return 0;
}
