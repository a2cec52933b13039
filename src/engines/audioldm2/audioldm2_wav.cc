#include "engines/audioldm2/audioldm2_wav.h"

#include <cstdint>
#include <cstring>

#include "common/error.h"

namespace foley::engines {
namespace {

void put_u16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string float_wav_image(const std::vector<float>& samples, int sample_rate) {
  if (sample_rate <= 0) throw Error::failure("float WAV: bad sample rate " + std::to_string(sample_rate));
  if (samples.size() > (0xFFFFFF00u - kFloatWavHeaderBytes) / 4)
    throw Error::failure("float WAV: " + std::to_string(samples.size()) + " samples do not fit a WAV file");
  const uint32_t data_size = static_cast<uint32_t>(samples.size() * 4);
  std::string out;
  out.reserve(kFloatWavHeaderBytes + data_size);
  out += "RIFF";
  put_u32(out, static_cast<uint32_t>(kFloatWavHeaderBytes - 8 + data_size));
  out += "WAVE";
  out += "fmt ";
  put_u32(out, 18);
  put_u16(out, 3);  // WAVE_FORMAT_IEEE_FLOAT
  put_u16(out, 1);  // mono
  put_u32(out, static_cast<uint32_t>(sample_rate));
  put_u32(out, static_cast<uint32_t>(sample_rate) * 4);
  put_u16(out, 4);   // block align
  put_u16(out, 32);  // bits per sample
  put_u16(out, 0);   // cbSize
  out += "fact";
  put_u32(out, 4);
  put_u32(out, static_cast<uint32_t>(samples.size()));
  out += "data";
  put_u32(out, data_size);
  for (float f : samples) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_u32(out, bits);
  }
  return out;
}

}  // namespace foley::engines
