// foley side of the GPU benchmark (tools/bench/gpu_vs_diffusers): the generation half of AudioLDM 2 on a CUDA
// device, timed as bench_diffusers.py times diffusers, with the same given conditioning (random GPT-2 vectors and
// T5 states of a 32-token prompt). One JSON line per measurement; run.sh runs both sides and prints the table.
//
// usage: bench_foley_gpu --model DIR [--device cuda] [--reps 3] [--stages unet,vae,vocoder,e2e,batch,long]
//                        [--batch 8] [--duration 10.24] [--long-duration 150] [--ddim-steps 200] [--dpm-steps 20]
//                        [--guidance 3.5] [--dry-run]
//        bench_foley_gpu --repro-out FILE --model DIR [--device cuda] [--seed 7] [--dpm-steps 10] [--duration 1]
//
// MODEL holds unet/, vae/, vocoder/ and scheduler/ (tools/bench/generation/bench_torch.py make-weights makes the
// full-size random ones). Measurements (median of REPS after one warm-up, the device synchronised around each):
// unet_step (one guided step: batch-2 UNet call + guidance combine), vae_decode, vocoder, e2e_ddim200 / e2e_dpm20
// (seeded noise to waveform), batch8_dpm20 (8 cues sharing one UNet call per step) against seq8_dpm20 (the same 8
// one after another), long150_* (one guided step, the VAE decode and the vocoder at 150 s; the peak memory of those
// alone). Each line carries peak_mem_mib: the high-water mark of the stream-ordered pool the CUDA runtime
// allocates from (what torch.cuda.max_memory_allocated is to diffusers), and device_used_mib (cudaMemGetInfo:
// everything on the device, context and cuBLASLt included).
//
// --repro-out runs AudioLDM2Pipeline (text to waveform) once on MODEL (the tiny fixture) with one seed and writes the
// float32 waveform's bytes to FILE: tools/gpu/check.sh runs it twice and compares the files byte for byte.
//
// --dry-run checks everything but the speed: the CPU, 2 steps, 1 rep, the model given (use the tiny fixture), so
// argument parsing, loading and every stage run on a machine without a GPU. Without --dry-run the device must be
// a usable CUDA device: the benchmark refuses (exit 2, the reason on stderr) otherwise.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#ifdef FOLEY_HAVE_CUDA
#include <cuda_runtime_api.h>

#include "tensor/cuda/runtime.h"
#endif

#include "common/error.h"
#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/cuda/select_device.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace foley;
using tensor::Device;
using tensor::Tensor;

namespace {

constexpr int64_t kT5Tokens = 32, kGpt2Vectors = 8;

struct Args {
  std::filesystem::path model;
  std::string device = "cuda";
  int reps = 3;
  std::string stages = "unet,vae,vocoder,e2e,batch,long";
  int batch = 8;
  double duration = 10.24, long_duration = 150;
  int64_t ddim_steps = 200, dpm_steps = 20;
  double guidance = 3.5;
  bool dry_run = false;
  std::filesystem::path repro_out;
  uint64_t seed = 7;
  bool dpm_steps_given = false, duration_given = false;
};

void synchronize(Device device) {
#ifdef FOLEY_HAVE_CUDA
  if (device.is_cuda()) tensor::cuda::check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
#else
  (void)device;
#endif
}

// Wall milliseconds of one run, the device synchronised before and after.
double time_once(Device device, const std::function<void()>& f) {
  synchronize(device);
  const auto t0 = std::chrono::steady_clock::now();
  f();
  synchronize(device);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Median of `reps` runs after one warm-up (per-shape plans, the pool's first allocations, weight page-in).
double median_ms(Device device, int reps, const std::function<void()>& f) {
  f();
  std::vector<double> runs;
  for (int i = 0; i < reps; ++i) runs.push_back(time_once(device, f));
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

struct Memory {
  double peak_mib = -1, used_mib = -1;
  std::string gpu;
};

Memory memory(Device device) {
  Memory m;
#ifdef FOLEY_HAVE_CUDA
  if (device.is_cuda()) {
    cudaMemPool_t pool = nullptr;
    uint64_t high = 0;
    if (cudaDeviceGetDefaultMemPool(&pool, device.index) == cudaSuccess &&
        cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemHigh, &high) == cudaSuccess)
      m.peak_mib = static_cast<double>(high) / (1 << 20);
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) == cudaSuccess) m.used_mib = static_cast<double>(total - free) / (1 << 20);
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, device.index) == cudaSuccess) m.gpu = prop.name;
  }
#else
  (void)device;
#endif
  return m;
}

// Starts the pool's high-water mark again from what is allocated now.
void reset_peak(Device device) {
#ifdef FOLEY_HAVE_CUDA
  cudaMemPool_t pool = nullptr;
  uint64_t zero = 0;
  if (device.is_cuda() && cudaDeviceGetDefaultMemPool(&pool, device.index) == cudaSuccess)
    cudaMemPoolSetAttribute(pool, cudaMemPoolAttrUsedMemHigh, &zero);
#else
  (void)device;
#endif
}

