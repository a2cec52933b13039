#include "audio/wav_image.h"

#include <cstdint>
#include <cstring>

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

std::string wav_image(std::string_view data, int format_tag, int bits_per_sample, int channels, int sample_rate) {
  if (sample_rate <= 0 || channels <= 0 || channels > 16 || bits_per_sample <= 0 || bits_per_sample % 8 != 0)
    throw Error("cannot write a WAV image: bad sample rate " + std::to_string(sample_rate) + ", channel count " +
                std::to_string(channels) + " or sample size " + std::to_string(bits_per_sample));
  const uint32_t block_align = static_cast<uint32_t>(channels) * (bits_per_sample / 8);
  if (data.size() % block_align != 0)
    throw Error("cannot write a WAV image: " + std::to_string(data.size()) + " bytes is not a whole number of " +
                std::to_string(block_align) + "-byte frames");
  const bool pcm = format_tag == kWavPcm;
  const uint32_t fmt_size = pcm ? 16 : 18;   // non-PCM formats carry cbSize
  const uint32_t fact_chunk = pcm ? 0 : 12;  // and need a fact chunk
  const uint32_t header = 12 + (8 + fmt_size) + fact_chunk + 8;
  if (data.size() > 0xFFFFFFFEu - header)
    throw Error("cannot write a WAV image: " + std::to_string(data.size()) + " bytes is too large for WAV");
  const uint32_t data_size = static_cast<uint32_t>(data.size());
  const uint32_t pad = data_size & 1u;  // RIFF chunks are word aligned
  const uint32_t riff_size = header - 8 + data_size + pad;

  std::string out;
  out.reserve(8 + riff_size);
  out += "RIFF";
  put_u32(out, riff_size);
  out += "WAVE";
  out += "fmt ";
  put_u32(out, fmt_size);
  put_u16(out, static_cast<uint16_t>(format_tag));
  put_u16(out, static_cast<uint16_t>(channels));
  put_u32(out, static_cast<uint32_t>(sample_rate));
  put_u32(out, static_cast<uint32_t>(sample_rate) * block_align);
  put_u16(out, static_cast<uint16_t>(block_align));
  put_u16(out, static_cast<uint16_t>(bits_per_sample));
  if (!pcm) {
    put_u16(out, 0);  // cbSize
    out += "fact";
    put_u32(out, 4);
    put_u32(out, data_size / block_align);  // frames
  }
  out += "data";
  put_u32(out, data_size);
  out.append(data);
  if (pad) out.push_back('\0');
  return out;
}

std::string float_wav_image(const std::vector<float>& samples, int sample_rate) {
  std::string data;
  data.reserve(samples.size() * 4);
  for (float f : samples) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_u32(data, bits);
  }
  return wav_image(data, kWavFloat, 32, 1, sample_rate);
}

std::string wrap_pcm_as_wav(std::string_view raw, int sample_rate, const std::string& encoding, int channels) {
  if (encoding == "pcm_s16le") return wav_image(raw, kWavPcm, 16, channels, sample_rate);
  if (encoding == "ulaw") return wav_image(raw, kWavMuLaw, 8, channels, sample_rate);
  if (encoding == "alaw") return wav_image(raw, kWavALaw, 8, channels, sample_rate);
  throw Error("cannot wrap raw audio: unknown encoding \"" + encoding + "\" (expected pcm_s16le, ulaw or alaw)");
}

}  // namespace foley::audio
