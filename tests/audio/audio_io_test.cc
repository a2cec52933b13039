#include <sndfile.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "audio/audio_reader.h"
#include "audio/audio_writer.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;
using foley::audio::testing::ScratchDir;

namespace {

double max_abs_diff(const AudioBuffer& a, const AudioBuffer& b) {
  REQUIRE(a.samples.size() == b.samples.size());
  double d = 0.0;
  for (size_t i = 0; i < a.samples.size(); ++i) d = std::max(d, std::fabs(double(a.samples[i]) - b.samples[i]));
  return d;
}

// Encodes with libsndfile directly (formats write_audio does not offer).
void write_with_sndfile(const std::filesystem::path& path, const AudioBuffer& b, int format) {
  SF_INFO info{};
  info.samplerate = b.sample_rate;
  info.channels = b.channels;
  info.format = format;
  REQUIRE(sf_format_check(&info));
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(f != nullptr);
  REQUIRE(sf_writef_float(f, b.samples.data(), static_cast<sf_count_t>(b.frames())) ==
          static_cast<sf_count_t>(b.frames()));
  REQUIRE(sf_close(f) == 0);
}

}  // namespace

TEST_CASE("wav and flac round trips keep samples within the bit depth's resolution", "[audio][io]") {
  ScratchDir dir;
  AudioBuffer in = testing::noise(0.5, 44100, 0.9, 2);
  struct Case {
    const char* format;
    int bits;
    double tolerance;
    const char* encoding;
  };
  for (Case c : {Case{"wav", 16, 1.5 / 32768, "pcm_16"}, Case{"wav", 24, 1.5 / 8388608, "pcm_24"},
                 Case{"wav", 32, 0.0, "float"}, Case{"flac", 16, 1.5 / 32768, "pcm_16"},
                 Case{"flac", 24, 1.5 / 8388608, "pcm_24"}}) {
    CAPTURE(c.format, c.bits);
    auto path = dir / (std::string("out") + std::to_string(c.bits) + "." + c.format);
    WriteOptions o;
    o.format = c.format;
    o.bit_depth = c.bits;
    write_audio(path, in, o);
    AudioBuffer out = read_audio(path);
    CHECK(out.channels == 2);
    CHECK(out.sample_rate == 44100);
    CHECK(out.frames() == in.frames());
    CHECK(max_abs_diff(in, out) <= c.tolerance);
    AudioInfo info = probe_audio(path);
    CHECK(info.format == c.format);
    CHECK(info.encoding == c.encoding);
    CHECK(info.frames == static_cast<int64_t>(in.frames()));
    CHECK(info.duration_seconds == Approx(0.5));
  }
  // 16-bit really quantises (the tolerance above is not vacuous).
  WriteOptions o16;
  o16.bit_depth = 16;
  write_audio(dir / "q.wav", in, o16);
  CHECK(max_abs_diff(in, read_audio(dir / "q.wav")) > 1e-6);
}

TEST_CASE("write_audio stores metadata tags in wav and flac", "[audio][io]") {
  ScratchDir dir;
  WriteOptions o;
  o.metadata.title = "a heavy wooden door creaks open";
  o.metadata.artist = "elevenlabs";
  o.metadata.album = "ep1:door";
  o.metadata.comment = "seed=42 gen_key=0123456789abcdef0123456789abcdef";
  o.metadata.software = "foley";
  o.metadata.genre = "sfx";
  for (const char* format : {"wav", "flac"}) {
    CAPTURE(format);
    o.format = format;
    auto path = dir / (std::string("tagged.") + format);
    write_audio(path, testing::sine(440, 0.2, 48000), o);
    AudioMetadata back = probe_audio(path).metadata;
    // libsndfile appends its own name to the software tag.
    CHECK_THAT(back.software, Catch::StartsWith("foley"));
    back.software = o.metadata.software;
    CHECK(back == o.metadata);
  }
}

TEST_CASE("write_audio is atomic and rejects unsupported options without leaving files", "[audio][io]") {
  ScratchDir dir;
  AudioBuffer b = testing::sine(440, 0.1, 48000);
  WriteOptions o;
  o.format = "flac";
  o.bit_depth = 32;
  REQUIRE_THROWS_AS(write_audio(dir / "x.flac", b, o), foley::Error);
  o.format = "aiff";
  o.bit_depth = 16;
  REQUIRE_THROWS_AS(write_audio(dir / "x.aiff", b, o), foley::Error);
  o.format = "opus";  // Opus carries 8, 12, 16, 24 or 48 kHz
  REQUIRE_THROWS_AS(write_audio(dir / "x.opus", testing::sine(440, 0.1, 44100), o), foley::Error);
  o.format = "wav";
  o.bit_depth = 20;
  REQUIRE_THROWS_AS(write_audio(dir / "x.wav", b, o), foley::Error);
  CHECK(dir.entries() == 0);

  // Overwriting replaces the file; no temp file stays behind.
  o.bit_depth = 16;
  write_audio(dir / "x.wav", b, o);
  write_audio(dir / "x.wav", testing::sine(440, 0.3, 48000), o);
  CHECK(dir.entries() == 1);
  CHECK(read_audio(dir / "x.wav").frames() == 14400);
}

