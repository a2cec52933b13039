#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "audio/audio_reader.h"
#include "audio/audio_writer.h"
#include "audio/gain.h"
#include "audio/loudness.h"
#include "audio/render.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;
using foley::RenderRequest;
using foley::audio::testing::ScratchDir;
using nlohmann::json;

namespace {

json settings(json overrides = json::object()) {
  json r = {{"sample_rate", 48000}, {"bit_depth", 24}, {"format", "wav"},  {"channels", 1},   {"loudness", nullptr},
            {"gain_db", 0.0},       {"fade_in", 0.0},  {"fade_out", 0.0}, {"clip", nullptr}};
  r.update(overrides);
  return r;
}

RenderRequest request(const ScratchDir& dir, const std::string& type, const std::string& input, json render,
                      const std::string& out_name = "out/door.wav") {
  RenderRequest r;
  r.render_key = "feedfacefeedfacefeedfacefeedface";
  r.gen_key = type == "generated" ? "0123456789abcdef0123456789abcdef" : "";
  r.cue = "ep1:door";
  r.type = type;
  if (!input.empty()) r.input_path = dir / input;
  r.output_path = dir / out_name;
  r.cache_dir = dir / "cache";
  r.render = std::move(render);
  r.provenance = {{"prompt", "a heavy wooden door creaks open"},
                  {"engine", "elevenlabs"},
                  {"profile", "sfx"},
                  {"seed", 42},
                  {"gen_key", r.gen_key},
                  {"render_key", r.render_key},
                  {"category", "sfx"},
                  {"tags", json::array({"door", "wood"})}};
  return r;
}

void write_input(const ScratchDir& dir, const std::string& name, const AudioBuffer& b) {
  WriteOptions o;
  o.bit_depth = 32;
  write_audio(dir / name, b, o);
}

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

}  // namespace

TEST_CASE("render: a generated cue is resampled, downmixed, clipped, normalised, faded and tagged", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "raw.wav", testing::noise(2.0, 44100, 0.05, 2));
  auto req = request(dir, "generated", "raw.wav",
                     settings({{"format", "flac"}, {"loudness", -20.0}, {"clip", 1.5}, {"fade_in", 0.05},
                               {"fade_out", 0.1}}),
                     "out/door.flac");
  RenderResult r = render(req);

  CHECK(r.output_path == req.output_path);
  AudioInfo info = probe_audio(req.output_path);
  CHECK(info.format == "flac");
  CHECK(info.encoding == "pcm_24");
  CHECK(info.sample_rate == 48000);
  CHECK(info.channels == 1);
  CHECK(info.frames == 72000);
  CHECK(info.metadata.title == "a heavy wooden door creaks open");
  CHECK(info.metadata.artist == "elevenlabs");
  CHECK(info.metadata.album == "ep1:door");
  CHECK(info.metadata.genre == "sfx");
  CHECK_THAT(info.metadata.comment, Catch::Contains("seed=42") &&
                                        Catch::Contains("gen_key=0123456789abcdef0123456789abcdef") &&
                                        Catch::Contains("render_key=feedface"));

  AudioBuffer out = read_audio(req.output_path);
  CHECK(out.samples.front() == 0.0f);
  CHECK(std::fabs(out.samples.back()) < 1e-6);
  LoudnessMeasurement m = measure_loudness(out);
  REQUIRE(m.integrated_lufs);
  // Normalisation comes last, after the fades: the target holds exactly.
  CHECK(*m.integrated_lufs == Approx(-20.0).margin(0.5));
  REQUIRE(r.integrated_lufs);
  CHECK(*r.integrated_lufs == Approx(*m.integrated_lufs).margin(0.05));

  REQUIRE(std::filesystem::exists(r.sidecar_path));
  CHECK(r.sidecar_path.string() == req.output_path.string() + ".json");
  json side = read_json(r.sidecar_path);
  CHECK(side == r.sidecar);
  CHECK(side["provenance"] == req.provenance);
  CHECK(side["render"] == RenderSettings::from_json(req.render, "t").to_json());
  std::vector<std::string> keys;
  for (const auto& [k, v] : side["render"].items()) keys.push_back(k);
  CHECK_THAT(keys, Catch::UnorderedEquals(std::vector<std::string>{
                       "sample_rate", "bit_depth", "format", "channels", "loudness", "gain_db", "fade_in", "fade_out",
                       "clip", "loudness_measure", "true_peak", "highpass", "loop", "bitrate", "quality"}));
  CHECK(side["loudness_range_lu"].is_number());
  CHECK(side["momentary_max_lufs"].is_number());
  CHECK(side["loop"].is_null());
  CHECK(side["padded_seconds"] == 0.0);
  CHECK(side["duration_seconds"].get<double>() == Approx(1.5));
  CHECK(side["frames"] == 72000);
  CHECK(side["integrated_lufs"].get<double>() == Approx(*m.integrated_lufs).margin(0.05));
  CHECK(side["sample_peak_dbfs"].get<double>() == Approx(m.sample_peak_dbfs).margin(0.05));
  CHECK(side["true_peak_dbtp"].get<double>() <= -1.0 + 0.05);
  CHECK(side["peak_limited"] == false);
  CHECK(std::distance(std::filesystem::directory_iterator(dir / "out"), {}) == 2);
}

