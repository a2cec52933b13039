#include "audio/fades.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "audio/length.h"

namespace foley::audio {
namespace {

// Gain at position t in [0, 1) of a rising fade.
float fade_gain(double t, FadeShape shape) {
  if (shape == FadeShape::kEqualPower) return static_cast<float>(std::sin(t * std::numbers::pi / 2.0));
  return static_cast<float>(t);
}

}  // namespace

void apply_fades(AudioBuffer& buffer, double fade_in, double fade_out, FadeShape shape) {
  const size_t total = buffer.frames();
  const size_t in_frames = std::min(total, seconds_to_frames(fade_in, buffer.sample_rate));
  const size_t out_frames = std::min(total, seconds_to_frames(fade_out, buffer.sample_rate));
  // Frame i of an n-frame fade-in has gain g(i / n): 0 first, reaching 1 just
  // after the fade. A fade-out is its mirror image, ending on exactly 0.
  for (size_t i = 0; i < in_frames; ++i) {
    float g = fade_gain(static_cast<double>(i) / static_cast<double>(in_frames), shape);
    for (int c = 0; c < buffer.channels; ++c) buffer.at(i, c) *= g;
  }
  for (size_t i = 0; i < out_frames; ++i) {
    float g = fade_gain(static_cast<double>(i) / static_cast<double>(out_frames), shape);
    for (int c = 0; c < buffer.channels; ++c) buffer.at(total - 1 - i, c) *= g;
  }
}

}  // namespace foley::audio
