// SpeechT5HifiGan against transformers' vocoder on every golden case (both tiny models): exact
// length 160·T + 32, waveform by NMSE/max-abs.

#include <catch2/catch.hpp>

#include "common/error.h"
#include "models/audioldm2/vocoder/speecht5_hifigan.h"
#include "pipeline_cases.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;

TEST_CASE("vocoder reproduces transformers' waveform on every golden case", "[vocoder]") {
  for (const auto& model : testing::tiny_models()) {
    auto vocoder = SpeechT5HifiGan::load(testing::model_dir(model) / "vocoder");
    CHECK(vocoder.config().hop_length() == 160);
    for (const auto& c : testing::pipeline_cases(model)) {
      INFO(model << " " << c.name);
      auto g = tensor::SafetensorsFile::open(c.file);
      Tensor mel = g.get("vocoder.input");
      Tensor wave = vocoder.forward(mel);
      Tensor ref = g.get("vocoder.waveform");
      REQUIRE(wave.shape() == ref.shape());
      CHECK(wave.size(1) == 160 * mel.size(1) + 32);
      CHECK(vocoder.output_length(mel.size(1)) == wave.size(1));
      testing::Error e = testing::compare(wave, ref);
      testing::report(model + " " + c.name + " vocoder.waveform", e);
      // Measured worst over 12 cases: nmse 1.9e-14, max_abs 8.9e-8. Bounds ~10x.
      CHECK(e.nmse < 2e-13);
      CHECK(e.max_abs < 1e-6);
    }
  }
}

TEST_CASE("vocoder accepts an unbatched mel and rejects a wrong width", "[vocoder]") {
  auto vocoder = SpeechT5HifiGan::load(testing::model_dir("tiny-audioldm2") / "vocoder");
  Tensor wave = vocoder.forward(Tensor::zeros({4, 64}));
  CHECK(wave.shape() == tensor::Shape{160 * 4 + 32});
  CHECK_THROWS_AS(vocoder.forward(Tensor::zeros({1, 4, 80})), foley::Error);
}

}  // namespace
}  // namespace foley::models