TEST_CASE("render: a source cue without clip keeps its length; mono is upmixed", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "src.wav", testing::sine(440, 0.75, 48000, 0.25));
  auto req = request(dir, "source", "src.wav", settings({{"channels", 2}, {"bit_depth", 16}}));
  RenderResult r = render(req);
  AudioBuffer out = read_audio(req.output_path);
  CHECK(out.channels == 2);
  CHECK(out.frames() == 36000);
  CHECK(out.at(1000, 0) == out.at(1000, 1));
  CHECK(out.at(1000, 0) == Approx(0.25 * std::sin(2 * M_PI * 440 * 1000 / 48000.0)).margin(1e-4));
  CHECK(r.loudness_gain_db == 0.0);
  CHECK(probe_audio(req.output_path).encoding == "pcm_16");
}

TEST_CASE("render: silence cue makes clip seconds of digital silence", "[audio][render]") {
  ScratchDir dir;
  auto req = request(dir, "silence", "", settings({{"clip", 2.0}, {"channels", 2}, {"loudness", -23.0}}));
  RenderResult r = render(req);
  AudioBuffer out = read_audio(req.output_path);
  CHECK(out.frames() == 96000);
  CHECK(out.channels == 2);
  CHECK(sample_peak(out) == 0.0);
  json side = read_json(r.sidecar_path);
  CHECK(side["integrated_lufs"].is_null());
  CHECK(side["sample_peak_dbfs"].is_null());
  CHECK(side["duration_seconds"].get<double>() == Approx(2.0));

  auto no_clip = request(dir, "silence", "", settings(), "out/gap.wav");
  CHECK_THROWS_WITH(render(no_clip), Catch::Contains("ep1:door") && Catch::Contains("clip"));
}

TEST_CASE("render: gain_db that would clip is limited and reported", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "hot.wav", testing::sine(1000, 1.0, 48000, 0.5));
  auto req = request(dir, "generated", "hot.wav", settings({{"gain_db", 12.0}}));
  RenderResult r = render(req);
  CHECK(r.peak_limited);
  CHECK(r.applied_gain_db == Approx(6.02).margin(0.01));
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("gain_db"));
  CHECK(sample_peak(read_audio(req.output_path)) <= 1.0);
  CHECK(read_json(r.sidecar_path)["warnings"].size() == 1);
}

