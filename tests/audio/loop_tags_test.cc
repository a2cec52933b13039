// LOOPSTART / LOOPLENGTH in FLAC and Ogg files: written into the Vorbis
// comments after libsndfile encodes, with the stream left decodable and the
// other tags kept. (tests/e2e/delivery_test.sh reads them with ffprobe.)
#include <catch2/catch.hpp>

#include <algorithm>

#include "audio/audio_reader.h"
#include "audio/audio_writer.h"
#include "audio/vorbis_comments.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "test_signals.h"

using namespace foley::audio;
using foley::audio::testing::ScratchDir;

namespace {

bool holds(const std::vector<std::string>& comments, const std::string& c) {
  return std::find(comments.begin(), comments.end(), c) != comments.end();
}

}  // namespace

TEST_CASE("loops in flac, ogg and opus carry LOOPSTART and LOOPLENGTH beside the other tags", "[audio][io]") {
  ScratchDir dir;
  for (const char* format : {"flac", "ogg", "opus"}) {
    CAPTURE(format);
    AudioBuffer in = testing::sine(440, 2.0, 48000, 0.5);
    WriteOptions o;
    o.format = format;
    o.bit_depth = 16;
    o.metadata.title = "a noise bed";
    o.metadata.comment = "foley cue=mix:bed";
    o.loop = LoopPoints{0, in.frames() - 1};
    const auto path = dir / (std::string("bed.") + format);
    write_audio(path, in, o);
    const std::string bytes = foley::read_file(path);
    const std::vector<std::string> comments = read_vorbis_comments(bytes, format, path.string());
    CHECK(holds(comments, "LOOPSTART=0"));
    CHECK(holds(comments, "LOOPLENGTH=96000"));
    // libsndfile's own tags are still there, and still read by libsndfile.
    CHECK(probe_audio(path).metadata.title == "a noise bed");
    // The stream still decodes whole (lossy codecs: within their delay and padding).
    CHECK(read_audio(path).duration_seconds() == Approx(2.0).margin(0.06));
    // The tags add nothing that varies: the same FLAC render gives the same
    // bytes. (libsndfile gives each Ogg stream a random serial number.)
    if (std::string(format) == "flac") {
      write_audio(dir / "again", in, o);
      CHECK(foley::read_file(dir / "again") == bytes);
    }

    // A one-shot gets no loop tags.
    o.loop.reset();
    write_audio(path, in, o);
    const std::vector<std::string> plain = read_vorbis_comments(foley::read_file(path), format, path.string());
    CHECK_FALSE(std::any_of(plain.begin(), plain.end(), [](const std::string& c) { return c.rfind("LOOP", 0) == 0; }));
  }
}

TEST_CASE("a flac without a comment block gets one after STREAMINFO", "[audio][io]") {
  ScratchDir dir;
  WriteOptions o;
  o.format = "flac";
  o.bit_depth = 16;
  write_audio(dir / "bare.flac", testing::sine(440, 0.5, 48000), o);  // no tags: no comment block
  std::string bytes = foley::read_file(dir / "bare.flac");
  CHECK(read_vorbis_comments(bytes, "flac", "bare.flac").empty());
  add_vorbis_comments(bytes, "flac", loop_comments(100, 23999), "bare.flac");
  CHECK(read_vorbis_comments(bytes, "flac", "bare.flac") ==
        std::vector<std::string>{"LOOPSTART=100", "LOOPLENGTH=23900"});
  foley::write_file_atomic(dir / "tagged.flac", bytes);
  CHECK(read_audio(dir / "tagged.flac").frames() == 24000);
}

TEST_CASE("vorbis comments of a file that is not what it claims are an Error naming it", "[audio][io]") {
  std::string junk = "not an ogg file at all";
  CHECK_THROWS_WITH(add_vorbis_comments(junk, "ogg", {"A=1"}, "junk.ogg"), Catch::Contains("junk.ogg"));
  CHECK_THROWS_WITH(add_vorbis_comments(junk, "flac", {"A=1"}, "junk.flac"), Catch::Contains("junk.flac"));
  CHECK_THROWS_AS(add_vorbis_comments(junk, "mp3", {"A=1"}, "junk.mp3"), foley::Error);
}
