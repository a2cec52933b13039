#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "audio/audio_buffer.h"
#include "audio/metadata.h"

namespace foley::audio {

// What a file holds, learnt from its header (and, for MP3, a scan of its frames)
// without decoding every sample.
struct AudioInfo {
  int64_t frames = 0;
  int sample_rate = 0;
  int channels = 0;
  double duration_seconds = 0.0;
  std::string format;    // container: "wav", "flac", "ogg", "mp3", ...
  std::string encoding;  // "pcm_16", "pcm_24", "float", "ulaw", "vorbis", "opus", "mpeg_layer_iii", ...
  AudioMetadata metadata;  // string tags found in the file
};

// Decodes a whole file (WAV, FLAC, Ogg Vorbis/Opus, MP3, and whatever else
// libsndfile reads) to float32. Throws foley::Error naming `path` when the file
// is missing, is not audio, is corrupt, or decodes to fewer frames than its
// header promises (a truncated FLAC).
AudioBuffer read_audio(const std::filesystem::path& path);

// Like read_audio, for encoded bytes held in memory; `origin` names them in errors.
AudioBuffer read_audio_bytes(std::string_view bytes, const std::string& origin);

// Opens `path` and reports its properties. Throws foley::Error naming the path
// when it cannot be opened as audio or claims no channels / no sample rate.
AudioInfo probe_audio(const std::filesystem::path& path);

// Wraps headerless sample bytes from an API ("pcm_s16le", "ulaw" or "alaw")
// into a complete WAV file image (format tag 1, 7 or 6) holding exactly those
// sample bytes. Throws foley::Error for an unknown encoding, a bad rate or
// channel count, or a byte count that is not a whole number of frames.
std::string wrap_pcm_as_wav(std::string_view raw, int sample_rate, const std::string& encoding, int channels = 1);

}  // namespace foley::audio
