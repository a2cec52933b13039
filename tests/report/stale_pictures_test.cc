#include <catch2/catch.hpp>

#include <stdlib.h>

#include <cmath>
#include <filesystem>

#include "audio/audio_buffer.h"
#include "audio/audio_writer.h"
#include "report/report_html.h"
#include "report/report_images.h"
#include "report/report_json.h"

using namespace foley::report;
namespace fs = std::filesystem;

namespace {

const std::string kOld = "0123456789abcdef0123456789abcdef";
const std::string kNew = "fedcba9876543210fedcba9876543210";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "foley-stale-pictures-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

// A stale cue: its prompt changed, the new take is not made yet, the take its
// last build delivered is still in the cache.
Report stale_cue_report(const std::string& old_object) {
  CueRow door;
  door.id = "door";
  door.qualified_id = "ep1:door";
  door.manifest = "ep1";
  door.type = "generated";
  door.status = {false, "changed: prompt", std::nullopt};
  Take now;
  now.gen_key = kNew;
  now.object = "cache/objects/fe/" + kNew + ".wav";
  now.present = false;
  now.picked = true;
  door.takes = {now};
  Take before;
  before.gen_key = kOld;
  before.object = old_object;
  before.present = true;
  door.last_built = before;
  Report r;
  r.manifests = {{"ep1", {door}}};
  return r;
}

}  // namespace

TEST_CASE("a stale cue keeps the pictures of the take it last delivered, marked stale") {
  TempDir dir;
  const std::string old_object = "cache/objects/01/" + kOld + ".wav";
  fs::create_directories((dir.path / old_object).parent_path());
  foley::audio::AudioBuffer tone = foley::audio::AudioBuffer::silence(8000, 1, 16000);
  for (size_t i = 0; i < tone.frames(); ++i) tone.at(i, 0) = static_cast<float>(0.5 * std::sin(0.2 * i));
  foley::audio::WriteOptions wav;
  foley::audio::write_audio(dir.path / old_object, tone, wav);
  const fs::path report_dir = dir.path / "out" / "report";
  fs::create_directories(report_dir / "img");

  Report r = stale_cue_report(old_object);
  ImageStats stats = make_images(r, dir.path, report_dir);
  CHECK(stats.drawn == 1);
  const CueRow& row = r.manifests[0].cues[0];
  REQUIRE(row.images_stale);
  CHECK(row.images.spectrogram == "img/" + kOld + "-spectrogram-v1.png");
  CHECK(row.images.waveform == "img/" + kOld + "-waveform-v1.png");
  CHECK(fs::exists(report_dir / row.images.spectrogram));
  CHECK(fs::exists(report_dir / row.images.waveform));

  const std::string html = render_html(r, dir.path, report_dir);
  CHECK(html.find("pictures of the last build (stale)") != std::string::npos);
  CHECK(html.find("class=\"spectrogram stale\" src=\"img/" + kOld + "-spectrogram-v1.png\"") != std::string::npos);
  CHECK(html.find("class=\"waveform stale\"") != std::string::npos);

  const auto json = report_json(r);
  const auto& cue = json["manifests"][0]["cues"][0];
  CHECK(cue["images_stale"] == true);
  CHECK(cue["last_built"]["gen_key"] == kOld);
  CHECK(cue["images"]["spectrogram"] == "img/" + kOld + "-spectrogram-v1.png");

  // Once the new take is made, its own pictures replace the old ones, which go.
  fs::create_directories((dir.path / "cache/objects/fe"));
  foley::audio::write_audio(dir.path / "cache/objects/fe" / (kNew + ".wav"), tone, wav);
  Report built = stale_cue_report(old_object);
  built.manifests[0].cues[0].status = {true, "", std::nullopt};
  built.manifests[0].cues[0].takes[0].present = true;
  built.manifests[0].cues[0].last_built.reset();
  stats = make_images(built, dir.path, report_dir);
  CHECK(stats.drawn == 1);
  CHECK(stats.removed == 2);
  CHECK_FALSE(built.manifests[0].cues[0].images_stale);
  CHECK(built.manifests[0].cues[0].images.spectrogram == "img/" + kNew + "-spectrogram-v1.png");
  const std::string fresh_html = render_html(built, dir.path, report_dir);
  CHECK(fresh_html.find("pictures of the last build") == std::string::npos);
  CHECK(fresh_html.find("class=\"spectrogram\" src=\"img/" + kNew) != std::string::npos);
}
