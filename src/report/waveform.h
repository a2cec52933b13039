#pragma once

#include "audio/audio_buffer.h"
#include "report/rgb_image.h"

namespace foley::report {

struct WaveformOptions {
  int width = 600;
  int height = 48;
};

// An overview of the sound's amplitude: per column, a bar from the lowest to
// the highest sample (any channel) of that stretch of time, on a light ground
// with a centre line. Full scale (±1) reaches the edges.
RgbImage draw_waveform(const audio::AudioBuffer& audio, const WaveformOptions& options = {});

}  // namespace foley::report
