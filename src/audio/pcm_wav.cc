// wrap_pcm_as_wav, declared in audio_reader.h: headerless API samples to a WAV image.
#include <cstdint>

#include "audio/audio_reader.h"
#include "common/error.h"

namespace foley::audio {
namespace {

void put_u16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string wrap_pcm_as_wav(std::string_view raw, int sample_rate, const std::string& encoding, int channels) {
  uint16_t format_tag = 0;
  uint16_t bits = 0;
  if (encoding == "pcm_s16le") {
    format_tag = 1;
    bits = 16;
  } else if (encoding == "ulaw") {
    format_tag = 7;
    bits = 8;
  } else if (encoding == "alaw") {
    format_tag = 6;
    bits = 8;
  } else {
    throw Error("cannot wrap raw audio: unknown encoding \"" + encoding + "\" (expected pcm_s16le, ulaw or alaw)");
  }
  if (sample_rate <= 0 || channels <= 0 || channels > 16)
    throw Error("cannot wrap raw audio: bad sample rate " + std::to_string(sample_rate) + " or channel count " +
                std::to_string(channels));
  const uint32_t block_align = static_cast<uint32_t>(channels) * (bits / 8);
  if (raw.size() % block_align != 0)
    throw Error("cannot wrap raw " + encoding + " audio: " + std::to_string(raw.size()) +
                " bytes is not a whole number of " + std::to_string(block_align) + "-byte frames");
  if (raw.size() > 0xFFFFFF00u) throw Error("cannot wrap raw audio: " + std::to_string(raw.size()) + " bytes is too large for WAV");

  const bool pcm = format_tag == 1;
  const uint32_t data_size = static_cast<uint32_t>(raw.size());
  const uint32_t pad = data_size & 1u;  // RIFF chunks are word aligned
  const uint32_t fmt_size = pcm ? 16 : 18;  // non-PCM formats carry cbSize
  const uint32_t fact_chunk = pcm ? 0 : 12;  // non-PCM formats need a fact chunk
  const uint32_t riff_size = 4 + (8 + fmt_size) + fact_chunk + (8 + data_size + pad);

  std::string out;
  out.reserve(12 + riff_size);
  out += "RIFF";
  put_u32(out, riff_size);
  out += "WAVE";
  out += "fmt ";
  put_u32(out, fmt_size);
  put_u16(out, format_tag);
  put_u16(out, static_cast<uint16_t>(channels));
  put_u32(out, static_cast<uint32_t>(sample_rate));
  put_u32(out, static_cast<uint32_t>(sample_rate) * block_align);
  put_u16(out, static_cast<uint16_t>(block_align));
  put_u16(out, bits);
  if (!pcm) {
    put_u16(out, 0);  // cbSize
    out += "fact";
    put_u32(out, 4);
    put_u32(out, data_size / block_align);  // frames
  }
  out += "data";
  put_u32(out, data_size);
  out.append(raw);
  if (pad) out.push_back('\0');
  return out;
}

}  // namespace foley::audio
