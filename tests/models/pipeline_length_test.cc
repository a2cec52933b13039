// The pipeline's length arithmetic (diffusers AudioLDM2Pipeline.__call__), on AudioLDM 2's constants.

#include <catch2/catch.hpp>

#include "common/error.h"
#include "models/audioldm2/pipeline/audio_length.h"

namespace foley::models {
namespace {

TEST_CASE("audio length follows diffusers' float64 truncation and rounding", "[pipeline]") {
  LengthModel m;  // AudioLDM 2: hop 160 at 16 kHz, VAE x4, 64 mel bins, sample_size 256
  AudioLength d = compute_audio_length(std::nullopt, m);
  CHECK(d.seconds == Approx(10.24));
  CHECK(d.mel_frames == 1024);
  CHECK(d.latent_frames == 256);
  CHECK(d.latent_bins == 16);
  CHECK(d.waveform_length == 163840);

  AudioLength a = compute_audio_length(0.29, m);  // 0.29 / 0.01 = 28.999... → 28
  CHECK(a.mel_frames == 28);
  CHECK(a.waveform_length == 4640);
  AudioLength b = compute_audio_length(2.5, m);  // 250 → rounded up to 252
  CHECK(b.mel_frames == 252);
  CHECK(b.latent_frames == 63);
  CHECK(b.waveform_length == 40000);
  AudioLength c = compute_audio_length(10.0, m);
  CHECK(c.latent_frames == 250);
  CHECK(compute_audio_length(0.04, m).latent_frames == 1);
  CHECK_THROWS_AS(compute_audio_length(0.03, m), foley::Error);
  CHECK_THROWS_AS(compute_audio_length(std::nan(""), m), foley::Error);
}

}  // namespace
}  // namespace foley::models