TEST_CASE("render: bad settings name the cue and the field", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "raw.wav", testing::sine(440, 0.5, 48000));
  struct Case {
    json overrides;
    const char* field;
  };
  for (const Case& c : {Case{{{"bit_depth", 20}}, "bit_depth"}, Case{{{"format", "aiff"}}, "format"},
                        Case{{{"format", "opus"}, {"sample_rate", 44100}}, "sample_rate"},
                        Case{{{"format", "mp3"}, {"bitrate", 500}}, "bitrate"},
                        Case{{{"format", "wav"}, {"bitrate", 128}}, "bitrate"},
                        Case{{{"format", "mp3"}, {"quality", 5}}, "quality"},
                        Case{{{"format", "flac"}, {"bit_depth", 32}}, "bit_depth"},
                        Case{{{"channels", 6}}, "channels"}, Case{{{"sample_rate", 100}}, "sample_rate"},
                        Case{{{"sample_rate", "48k"}}, "sample_rate"}, Case{{{"loudness", 5.0}}, "loudness"},
                        Case{{{"fade_in", -1.0}}, "fade_in"}, Case{{{"clip", 0.0}}, "clip"},
                        Case{{{"dither", true}}, "dither"}, Case{{{"loop", 1}}, "loop"},
                        Case{{{"loudness_measure", "peak"}}, "loudness_measure"}, Case{{{"true_peak", 1.0}}, "true_peak"},
                        Case{{{"highpass", 2.0}}, "highpass"}, Case{{{"channels", "stereo"}}, "channels"}}) {
    CAPTURE(c.overrides.dump());
    auto req = request(dir, "generated", "raw.wav", settings(c.overrides));
    try {
      render(req);
      FAIL("render accepted bad settings");
    } catch (const foley::Error& e) {
      CHECK_THAT(e.what(), Catch::Contains("ep1:door") && Catch::Contains(c.field));
      CHECK(e.exit_code() == 2);
    }
  }
  json missing = settings();
  missing.erase("gain_db");
  CHECK_THROWS_WITH(render(request(dir, "generated", "raw.wav", missing)), Catch::Contains("gain_db"));
  CHECK_THROWS_WITH(render(request(dir, "remix", "raw.wav", settings())), Catch::Contains("type"));
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
}

TEST_CASE("render: a corrupt or missing input names the file and leaves nothing behind", "[audio][render]") {
  ScratchDir dir;
  std::ofstream(dir / "corrupt.mp3", std::ios::binary) << std::string(4096, '\x5a');
  std::filesystem::create_directories(dir / "out");
  for (const char* input : {"corrupt.mp3", "missing.wav"}) {
    CAPTURE(input);
    auto req = request(dir, "generated", input, settings());
    CHECK_THROWS_WITH(render(req), Catch::Contains((dir / input).string()));
    CHECK_FALSE(std::filesystem::exists(req.output_path));
    CHECK_FALSE(std::filesystem::exists(req.output_path.string() + ".json"));
    CHECK(std::filesystem::is_empty(dir / "out"));  // no temp files either
  }
}

TEST_CASE("render: a failed render leaves an earlier output untouched", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "raw.wav", testing::sine(440, 0.5, 48000));
  auto req = request(dir, "generated", "raw.wav", settings());
  render(req);
  auto before = foley::read_file(req.output_path);
  std::ofstream(dir / "raw.wav", std::ios::binary | std::ios::trunc) << "garbage";
  CHECK_THROWS_AS(render(req), foley::Error);
  CHECK(foley::read_file(req.output_path) == before);
  CHECK(std::distance(std::filesystem::directory_iterator(dir / "out"), {}) == 2);
}

TEST_CASE("render is deterministic: the same request gives the same bytes", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "raw.wav", testing::noise(1.0, 22050, 0.1, 2));
  auto req = request(dir, "generated", "raw.wav", settings({{"loudness", -18.0}, {"fade_out", 0.2}}));
  render(req);
  auto first = foley::read_file(req.output_path);
  auto first_side = foley::read_file(req.output_path.string() + ".json");
  render(req);
  CHECK(foley::read_file(req.output_path) == first);
  CHECK(foley::read_file(req.output_path.string() + ".json") == first_side);
}