TEST_CASE("read_audio decodes mp3, ogg vorbis and ogg opus", "[audio][io]") {
  ScratchDir dir;
  struct Case {
    const char* name;
    int format;
    int rate;
    const char* container;
    const char* encoding;
  };
  for (Case c : {Case{"a.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, "mp3", "mpeg_layer_iii"},
                 Case{"a.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, "ogg", "vorbis"},
                 Case{"a.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, "ogg", "opus"}}) {
    CAPTURE(c.name);
    AudioBuffer in = testing::sine(1000, 1.0, c.rate, 0.5);
    write_with_sndfile(dir / c.name, in, c.format);
    AudioBuffer out = read_audio(dir / c.name);
    CHECK(out.sample_rate == c.rate);
    CHECK(out.channels == 1);
    // Lossy codecs add encoder delay / padding but not whole tenths of a second.
    CHECK(out.duration_seconds() == Approx(1.0).margin(0.06));
    CHECK(testing::estimate_frequency(out) == Approx(1000).margin(2));
    AudioInfo info = probe_audio(dir / c.name);
    CHECK(info.format == c.container);
    CHECK(info.encoding == c.encoding);
    CHECK(info.frames == static_cast<int64_t>(out.frames()));
    CHECK(info.duration_seconds == Approx(out.duration_seconds()));
  }
}

TEST_CASE("read_audio_bytes decodes encoded audio held in memory", "[audio][io]") {
  ScratchDir dir;
  AudioBuffer in = testing::sine(500, 0.25, 22050);
  WriteOptions o;
  o.format = "flac";
  o.bit_depth = 16;
  write_audio(dir / "m.flac", in, o);
  std::ifstream f(dir / "m.flac", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  AudioBuffer out = read_audio_bytes(bytes, "response body");
  CHECK(out.sample_rate == 22050);
  CHECK(out.frames() == in.frames());
  CHECK(max_abs_diff(in, out) <= 1.5 / 32768);
  CHECK_THROWS_WITH(read_audio_bytes("not audio at all", "response body"), Catch::Contains("response body"));
}

TEST_CASE("undecodable files give an Error naming the file", "[audio][io]") {
  ScratchDir dir;
  auto garbage = dir / "garbage.wav";
  std::ofstream(garbage, std::ios::binary) << "RIFF\x10\0\0\0WAVEjunkjunkjunk not really audio";
  CHECK_THROWS_WITH(read_audio(garbage), Catch::Contains(garbage.string()));
  CHECK_THROWS_WITH(probe_audio(garbage), Catch::Contains(garbage.string()));
  auto missing = dir / "missing.flac";
  CHECK_THROWS_WITH(read_audio(missing), Catch::Contains(missing.string()));
  try {
    read_audio(garbage);
  } catch (const foley::Error& e) {
    CHECK(e.exit_code() == 2);
  }
}

TEST_CASE("probe_audio counts MP3 frames exactly, with an ID3 tag or without a Xing header", "[audio][io]") {
  ScratchDir dir;
  AudioBuffer in = testing::sine(1000, 2.0, 44100, 0.5);
  write_with_sndfile(dir / "plain.mp3", in, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  std::string bytes = foley::read_file(dir / "plain.mp3");

  // An ID3v2.3 tag in front of the first frame: header, then one TIT2 frame.
  std::string frame = std::string("TIT2") + std::string("\0\0\0\x05\0\0", 6) + std::string("\0door", 5);
  std::string tag = std::string("ID3\x03\0\0", 6) + std::string("\0\0\0", 3) + char(frame.size()) + frame;
  std::ofstream(dir / "tagged.mp3", std::ios::binary) << tag + bytes;
  AudioInfo tagged_info = probe_audio(dir / "tagged.mp3");
  CHECK(tagged_info.format == "mp3");
  CHECK(tagged_info.metadata.title == "door");
  CHECK(tagged_info.frames == static_cast<int64_t>(read_audio(dir / "tagged.mp3").frames()));
  CHECK(tagged_info.duration_seconds == Approx(2.0).margin(0.06));

  // Without the Xing/LAME info frame the decoder can only estimate the length
  // up front; probe_audio must still report what read_audio decodes.
  REQUIRE(static_cast<unsigned char>(bytes[0]) == 0xff);
  const int kBitrates[] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
  const int kRates[] = {44100, 48000, 32000};
  unsigned char h2 = static_cast<unsigned char>(bytes[2]);
  size_t first_frame = 144000 * kBitrates[h2 >> 4] / kRates[(h2 >> 2) & 3] + ((h2 >> 1) & 1);
  REQUIRE(bytes.substr(first_frame, 2) == "\xff\xfb");
  std::ofstream(dir / "noxing.mp3", std::ios::binary) << bytes.substr(first_frame);
  AudioInfo info = probe_audio(dir / "noxing.mp3");
  AudioBuffer decoded = read_audio(dir / "noxing.mp3");
  CHECK(info.frames == static_cast<int64_t>(decoded.frames()));
  CHECK(info.duration_seconds == Approx(2.0).margin(0.08));
  CHECK(testing::estimate_frequency(decoded) == Approx(1000).margin(2));
}

TEST_CASE("a truncated flac is an Error, not shorter audio", "[audio][io]") {
  ScratchDir dir;
  WriteOptions o;
  o.format = "flac";
  o.bit_depth = 16;
  write_audio(dir / "full.flac", testing::noise(1.0, 48000), o);
  std::string bytes = foley::read_file(dir / "full.flac");
  std::ofstream(dir / "cut.flac", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK(read_audio(dir / "full.flac").frames() == 48000);
  CHECK_THROWS_WITH(read_audio(dir / "cut.flac"), Catch::Contains((dir / "cut.flac").string()) &&
                                                      Catch::Contains("truncated"));
}
