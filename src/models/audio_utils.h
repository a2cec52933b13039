#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace foley::models {

// The numpy front end of transformers' audio_utils, in double precision like
// the reference: mel filter banks, the periodic Hann window and the centred
// power spectrogram in dB. Feature extractors (CLAP) build on these.

enum class MelScale { kHtk, kSlaney };

// hertz_to_mel / mel_to_hertz of audio_utils ("htk" or "slaney").
double hertz_to_mel(double hertz, MelScale scale);
double mel_to_hertz(double mel, MelScale scale);

// mel_filter_bank(num_frequency_bins, num_mel_filters, min, max, rate, norm,
// mel_scale): triangular filters, row-major [num_frequency_bins,
// num_mel_filters]; slaney_norm scales each filter to constant energy.
std::vector<double> mel_filter_bank(int64_t num_frequency_bins, int64_t num_mel_filters, double min_frequency,
                                    double max_frequency, int64_t sampling_rate, bool slaney_norm, MelScale scale);

// window_function(n, "hann") (periodic): np.hanning(n + 1)[:-1].
std::vector<double> hann_window(int64_t length);

// spectrogram(waveform, hann, frame_length = fft_length, hop_length,
// power=2.0, center=True, pad_mode="reflect", mel_filters, log_mel="dB") as
// audio_utils computes it: frames of the reflect-padded waveform, rfft in
// double, the spectrum rounded to complex64 (as numpy stores it), |X|^2, the
// mel projection, max(1e-10, .), 10 log10. Returns float32 row-major
// [frames, num_mel_filters] (time first, as ClapFeatureExtractor transposes
// it). fft_length must be a power of two; throws foley::Error otherwise or
// when the waveform is shorter than 2 samples.
std::vector<float> log_mel_spectrogram(const std::vector<double>& waveform, int64_t fft_length, int64_t hop_length,
                                       const std::vector<double>& mel_filters, int64_t num_mel_filters,
                                       int64_t* frames_out);

}  // namespace foley::models
