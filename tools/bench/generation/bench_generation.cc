// Generation benchmark: full-size AudioLDM 2 UNet, VAE decoder and
// HiFi-GAN with the random weights bench_torch.py make-weights saved, timed
// with the same shapes and rule as the torch side (median of REPS after one
// warm-up). Prints one JSON line per measurement; run.sh runs both sides.
//
// usage: bench_generation MODEL_DIR THREADS REPS [STAGES] [TINY_MODEL_DIR]
//   STAGES: comma list of unet,vae,vocoder,e2e,tiny,tiny-ddim,newlen,unet-unshared,unet-profile (default
//   unet,vae,vocoder,e2e); unet-unshared: the UNet call without sharing the guided batch's repeated rows; unet-profile: one UNet call's time by op family (FOLEY_PROFILE_OPS), REPS calls after a warm-up; tiny
//   times the whole text-to-audio pipeline (conditioning included) on TINY_MODEL_DIR, 10.24 s, with
//   DPM-Solver++ 20 steps; tiny-ddim (with tiny) adds the default DDIM 200 steps; newlen times UNet, VAE and vocoder once
//   each at a latent length not met before (10.00 s), twice: what a new cue duration costs a warm server;
//   lengths runs one UNet call and the VAE decode at 24 lengths and prints the resident set size after each.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <time.h>

#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/cpu/isa.h"
#include "tensor/op_profile.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace foley;
using tensor::Tensor;

namespace {

constexpr int64_t kLatentFrames = 256, kLatentBins = 16;  // 10.24 s
constexpr int64_t kT5Tokens = 32, kGpt2Vectors = 8;

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

// Wall and process CPU milliseconds of one run. On a shared machine the wall time swings with the load while the
// CPU time (with OMP_WAIT_POLICY=passive, no spinning) mostly does not: both are reported.
struct Timing {
  double wall_ms, cpu_ms;
};

template <typename F>
Timing time_once(F&& f) {
  const double c0 = cpu_ms();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), cpu_ms() - c0};
}

// Median (by wall time) of `reps` runs after one warm-up (page-in of the mapped weights, primitive and weight
// caches, allocator).
template <typename F>
Timing median_timing(int reps, F&& f) {
  f();
  std::vector<Timing> runs;
  for (int i = 0; i < reps; ++i) runs.push_back(time_once(f));
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.wall_ms < b.wall_ms; });
  return runs[runs.size() / 2];
}

// Resident set size of this process, MB (/proc/self/statm).
long resident_mb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096 / (1 << 20);
}

void emit(const char* bench, const Timing& t) {
  std::printf("{\"impl\": \"foley\", \"bench\": \"%s\", \"threads\": %d, \"median_ms\": %.1f, \"cpu_ms\": %.1f}\n",
              bench, tensor::num_threads(), t.wall_ms, t.cpu_ms);
  std::fflush(stdout);
}

}  // namespace

