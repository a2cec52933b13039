#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>

#include "audio/audio_reader.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;

namespace {

// G.711 decoders written from the standard's segment tables (not libsndfile's),
// returning the 16-bit linear value.
int ulaw_decode(uint8_t u) {
  u = static_cast<uint8_t>(~u);
  int exponent = (u >> 4) & 7;
  int mantissa = u & 0x0f;
  int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return (u & 0x80) ? -magnitude : magnitude;
}

int alaw_decode(uint8_t a) {
  a ^= 0x55;
  int t = (a & 0x0f) << 4;
  int segment = (a & 0x70) >> 4;
  if (segment == 0)
    t += 8;
  else
    t = (t + 0x108) << (segment - 1);
  return (a & 0x80) ? t : -t;
}

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

}  // namespace

TEST_CASE("wrap_pcm_as_wav: pcm_s16le decodes to exactly the given samples", "[audio][pcm]") {
  std::vector<int16_t> pcm = {0, 1, -1, 12345, -12345, 32767, -32768, 100};
  std::string raw(reinterpret_cast<const char*>(pcm.data()), pcm.size() * 2);  // host is little-endian
  std::string wav = wrap_pcm_as_wav(raw, 16000, "pcm_s16le");
  CHECK(wav.size() == 44 + raw.size());
  CHECK(wav.substr(0, 4) == "RIFF");
  CHECK(le32(wav, 4) == wav.size() - 8);
  CHECK(wav.substr(wav.size() - raw.size()) == raw);
  AudioBuffer b = read_audio_bytes(wav, "pcm");
  CHECK(b.sample_rate == 16000);
  CHECK(b.channels == 1);
  REQUIRE(b.frames() == pcm.size());
  for (size_t i = 0; i < pcm.size(); ++i) CHECK(b.samples[i] == Approx(pcm[i] / 32768.0).margin(1e-9));

  // Stereo: two samples per frame.
  AudioBuffer st = read_audio_bytes(wrap_pcm_as_wav(raw, 44100, "pcm_s16le", 2), "pcm");
  CHECK(st.channels == 2);
  CHECK(st.frames() == pcm.size() / 2);
}

TEST_CASE("wrap_pcm_as_wav: every u-law and a-law code decodes per G.711", "[audio][pcm]") {
  std::string codes;
  for (int i = 0; i < 256; ++i) codes.push_back(static_cast<char>(i));
  for (const char* encoding : {"ulaw", "alaw"}) {
    CAPTURE(encoding);
    std::string wav = wrap_pcm_as_wav(codes, 8000, encoding);
    CHECK(wav.find("fact") != std::string::npos);
    CHECK(wav.substr(wav.size() - codes.size()) == codes);
    AudioBuffer b = read_audio_bytes(wav, encoding);
    CHECK(b.sample_rate == 8000);
    REQUIRE(b.frames() == 256);
    for (int i = 0; i < 256; ++i) {
      CAPTURE(i);
      int expected = std::strcmp(encoding, "ulaw") == 0 ? ulaw_decode(uint8_t(i)) : alaw_decode(uint8_t(i));
      CHECK(b.samples[i] * 32768.0 == Approx(expected).margin(1e-3));
    }
  }
  // An odd byte count gets the RIFF pad byte and still decodes every sample.
  AudioBuffer odd = read_audio_bytes(wrap_pcm_as_wav(codes.substr(0, 7), 8000, "ulaw"), "odd");
  CHECK(odd.frames() == 7);
}

TEST_CASE("wrap_pcm_as_wav rejects bad input", "[audio][pcm]") {
  CHECK_THROWS_AS(wrap_pcm_as_wav("abc", 16000, "pcm_s16le"), foley::Error);  // half a sample
  CHECK_THROWS_WITH(wrap_pcm_as_wav("ab", 16000, "pcm_f32"), Catch::Contains("pcm_f32"));
  CHECK_THROWS_AS(wrap_pcm_as_wav("ab", 0, "ulaw"), foley::Error);
  CHECK_THROWS_AS(wrap_pcm_as_wav("abc", 8000, "alaw", 2), foley::Error);
}
