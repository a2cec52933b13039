#include "audio/channels.h"

#include "common/error.h"

namespace foley::audio {

AudioBuffer convert_channels(const AudioBuffer& in, int channels) {
  if (channels == in.channels) return in;
  if (channels <= 0) throw Error("cannot convert audio to " + std::to_string(channels) + " channels");
  const size_t frames = in.frames();
  AudioBuffer out = AudioBuffer::silence(frames, channels, in.sample_rate);
  if (in.channels == 1) {
    for (size_t f = 0; f < frames; ++f)
      for (int c = 0; c < channels; ++c) out.at(f, c) = in.at(f, 0);
    return out;
  }
  if (channels == 1) {
    const float scale = 1.0f / static_cast<float>(in.channels);
    for (size_t f = 0; f < frames; ++f) {
      float sum = 0.0f;
      for (int c = 0; c < in.channels; ++c) sum += in.at(f, c);
      out.at(f, 0) = sum * scale;
    }
    return out;
  }
  throw Error("cannot convert " + std::to_string(in.channels) + "-channel audio to " + std::to_string(channels) +
              " channels (only mono to many and many to mono are supported)");
}

}  // namespace foley::audio
