// foley's take i of a cue equals diffusers' waveform i of num_waveforms_per_prompt = N, in diffusers' order
// before score_waveforms ranks them (tests/fixtures/golden/takes, tools/golden/make_takes_golden.py): the
// tiny AudioLDM 2, 3 takes, DDIM 5 steps, guidance 3.5, 0.32 s.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "golden_util.h"
#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;

TEST_CASE("take i is diffusers' waveform i of num_waveforms_per_prompt", "[pipeline][takes]") {
  const auto dir = testing::golden_dir("takes");
  const nlohmann::json call = nlohmann::json::parse(foley::read_file(dir / "takes.json"));
  auto g = tensor::SafetensorsFile::open(dir / "takes.safetensors");
  const Tensor waveforms = g.get("waveforms");
  const Tensor latents = g.get("latents.initial");
  const int64_t takes = call.at("takes").get<int64_t>();
  REQUIRE(waveforms.size(0) == takes);

  auto pipeline = testing::load_on_test_device<AudioLDM2Pipeline>(testing::model_dir("tiny-audioldm2"));
  // Each take alone, in reverse order: take i never depends on the takes drawn before it.
  for (int64_t take = takes - 1; take >= 0; --take) {
    INFO("take " << take);
    GenerationParams p;
    p.prompt = call.at("prompt").get<std::string>();
    p.negative_prompt = call.at("negative_prompt").get<std::string>();
    p.duration_s = call.at("duration_s").get<double>();
    p.seed = call.at("seed").get<uint64_t>();
    p.steps = call.at("steps").get<int64_t>();
    p.guidance = call.at("guidance").get<double>();
    p.scheduler = call.at("scheduler").get<std::string>();
    p.take = take;
    GenerationTrace trace;
    Tensor wave = pipeline.generate_one({p, {}, {}, &trace});
    // The starting noise: bit for bit diffusers' slice.
    CHECK(trace.latents_initial.to(tensor::Device::cpu()).to_vector_f32() ==
          latents.narrow(0, take, 1).contiguous().to_vector_f32());
    Tensor ref = waveforms.narrow(0, take, 1).contiguous().reshape({waveforms.size(1)});
    REQUIRE(wave.to(tensor::Device::cpu()).shape() == ref.shape());
    testing::Error e = testing::compare(wave.to(tensor::Device::cpu()), ref);
    testing::report("takes waveform " + std::to_string(take), e);
    // diffusers runs the three takes as one UNet batch of 6 rows, foley each take alone (f32 summation
    // order differs). Measured: nmse 2.6e-14, max_abs 1.3e-7 at worst; bound ~40x.
    CHECK(e.nmse < 1e-12);
    CHECK(e.max_abs < 5e-6);
  }
}

}  // namespace
}  // namespace foley::models
