// AutoencoderKL decoder against diffusers' vae.decode on every golden case (both tiny models), and
// the time-chunked decode against the whole-clip decode.

#include <catch2/catch.hpp>

#include <cmath>

#include "common/error.h"
#include "models/audioldm2/vae/autoencoder_kl_decoder.h"
#include "pipeline_cases.h"
#include "winograd2d_scope.h"
#include "tensor/random.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;

TEST_CASE("VAE decoder reproduces diffusers' mel on every golden case", "[vae]") {
  for (const auto& model : testing::tiny_models()) {
    auto vae = AutoencoderKLDecoder::load(testing::model_dir(model) / "vae");
    CHECK(vae.config().scaling_factor == Approx(0.4110932946205139));
    CHECK(vae.config().scale_factor() == 4);
    for (const auto& c : testing::pipeline_cases(model)) {
      INFO(model << " " << c.name);
      auto g = tensor::SafetensorsFile::open(c.file);
      Tensor mel = vae.decode(g.get("vae.input"));
      Tensor ref = g.get("vae.mel");
      REQUIRE(mel.shape() == ref.shape());
      testing::Error e = testing::compare(mel, ref);
      testing::report(model + " " + c.name + " vae.mel", e);
      // Measured worst over 12 cases: nmse 2.3e-13, max_abs 1.3e-6. Bounds ~10x.
      CHECK(e.nmse < 3e-12);
      CHECK(e.max_abs < 1.5e-5);
    }
  }
}

TEST_CASE("VAE decoder through the 2-D Winograd convolution reproduces diffusers' mel", "[vae][winograd]") {
  testing::Winograd2dScope winograd;
  REQUIRE(tensor::cpu::winograd2d_wanted(16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 64, 16));
  for (const auto& model : testing::tiny_models()) {
    auto vae = AutoencoderKLDecoder::load(testing::model_dir(model) / "vae");
    for (const auto& c : testing::pipeline_cases(model)) {
      INFO(model << " " << c.name);
      auto g = tensor::SafetensorsFile::open(c.file);
      Tensor mel = vae.decode(g.get("vae.input"));
      testing::Error e = testing::compare(mel, g.get("vae.mel"));
      testing::report(model + " " + c.name + " vae.mel (winograd2d)", e);
      // Measured worst over 12 cases: nmse 1.9e-12, max_abs 4.1e-6 (the default path: 2.3e-13, 1.3e-6; the
      // transforms multiply by up to 8 and 1/24 and round apart). Bounds ~10x.
      CHECK(e.nmse < 2e-11);
      CHECK(e.max_abs < 4e-5);
    }
  }
}

TEST_CASE("chunked VAE decode stays close to the whole-clip decode", "[vae]") {
  auto vae = AutoencoderKLDecoder::load(testing::model_dir("tiny-audioldm2") / "vae");
  tensor::CpuGenerator gen(11);
  Tensor z = tensor::scale(tensor::randn({1, 8, 64, 16}, gen), 1.0 / 0.4110932946205139);
  Tensor whole = vae.decode(z);
  // A chunk covering the clip is exactly decode().
  CHECK(testing::compare(vae.decode_chunked(z, 64, 8), whole).max_abs == 0.0);
  CHECK(testing::compare(vae.decode_chunked(z, 0, 8), whole).max_abs == 0.0);
  Tensor chunked = vae.decode_chunked(z, 16, 8);
  REQUIRE(chunked.shape() == whole.shape());
  testing::Error e = testing::compare(chunked, whole);
  testing::report("vae chunked 16+-8 vs whole (64 frames)", e);
  // The windows see local GroupNorm statistics and attention only; measured on this random-weight
  // model: nmse 3.9e-3, max_abs 0.22 (vs 6.0e-2 / 1.69 without overlap). The bound is the
  // documented tolerance of decode_chunked (docs/generation.md).
  CHECK(e.nmse < 1e-2);
  // Without overlap the seams are worse than with it: the overlap must matter.
  testing::Error no_overlap = testing::compare(vae.decode_chunked(z, 16, 0), whole);
  testing::report("vae chunked 16+-0 vs whole (64 frames)", no_overlap);
  CHECK(no_overlap.nmse > e.nmse);
}

TEST_CASE("VAE decoder rejects latents with the wrong channel count", "[vae]") {
  auto vae = AutoencoderKLDecoder::load(testing::model_dir("tiny-audioldm2") / "vae");
  CHECK_THROWS_AS(vae.decode(Tensor::zeros({1, 4, 8, 16})), foley::Error);
}

}  // namespace
}  // namespace foley::models