void emit(const Args& a, Device device, const std::string& bench, double ms, const std::string& extra = "") {
  const Memory m = memory(device);
  std::printf("{\"impl\": \"foley\", \"variant\": \"%s\", \"bench\": \"%s\", \"device\": \"%s\", \"dtype\": \"%s\", "
              "\"dry_run\": %s",
              device.is_cuda() ? "bf16" : "f32", bench.c_str(), device.to_string().c_str(),
              device.is_cuda() ? "bfloat16" : "float32",
              a.dry_run ? "true" : "false");
  if (ms >= 0) std::printf(", \"median_ms\": %.3f", ms);
  if (m.peak_mib >= 0) std::printf(", \"peak_mem_mib\": %.1f", m.peak_mib);
  if (m.used_mib >= 0) std::printf(", \"device_used_mib\": %.1f", m.used_mib);
  if (!m.gpu.empty()) std::printf(", \"gpu\": \"%s\"", m.gpu.c_str());
  std::printf("%s}\n", extra.c_str());
  std::fflush(stdout);
}

Args parse(int argc, char** argv) {
  Args a;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw Error(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--model") a.model = value(i);
    else if (k == "--device") a.device = value(i);
    else if (k == "--reps") a.reps = std::stoi(value(i));
    else if (k == "--stages") a.stages = value(i);
    else if (k == "--batch") a.batch = std::stoi(value(i));
    else if (k == "--duration") a.duration = std::stod(value(i)), a.duration_given = true;
    else if (k == "--long-duration") a.long_duration = std::stod(value(i));
    else if (k == "--ddim-steps") a.ddim_steps = std::stoll(value(i));
    else if (k == "--dpm-steps") a.dpm_steps = std::stoll(value(i)), a.dpm_steps_given = true;
    else if (k == "--guidance") a.guidance = std::stod(value(i));
    else if (k == "--seed") a.seed = std::stoull(value(i));
    else if (k == "--repro-out") a.repro_out = value(i);
    else if (k == "--dry-run") a.dry_run = true;
    else throw Error("unknown argument \"" + k + "\" (see the usage at the top of bench_foley_gpu.cc)");
  }
  if (a.model.empty()) throw Error("--model DIR is required");
  if (a.dry_run) a.device = "cpu", a.reps = 1, a.ddim_steps = 2, a.dpm_steps = 2, a.batch = 2;
  return a;
}

// One text-to-audio generation on the tiny model; the waveform's float32 bytes to args.repro_out.
int repro(const Args& a, Device device) {
  const auto t2a = models::AudioLDM2Pipeline::load(a.model, tensor::Placement::on(device));
  models::GenerationParams p;
  p.prompt = "a dog barking in the rain";
  p.seed = a.seed;
  p.steps = a.dpm_steps_given ? a.dpm_steps : 10;
  p.scheduler = "dpmsolver++";
  p.duration_s = a.duration_given ? a.duration : 1.0;
  const std::vector<float> wave = t2a.generate_one({p}).to(Device::cpu()).to_vector_f32();
  std::ofstream out(a.repro_out, std::ios::binary);
  out.write(reinterpret_cast<const char*>(wave.data()), static_cast<std::streamsize>(wave.size() * sizeof(float)));
  if (!out.flush()) throw Error("cannot write " + a.repro_out.string());
  std::printf("{\"impl\": \"foley\", \"bench\": \"repro\", \"device\": \"%s\", \"seed\": %llu, \"samples\": %zu}\n",
              device.to_string().c_str(), static_cast<unsigned long long>(a.seed), wave.size());
  return 0;
}

