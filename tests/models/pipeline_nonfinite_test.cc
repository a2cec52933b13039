// A generation never writes non-finite audio: NaN/Inf in the latents, the mel or the waveform
// is a foley::Error (a failure, exit 1) naming the stage and, for latents, the step. Poisoned
// copies of the tiny model stand for a corrupt checkpoint.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "common/error.h"
#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "poisoned_model.h"

namespace {

namespace fs = std::filesystem;
using foley::models::GenerationParams;
using foley::models::AudioLDM2Pipeline;
using foley::tensor::Tensor;

// A copy of tiny-audioldm2 under the temp folder, removed afterwards.
struct ModelCopy {
  fs::path dir;
  ModelCopy() {
    static std::atomic<int> counter{0};
    dir = fs::temp_directory_path() /
          ("foley-nonfinite-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    foley::models::testing::copy_tiny_model(dir);
  }
  ~ModelCopy() { fs::remove_all(dir); }
};

using foley::models::testing::poison_weight;

GenerationParams params(const std::string& scheduler) {
  GenerationParams p;
  p.prompt = "a dog barking";
  p.steps = 3;
  p.duration_s = 0.32;
  p.scheduler = scheduler;
  p.guidance = 3.5;
  return p;
}

// The message of the foley::Error `f` throws; checks it is a failure (exit 1), not bad input.
template <typename F>
std::string failure_of(F&& f) {
  try {
    f();
  } catch (const foley::Error& e) {
    CHECK(e.exit_code() == 1);
    return e.what();
  }
  FAIL("no error");
  return "";
}

TEST_CASE("a poisoned UNet weight fails at the first step, named", "[pipeline][nonfinite]") {
  ModelCopy copy;
  poison_weight(copy.dir / "unet/diffusion_pytorch_model.safetensors", "conv_out.bias");
  AudioLDM2Pipeline t2a = AudioLDM2Pipeline::load(copy.dir);
  for (const char* scheduler : {"ddim", "dpmsolver++"}) {
    INFO(scheduler);
    const std::string message = failure_of([&] { t2a.generate_one({params(scheduler)}); });
    CHECK_THAT(message, Catch::Contains(std::string("latents after ") + scheduler + " step 1/3"));
    CHECK_THAT(message, Catch::Contains("non-finite"));
  }
  // Batched, each member fails with the same message and none returns audio.
  auto out = t2a.generate({{params("ddim")}, {params("ddim")}});
  REQUIRE(out.size() == 2);
  for (const auto& o : out) {
    REQUIRE(o.error);
    CHECK_FALSE(o.waveform.defined());
    CHECK_THAT(failure_of([&] { std::rethrow_exception(o.error); }), Catch::Contains("ddim step 1/3"));
  }
}

TEST_CASE("a poisoned VAE or vocoder weight fails at the mel or the waveform, named", "[pipeline][nonfinite]") {
  {
    ModelCopy copy;
    poison_weight(copy.dir / "vae/diffusion_pytorch_model.safetensors", "decoder.conv_out.bias");
    AudioLDM2Pipeline t2a = AudioLDM2Pipeline::load(copy.dir);
    CHECK_THAT(failure_of([&] { t2a.generate_one({params("ddim")}); }), Catch::Contains("generation: vae.mel holds"));
  }
  {
    ModelCopy copy;
    poison_weight(copy.dir / "vocoder/model.safetensors", "conv_post.bias");
    AudioLDM2Pipeline t2a = AudioLDM2Pipeline::load(copy.dir);
    CHECK_THAT(failure_of([&] { t2a.generate_one({params("dpmsolver++")}); }),
               Catch::Contains("generation: vocoder.waveform holds"));
  }
}

}  // namespace