TEST_CASE("render_buffer: loudness normalisation runs last, after the fades and gain", "[audio][render]") {
  json s = settings({{"channels", 2}, {"clip", 0.5}, {"loudness", -18.0}});
  AudioBuffer in = testing::noise(1.0, 16000, 0.05);
  RenderResult plain;
  AudioBuffer a = render_buffer(in, RenderSettings::from_json(s, "t:a"), plain);
  CHECK(a.sample_rate == 48000);
  CHECK(a.channels == 2);
  CHECK(a.frames() == 24000);
  REQUIRE(plain.integrated_lufs);
  CHECK(*plain.integrated_lufs == Approx(-18.0).margin(0.1));
  CHECK(plain.duration_seconds == Approx(0.5));

  s["fade_out"] = 0.25;
  s["gain_db"] = -6.0;
  RenderResult faded;
  AudioBuffer b = render_buffer(in, RenderSettings::from_json(s, "t:b"), faded);
  CHECK(faded.loudness_gain_db > plain.loudness_gain_db + 6.0);  // made up for the fade and the trim
  REQUIRE(faded.integrated_lufs);
  CHECK(*faded.integrated_lufs == Approx(-18.0).margin(0.1));
  CHECK(b.at(b.frames() - 1, 0) == 0.0f);
}

TEST_CASE("render: a loop cue is a seamless loop to clip with its points in a smpl chunk", "[audio][render][loop]") {
  ScratchDir dir;
  AudioBuffer raw = testing::noise(3.0, 48000, 0.1);
  for (float& v : raw.samples) v -= 0.3f;  // a DC offset, as small models leave
  write_input(dir, "bed.wav", raw);
  auto req = request(dir, "generated", "bed.wav",
                     settings({{"clip", 8.0}, {"loop", true}, {"highpass", 20.0}, {"fade_out", 1.0},
                               {"loudness", -16.0}}),
                     "out/bed.wav");
  RenderResult r = render(req);
  REQUIRE(r.loop);
  CHECK(r.loop->repeats == 4);
  CHECK(r.frames == r.loop->period * 4);
  CHECK(r.frames > 8 * 48000 - 4);
  CHECK(r.padded_seconds == 0.0);
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("fade"));
  AudioBuffer out = read_audio(req.output_path);
  // No fade: the last frame is as loud as the body, and meets the first.
  CHECK(std::fabs(out.samples.back()) > 0.0f);
  double mean = 0.0;
  for (float v : out.samples) mean += v;
  CHECK(std::fabs(mean / out.samples.size()) < 1e-3);
  CHECK(*measure_loudness(out).integrated_lufs == Approx(-16.0).margin(0.2));
  json side = read_json(r.sidecar_path);
  CHECK(side["loop"]["start"] == 0);
  CHECK(side["loop"]["end"] == r.frames - 1);

  // The smpl chunk as the RIFF layout defines it: 36 bytes of header, the
  // loop count at 28, then a 24-byte loop: id, type, start, end.
  std::string bytes = foley::read_file(req.output_path);
  size_t at = bytes.find("smpl");
  REQUIRE(at != std::string::npos);
  auto u32 = [&](size_t off) {
    return uint32_t(uint8_t(bytes[off])) | uint32_t(uint8_t(bytes[off + 1])) << 8 |
           uint32_t(uint8_t(bytes[off + 2])) << 16 | uint32_t(uint8_t(bytes[off + 3])) << 24;
  };
  const size_t body = at + 8;
  CHECK(u32(body + 28) == 1);
  CHECK(u32(body + 36 + 4) == 0);  // forward
  CHECK(u32(body + 36 + 8) == 0);
  CHECK(u32(body + 36 + 12) == r.frames - 1);
}

