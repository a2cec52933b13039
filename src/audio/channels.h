#pragma once

#include "audio/audio_buffer.h"

namespace foley::audio {

// Converts to `channels` channels: mono is copied to every channel; any layout
// is downmixed to mono by averaging its channels. Other conversions (5.1 to
// stereo, ...) throw foley::Error. Returns the input unchanged when it already
// has `channels` channels.
AudioBuffer convert_channels(const AudioBuffer& buffer, int channels);

}  // namespace foley::audio
