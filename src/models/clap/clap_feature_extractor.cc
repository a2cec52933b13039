#include "models/clap/clap_feature_extractor.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "models/audio_utils.h"
#include "models/config_json.h"

namespace foley::models {

ClapFeatureExtractor ClapFeatureExtractor::load(const std::filesystem::path& path) {
  nlohmann::json root = read_json_object(path);
  ConfigReader r(root, path.string());
  std::string type = r.string("feature_extractor_type", "ClapFeatureExtractor");
  if (type != "ClapFeatureExtractor") r.fail("feature_extractor_type", "only ClapFeatureExtractor is implemented");
  ClapFeatureExtractor fe;
  fe.feature_size = r.positive("feature_size", fe.feature_size);
  fe.sampling_rate = r.positive("sampling_rate", fe.sampling_rate);
  fe.hop_length = r.positive("hop_length", fe.hop_length);
  fe.max_length_s = r.positive("max_length_s", fe.max_length_s);
  fe.fft_window_size = r.positive("fft_window_size", fe.fft_window_size);
  fe.frequency_min = r.number("frequency_min", fe.frequency_min);
  fe.frequency_max = r.number("frequency_max", fe.frequency_max);
  fe.truncation = r.string("truncation", fe.truncation);
  fe.padding = r.string("padding", fe.padding);
  if (fe.fft_window_size < 2 || (fe.fft_window_size & (fe.fft_window_size - 1)) != 0)
    r.fail("fft_window_size", "only powers of two are implemented");
  if (fe.truncation != "fusion" && fe.truncation != "rand_trunc")
    r.fail("truncation", "must be \"fusion\" or \"rand_trunc\"");
  if (fe.padding != "repeatpad" && fe.padding != "repeat" && fe.padding != "pad")
    r.fail("padding", "must be \"repeatpad\", \"repeat\" or \"pad\"");
  if (fe.truncation == "fusion" && fe.feature_size != 64)
    r.fail("feature_size", "fusion resizes the full mel to 64 bins (hard-coded in transformers): must be 64");
  if (!(fe.frequency_min >= 0 && fe.frequency_min < fe.frequency_max))
    r.fail("frequency_min", "must be >= 0 and below frequency_max");
  // Keys that change nothing in transformers either: top_db, padding_value,
  // padding_side, return_attention_mask, nb_max_samples, nb_frequency_bins.
  return fe;
}

std::vector<float> ClapFeatureExtractor::log_mel(const std::vector<double>& waveform, bool htk,
                                                 int64_t* frames) const {
  const int64_t bins = (fft_window_size >> 1) + 1;
  std::vector<double> filters =
      htk ? mel_filter_bank(bins, feature_size, frequency_min, frequency_max, sampling_rate, false, MelScale::kHtk)
          : mel_filter_bank(bins, feature_size, frequency_min, frequency_max, sampling_rate, true, MelScale::kSlaney);
  return log_mel_spectrogram(waveform, fft_window_size, hop_length, filters, feature_size, frames);
}

ClapFeatureExtractor::Features ClapFeatureExtractor::fuse(const std::vector<float>& mel, int64_t total) const {
  const int64_t chunk = nb_max_samples() / hop_length + 1, f = feature_size;
  // np.array_split(range(total - chunk + 1), 3): the first n % 3 parts get one more.
  const int64_t n = total - chunk + 1;
  int64_t starts[3];
  int64_t begin = 0;
  for (int64_t part = 0; part < 3; ++part) {
    const int64_t size = n / 3 + (part < n % 3 ? 1 : 0);
    // An empty middle or back third falls back to [0], as in transformers.
    starts[part] = size == 0 ? 0 : begin + size / 2;
    begin += size;
  }
  Features out;
  out.channels = 4;
  out.frames = chunk;
  out.is_longer = true;
  out.input_features.resize(static_cast<size_t>(4 * chunk * f));
  // Channel 0: bilinear resize (align_corners=False) of the whole mel from
  // `total` to `chunk` frames; the 64 bins map onto themselves.
  const double scale = static_cast<double>(total) / static_cast<double>(chunk);
  for (int64_t t = 0; t < chunk; ++t) {
    double src = std::max(0.0, scale * (static_cast<double>(t) + 0.5) - 0.5);
    int64_t i0 = std::min(static_cast<int64_t>(src), total - 1);
    int64_t i1 = std::min(i0 + 1, total - 1);
    double w1 = src - static_cast<double>(i0), w0 = 1.0 - w1;
    for (int64_t m = 0; m < f; ++m)
      out.input_features[static_cast<size_t>(t * f + m)] =
          static_cast<float>(w0 * mel[static_cast<size_t>(i0 * f + m)] + w1 * mel[static_cast<size_t>(i1 * f + m)]);
  }
  for (int64_t part = 0; part < 3; ++part)
    std::copy_n(mel.begin() + starts[part] * f, chunk * f, out.input_features.begin() + (part + 1) * chunk * f);
  return out;
}

ClapFeatureExtractor::Features ClapFeatureExtractor::extract(const std::vector<float>& samples) const {
  if (samples.empty()) throw Error("CLAP feature extractor: the waveform is empty");
  // numpy would carry a NaN into the features; max(1e-10, NaN) here would hide it.
  for (size_t i = 0; i < samples.size(); ++i)
    if (!std::isfinite(samples[i]))
      throw Error("CLAP feature extractor: the waveform holds non-finite samples (sample " + std::to_string(i) + ")");
  const int64_t max_length = nb_max_samples();
  std::vector<double> wave(samples.begin(), samples.end());
  const auto length = static_cast<int64_t>(wave.size());
  const bool fusion = truncation == "fusion";
  Features out;
  if (length > max_length) {
    if (!fusion) {
      const int64_t start = (length - max_length) / 2;
      std::vector<double> crop(wave.begin() + start, wave.begin() + start + max_length);
      out.input_features = log_mel(crop, false, &out.frames);
      out.is_longer = true;
      return out;
    }
    int64_t total = 0;
    std::vector<float> mel = log_mel(wave, true, &total);
    if (total != max_length / hop_length + 1) return fuse(mel, total);
    // Longer than max_length by less than a hop: the whole mel, four times.
    out.input_features = std::move(mel);
    out.frames = total;
  } else {
    if (length < max_length) {
      if (padding == "repeat") {
        const int64_t repeats = max_length / length + 1;
        std::vector<double> tiled;
        for (int64_t i = 0; i < repeats; ++i) tiled.insert(tiled.end(), wave.begin(), wave.end());
        tiled.resize(static_cast<size_t>(max_length));
        wave.swap(tiled);
      } else if (padding == "repeatpad") {
        const int64_t repeats = max_length / length;
        std::vector<double> tiled;
        for (int64_t i = 0; i < repeats; ++i) tiled.insert(tiled.end(), wave.begin(), wave.end());
        wave.swap(tiled);
      }
      wave.resize(static_cast<size_t>(max_length), 0.0);
    }
    out.input_features = log_mel(wave, fusion, &out.frames);
    if (!fusion) return out;
  }
  // Fusion without a longer clip: four copies of one mel, not fused.
  const size_t plane = out.input_features.size();
  out.input_features.resize(4 * plane);
  for (size_t c = 1; c < 4; ++c) std::copy_n(out.input_features.begin(), plane, out.input_features.begin() + c * plane);
  out.channels = 4;
  out.is_longer = false;
  return out;
}

}  // namespace foley::models