int run(const Args& a, Device device) {
  auto wants = [&](const char* s) { return ("," + a.stages + ",").find("," + std::string(s) + ",") != std::string::npos; };
  // The UNet, VAE and vocoder only: the conditioning below is given.
  const auto pipeline =
      models::AudioLDM2Pipeline::load(a.model, tensor::Placement::on(device), models::TextEncoders::kSkip);
  emit(a, device, "load", -1);
  const auto& uc = pipeline.unet().config();
  const int64_t gpt2_dim = *uc.cross_attention_dim[0][1], t5_dim = *uc.cross_attention_dim[0][2];
  // The given conditioning, made on the CPU from one seed like the python side's, then placed on the device.
  // The 0/1 mask stays on the host: CUDA has no integer tensors (docs/cuda.md).
  tensor::CpuGenerator gen(0);
  models::UNetInputs inputs;
  inputs.encoder_hidden_states = tensor::randn({2, kGpt2Vectors, gpt2_dim}, gen).to(device);
  inputs.encoder_hidden_states_1 = tensor::randn({2, kT5Tokens, t5_dim}, gen).to(device);
  inputs.encoder_attention_mask_1 = Tensor::full({2, kT5Tokens}, 1.0, tensor::DType::kI64);
  const models::AudioLength len = pipeline.audio_length(a.duration);
  const double inv_scaling = 1.0 / pipeline.vae().config().scaling_factor;
  const Tensor lat1 = tensor::randn({1, uc.in_channels, len.latent_frames, len.latent_bins}, gen).to(device);

  auto guided_step = [&](const Tensor& x2) {
    const Tensor eps = pipeline.unet().forward(x2, 981.0, inputs.encoder_hidden_states,
                                               inputs.encoder_hidden_states_1, inputs.encoder_attention_mask_1);
    return models::guided_prediction(eps, 0, a.guidance);
  };
  auto params = [&](const std::string& scheduler, int64_t steps, uint64_t seed) {
    models::GenerationParams p;
    p.duration_s = a.duration;
    p.scheduler = scheduler;
    p.steps = steps;
    p.guidance = a.guidance;
    p.seed = seed;
    return p;
  };

  if (wants("unet")) {
    const Tensor x2 = tensor::cat({lat1, lat1}, 0);
    emit(a, device, "unet_step", median_ms(device, a.reps, [&] { guided_step(x2); }));
  }
  if (wants("vae")) {
    const Tensor z = tensor::scale(lat1, inv_scaling);
    emit(a, device, "vae_decode", median_ms(device, a.reps, [&] { pipeline.vae().decode(z); }));
  }
  if (wants("vocoder")) {
    const Tensor mel = pipeline.vae().decode(tensor::scale(lat1, inv_scaling)).squeeze(1);
    emit(a, device, "vocoder", median_ms(device, a.reps, [&] { pipeline.vocoder().forward(mel); }));
  }
  if (wants("e2e")) {
    emit(a, device, "e2e_ddim" + std::to_string(a.ddim_steps),
         median_ms(device, a.reps, [&] { pipeline.generate_one({params("ddim", a.ddim_steps, 0), inputs}); }));
    emit(a, device, "e2e_dpm" + std::to_string(a.dpm_steps),
         median_ms(device, a.reps, [&] { pipeline.generate_one({params("dpmsolver++", a.dpm_steps, 0), inputs}); }));
  }
  if (wants("batch")) {
    const int n = a.batch;
    std::vector<models::Cue> cues(n);
    for (int i = 0; i < n; ++i) cues[i] = {params("dpmsolver++", a.dpm_steps, static_cast<uint64_t>(i)), inputs};
    const std::string count = ", \"cues\": " + std::to_string(n);
    emit(a, device, "batch" + std::to_string(n) + "_dpm" + std::to_string(a.dpm_steps), median_ms(device, a.reps, [&] {
           for (const auto& outcome : pipeline.generate(cues))
             if (outcome.error) std::rethrow_exception(outcome.error);
         }), count);
    emit(a, device, "seq" + std::to_string(n) + "_dpm" + std::to_string(a.dpm_steps), median_ms(device, a.reps, [&] {
           for (int i = 0; i < n; ++i) pipeline.generate_one({params("dpmsolver++", a.dpm_steps, static_cast<uint64_t>(i)), inputs});
         }), count);
  }
  if (wants("long")) {
    // The longest cue: its peak alone (the high-water mark restarted), stage by stage.
    const models::AudioLength ll = pipeline.audio_length(a.long_duration);
    const Tensor lat = tensor::randn({1, uc.in_channels, ll.latent_frames, ll.latent_bins}, gen).to(device);
    const std::string secs = ", \"seconds\": " + std::to_string(a.long_duration);
    const std::string tag = "long" + std::to_string(static_cast<int>(a.long_duration));
    reset_peak(device);
    const Tensor x2 = tensor::cat({lat, lat}, 0);
    emit(a, device, tag + "_unet_step", median_ms(device, std::min(a.reps, 1), [&] { guided_step(x2); }), secs);
    Tensor mel;
    emit(a, device, tag + "_vae_decode", median_ms(device, std::min(a.reps, 1), [&] {
           mel = pipeline.vae().decode(tensor::scale(lat, inv_scaling)).squeeze(1);
         }), secs);
    emit(a, device, tag + "_vocoder", median_ms(device, std::min(a.reps, 1), [&] { pipeline.vocoder().forward(mel); }),
         secs);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse(argc, argv);
    Device device;
    try {
      device = tensor::select_device(a.device);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_foley_gpu: %s\n", e.what());
      return 2;
    }
    if (!a.dry_run && a.repro_out.empty() && !device.is_cuda()) {
      std::fprintf(stderr, "bench_foley_gpu: this benchmark needs a CUDA device (use --dry-run to check it without one)\n");
      return 2;
    }
#ifdef FOLEY_HAVE_CUDA
    std::optional<tensor::cuda::StreamScope> scope;
    if (device.is_cuda()) scope.emplace(device);
#endif
    return a.repro_out.empty() ? run(a, device) : repro(a, device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_foley_gpu: %s\n", e.what());
    return 1;
  }
}