// bench_torch.py's families for foley's op names (the unet-profile stage).
std::string op_family(const std::string& op) {
  if (op == "linear" || op == "matmul") return "GEMM (linear)";
  if (op.rfind("conv", 0) == 0) return "convolution";
  if (op.rfind("attention", 0) == 0 || op == "softmax") return "attention";
  if (op.find("norm") != std::string::npos) return "norms";
  if (op == "permute" || op == "cat" || op == "narrow" || op == "slice" || op == "index_select" || op == "pad")
    return "copies";
  return "elementwise";
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL_DIR THREADS REPS [unet,vae,vocoder,e2e]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path model_dir = argv[1];
  const int threads = std::atoi(argv[2]), reps = std::atoi(argv[3]);
  const std::string stages = argc > 4 ? argv[4] : "unet,vae,vocoder,e2e";
  auto wants = [&](const std::string& s) { return ("," + stages + ",").find("," + s + ",") != std::string::npos; };
  tensor::set_num_threads(threads);

  try {
    // Which instruction sets this side ran (FOLEY_CPU_ISA caps both): run.sh prints them beside torch's.
    std::printf("{\"impl\": \"foley\", \"bench\": \"isa\", \"kernels\": \"%s\", \"onednn\": \"%s\"}\n",
                std::string(tensor::cpu::isa_name(tensor::cpu::cpu_isa())).c_str(),
                std::string(tensor::cpu::onednn_isa_name()).c_str());
    if (wants("tiny")) {
      if (argc < 6) throw std::runtime_error("stage tiny needs TINY_MODEL_DIR");
      const auto tiny = models::AudioLDM2Pipeline::load(argv[5]);
      models::GenerationParams params;
      params.prompt = "footsteps on a gravel path";
      params.duration_s = 10.24;
      params.scheduler = "dpmsolver++";
      params.steps = 20;
      // The first call separately: it also pays for oneDNN's kernel generation and the first page faults.
      emit("tiny_e2e_dpm20_first_call", time_once([&] { tiny.generate_one({params}); }));
      emit("tiny_e2e_dpm20", median_timing(reps, [&] { tiny.generate_one({params}); }));
      if (wants("tiny-ddim")) {
        params.scheduler = "ddim";
        params.steps = 200;
        emit("tiny_e2e_ddim200", median_timing(reps, [&] { tiny.generate_one({params}); }));
      }
      if (!wants("unet") && !wants("unet-unshared") && !wants("unet-profile") && !wants("vae") && !wants("vocoder") && !wants("newlen") &&
          !wants("lengths") && !wants("e2e"))
        return 0;
    }
    auto pipeline = models::AudioLDM2Pipeline::load(model_dir, {}, models::TextEncoders::kSkip);
    const auto& uc = pipeline.unet().config();
    const int64_t gpt2_dim = *uc.cross_attention_dim[0][1], t5_dim = *uc.cross_attention_dim[0][2];
    tensor::CpuGenerator gen(0);
    models::UNetInputs inputs;
    inputs.encoder_hidden_states = tensor::randn({2, kGpt2Vectors, gpt2_dim}, gen);
    inputs.encoder_hidden_states_1 = tensor::randn({2, kT5Tokens, t5_dim}, gen);
    inputs.encoder_attention_mask_1 = Tensor::full({2, kT5Tokens}, 1.0, tensor::DType::kI64);
    const Tensor latents = tensor::randn({1, uc.in_channels, kLatentFrames, kLatentBins}, gen);
    const Tensor z = tensor::scale(latents, 1.0 / pipeline.vae().config().scaling_factor);

    if (wants("unet")) {
      const Tensor x2 = tensor::cat({latents, latents}, 0);
      emit("unet_call_b2", median_timing(reps, [&] {
             pipeline.unet().forward(x2, 981.0, inputs.encoder_hidden_states, inputs.encoder_hidden_states_1,
                                     inputs.encoder_attention_mask_1);
           }));
    }
    if (wants("unet-unshared")) {
      // The same call with the guided batch's repeated rows run twice (the UNet before it shared them).
      const Tensor x2 = tensor::cat({latents, latents}, 0);
      auto& unet = pipeline.unet();
      unet.set_share_repeated_rows(false);
      emit("unet_call_b2_unshared", median_timing(reps, [&] {
             unet.forward(x2, 981.0, inputs.encoder_hidden_states, inputs.encoder_hidden_states_1,
                          inputs.encoder_attention_mask_1);
           }));
      unet.set_share_repeated_rows(true);
    }
    if (wants("unet-profile")) {
      // Where one UNet call's time goes, by op family (FOLEY_PROFILE_OPS's rows), after a warm-up call; bench_torch.py
      // prints torch's profile of the same call in the same families.
      const Tensor x2 = tensor::cat({latents, latents}, 0);
      const auto call = [&] {
        pipeline.unet().forward(x2, 981.0, inputs.encoder_hidden_states, inputs.encoder_hidden_states_1,
                                inputs.encoder_attention_mask_1);
      };
      call();
      tensor::clear_op_profile();
      // FOLEY_PROFILE_OPS=shapes: also the per-shape table of these calls, on stderr.
      const char* env = std::getenv("FOLEY_PROFILE_OPS");
      const bool shapes = env && std::string(env) == "shapes";
      tensor::set_op_profile(shapes ? tensor::OpProfile::kShapes : tensor::OpProfile::kOps);
      const Timing t = time_once([&] {
        for (int r = 0; r < reps; ++r) call();
      });
      tensor::set_op_profile(tensor::OpProfile::kOff);
      if (shapes) std::fprintf(stderr, "%s", tensor::op_profile_report().c_str());
      std::map<std::string, double> families;
      for (const tensor::OpProfileRow& row : tensor::op_profile_rows())
        families[op_family(row.key.substr(0, row.key.find(' ')))] += row.ms;
      tensor::clear_op_profile();
      for (const auto& [family, ms] : families)
        std::printf("{\"impl\": \"foley\", \"bench\": \"unet_profile\", \"family\": \"%s\", \"ms_per_call\": %.1f}\n",
                    family.c_str(), ms / reps);
      std::printf("{\"impl\": \"foley\", \"bench\": \"unet_profile\", \"family\": \"call (wall)\", "
                  "\"ms_per_call\": %.1f}\n", t.wall_ms / reps);
      std::fflush(stdout);
    }
    if (wants("vae")) emit("vae_decode", median_timing(reps, [&] { pipeline.vae().decode(z); }));
    if (wants("vocoder")) {
      const Tensor mel = pipeline.vae().decode(z).squeeze(1);
      emit("vocoder", median_timing(reps, [&] { pipeline.vocoder().forward(mel); }));
    }
    if (wants("newlen")) {
      // A length the stages above have not met (10.00 s: 250 latent frames): its first call pays for whatever
      // the kernels build per shape, as a resident server does for every new cue duration; then the same again.
      const Tensor lat = tensor::randn({1, uc.in_channels, 250, kLatentBins}, gen);
      const Tensor x2 = tensor::cat({lat, lat}, 0);
      const Tensor zn = tensor::scale(lat, 1.0 / pipeline.vae().config().scaling_factor);
      for (const char* when : {"first", "again"}) {
        const std::string suffix = std::string("_new_length_") + when;
        emit(("unet_call_b2" + suffix).c_str(), time_once([&] {
               pipeline.unet().forward(x2, 981.0, inputs.encoder_hidden_states, inputs.encoder_hidden_states_1,
                                       inputs.encoder_attention_mask_1);
             }));
        Tensor mel;
        emit(("vae_decode" + suffix).c_str(), time_once([&] { mel = pipeline.vae().decode(zn).squeeze(1); }));
        emit(("vocoder" + suffix).c_str(), time_once([&] { pipeline.vocoder().forward(mel); }));
      }
    }
    if (wants("lengths")) {
      // What a resident server's memory does as it meets cue after cue of a new duration: the VAE decode and one
      // UNet call at 24 latent lengths (0.4-10.24 s), resident set size after each.
      for (int64_t frames : {256, 250, 251, 252, 253, 254, 200, 150, 100, 75, 50, 25, 10, 101, 102, 103, 104, 105,
                             106, 107, 108, 109, 110, 256}) {
        const Tensor lat = tensor::randn({1, uc.in_channels, frames, kLatentBins}, gen);
        const Timing t = time_once([&] {
          pipeline.unet().forward(tensor::cat({lat, lat}, 0), 981.0, inputs.encoder_hidden_states,
                                  inputs.encoder_hidden_states_1, inputs.encoder_attention_mask_1);
          pipeline.vae().decode(tensor::scale(lat, 1.0 / pipeline.vae().config().scaling_factor));
        });
        std::printf("{\"impl\": \"foley\", \"bench\": \"unet_vae_at_length\", \"latent_frames\": %lld, "
                    "\"wall_ms\": %.1f, \"rss_mb\": %ld}\n",
                    static_cast<long long>(frames), t.wall_ms, resident_mb());
        std::fflush(stdout);
      }
    }
    if (wants("e2e")) {
      models::GenerationParams params;
      params.duration_s = 10.24;
      params.steps = 20;
      params.scheduler = "dpmsolver++";
      params.guidance = 3.5;
      // One run (a minute on 2 cores), after the stages above warmed the caches.
      emit("e2e_dpm20", time_once([&] { pipeline.generate_one({params, inputs}); }));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_generation: %s\n", e.what());
    return 1;
  }
  return 0;
}