TEST_CASE("render: a one-shot shorter than clip is padded, and the sidecar says by how much", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "hit.wav", testing::noise(0.5, 48000, 0.2));
  auto req = request(dir, "generated", "hit.wav", settings({{"clip", 2.0}}));
  RenderResult r = render(req);
  CHECK(r.padded_seconds == Approx(1.5));
  CHECK(read_json(r.sidecar_path)["padded_seconds"].get<double>() == Approx(1.5));
  CHECK(std::string(foley::read_file(req.output_path)).find("smpl") == std::string::npos);
}

TEST_CASE("render: a down-mix is said; channels = \"source\" keeps the layout", "[audio][render]") {
  ScratchDir dir;
  write_input(dir, "st.wav", testing::noise(0.5, 48000, 0.2, 2));
  RenderResult mono = render(request(dir, "source", "st.wav", settings()));
  REQUIRE(mono.warnings.size() == 1);
  CHECK_THAT(mono.warnings[0], Catch::Contains("down-mixed"));
  auto keep = request(dir, "source", "st.wav", settings({{"channels", "source"}}), "out/st.wav");
  RenderResult kept = render(keep);
  CHECK(kept.warnings.empty());
  CHECK(probe_audio(keep.output_path).channels == 2);
  CHECK(read_json(kept.sidecar_path)["render"]["channels"] == "source");
}

TEST_CASE("render: mp3, ogg and opus decode at the expected length with the provenance tags", "[audio][render][formats]") {
  ScratchDir dir;
  // Tones: white noise would lose its top octaves to the encoders' low-pass,
  // and with them over a LU of K-weighted loudness.
  AudioBuffer tones = testing::sine(440, 2.0, 48000, 0.2);
  AudioBuffer fifth = testing::sine(660, 2.0, 48000, 0.1);
  for (size_t i = 0; i < tones.samples.size(); ++i) tones.samples[i] += fifth.samples[i];
  write_input(dir, "raw.wav", tones);
  struct Case {
    const char* format;
    json extra;
    const char* encoding;
    double tolerance_s;  // MP3 frames are 1152 samples; the decoder trims LAME's delay and padding
  };
  for (const Case& c : {Case{"mp3", {{"bitrate", 128}}, "mpeg_layer_iii", 0.05}, Case{"ogg", {{"quality", 4.0}}, "vorbis", 0.001},
                        Case{"opus", {{"bitrate", 48}}, "opus", 0.001}}) {
    CAPTURE(c.format);
    json s = settings({{"format", c.format}, {"clip", 1.5}, {"loudness", -16.0}});
    s.update(c.extra);
    auto req = request(dir, "generated", "raw.wav", s, std::string("out/door.") + c.format);
    RenderResult r = render(req);
    AudioInfo info = probe_audio(req.output_path);
    CHECK(info.format == (std::string(c.format) == "mp3" ? "mp3" : "ogg"));
    CHECK(info.encoding == c.encoding);
    CHECK(info.duration_seconds == Approx(1.5).margin(c.tolerance_s));
    CHECK(info.metadata.title == "a heavy wooden door creaks open");
    CHECK_THAT(info.metadata.comment, Catch::Contains("gen_key=0123456789abcdef0123456789abcdef"));
    AudioBuffer out = read_audio(req.output_path);
    CHECK(*measure_loudness(out).integrated_lufs == Approx(-16.0).margin(0.2));  // measured after encoding, corrected
  }
  // A higher bitrate makes a bigger file: the setting reaches the encoder.
  auto size_at = [&](int kbps) {
    auto req = request(dir, "generated", "raw.wav", settings({{"format", "mp3"}, {"bitrate", kbps}}), "out/b.mp3");
    render(req);
    return std::filesystem::file_size(req.output_path);
  };
  CHECK(size_at(256) > size_at(64) * 3);
}
