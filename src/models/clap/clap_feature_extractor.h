#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace foley::models {

// transformers' ClapFeatureExtractor (preprocessor_config.json), made
// deterministic. Takes mono float samples already at sampling_rate and
// returns the log-mel input of ClapAudioModel.
//
// The filter bank follows the truncation mode as in transformers: HTK mel
// without norm for "fusion", Slaney mel with Slaney norm otherwise. Like
// transformers, top_db and padding_value are read but change nothing, and
// nb_max_samples / nb_frequency_bins are recomputed from the other keys.
//
// Where transformers draws from numpy's global generator, this class applies
// a fixed rule instead:
// - "rand_trunc", audio longer than max_length_s: the centred crop, start
//   (length - max_length) / 2 (transformers: a uniform random start);
// - "fusion", audio longer: each of the three chunks is the middle
//   candidate of its third, ranges[i][len(ranges[i]) / 2] (transformers:
//   a uniform choice in each third);
// - "fusion": is_longer is true exactly for audio longer than max_length_s
//   (transformers marks one random clip of a batch as longer when none is,
//   so a clip's features depend on its batch).
class ClapFeatureExtractor {
 public:
  int64_t feature_size = 64;
  int64_t sampling_rate = 48000;
  int64_t hop_length = 480;
  int64_t max_length_s = 10;
  int64_t fft_window_size = 1024;
  double frequency_min = 0.0;
  double frequency_max = 14000.0;
  std::string truncation = "fusion";  // "fusion" | "rand_trunc"
  std::string padding = "repeatpad";  // "repeatpad" | "repeat" | "pad"

  // Reads preprocessor_config.json with ClapFeatureExtractor's defaults for
  // absent keys. Throws foley::Error naming the file and key on an unknown
  // truncation or padding mode, a non-power-of-two FFT size or bad sizes.
  static ClapFeatureExtractor load(const std::filesystem::path& preprocessor_config_json);

  int64_t nb_max_samples() const { return max_length_s * sampling_rate; }

  struct Features {
    // Row-major [channels, frames, feature_size]: 1 channel, or 4 for fusion
    // (mel_shrink, front, middle, back; or four copies of one mel).
    std::vector<float> input_features;
    int64_t channels = 1;
    int64_t frames = 0;
    bool is_longer = false;
  };

  // The features of one clip. Throws foley::Error for an empty waveform or
  // one holding NaN or infinity.
  Features extract(const std::vector<float>& waveform) const;

 private:
  std::vector<float> log_mel(const std::vector<double>& waveform, bool htk, int64_t* frames) const;
  Features fuse(const std::vector<float>& mel, int64_t total_frames) const;
};

}  // namespace foley::models
