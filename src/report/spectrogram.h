#pragma once

#include "audio/audio_buffer.h"
#include "report/rgb_image.h"

namespace foley::report {

// How a spectrogram is drawn: time left to right over the whole sound, linear
// frequency bottom (0 Hz) to top (Nyquist), magnitude in dB relative to the
// loudest bin, `dynamic_range_db` below it drawn black.
struct SpectrogramOptions {
  int width = 600;
  int height = 160;
  int fft_size = 1024;          // Hann-windowed frames of this many samples, one per column
  double dynamic_range_db = 90.0;
};

// The frequency at the middle of pixel row `row` (0 = top) for a sound at
// `sample_rate`: what a test or a tooltip needs to read a picture.
double row_center_frequency(int row, int sample_rate, const SpectrogramOptions& options);

// The row whose band holds `frequency` (clamped to the picture).
int row_of_frequency(double frequency, int sample_rate, const SpectrogramOptions& options);

// Draws the short-time Fourier transform of `audio` (channels mixed to one)
// with a dark-to-bright colour map. Silence draws black. Throws foley::Error
// for an empty picture size or an odd FFT size.
RgbImage draw_spectrogram(const audio::AudioBuffer& audio, const SpectrogramOptions& options = {});

// The brightness of the colour map at `level` in [0, 1] as drawn: for tests
// that read pixels back (the sum of the three channels grows with level).
int colormap_brightness(double level);

}  // namespace foley::report
