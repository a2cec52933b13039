#include "report/report_images.h"

#include <map>
#include <set>
#include <vector>

#include "audio/audio_reader.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"
#include "common/parallel_for.h"
#include "report/png_writer.h"
#include "report/spectrogram.h"
#include "report/waveform.h"

namespace foley::report {
namespace fs = std::filesystem;

namespace {

// Bump when the drawing changes, so pictures drawn the old way are replaced.
constexpr int kDrawingVersion = 1;
constexpr const char* kImageDir = "img";

const SpectrogramOptions kSpectrogram{};
const WaveformOptions kWaveform{};

std::string spectrogram_name(const std::string& key) {
  return std::string(kImageDir) + "/" + key + "-spectrogram-v" + std::to_string(kDrawingVersion) + ".png";
}
std::string waveform_name(const std::string& key) {
  return std::string(kImageDir) + "/" + key + "-waveform-v" + std::to_string(kDrawingVersion) + ".png";
}

// One sound to picture and everywhere its pictures are shown.
struct Job {
  fs::path source;
  std::vector<Images*> targets;
};

}  // namespace

int spectrogram_width() { return kSpectrogram.width; }
int spectrogram_height() { return kSpectrogram.height; }
int waveform_width() { return kWaveform.width; }
int waveform_height() { return kWaveform.height; }

ImageStats make_images(Report& report, const fs::path& project_root, const fs::path& report_dir) {
  std::map<std::string, Job> jobs;  // by key: two cues sharing an object share its pictures
  for (auto& section : report.manifests)
    for (CueRow& row : section.cues) {
      for (Take& t : row.takes)
        if (t.present) {
          Job& j = jobs[t.gen_key];
          j.source = project_root / t.object;
          j.targets.push_back(&t.images);
        }
      if (row.last_built) {
        Job& j = jobs[row.last_built->gen_key];
        j.source = project_root / row.last_built->object;
        j.targets.push_back(&row.last_built->images);
      }
      if (row.takes.empty() && row.delivered.present) {
        Job& j = jobs[row.render_key];
        j.source = project_root / row.delivered.path;
        j.targets.push_back(&row.images);
      }
    }

  ImageStats stats;
  std::vector<std::pair<std::string, Job*>> to_draw;
  std::set<std::string> used;
  for (auto& [key, job] : jobs) {
    Images names{spectrogram_name(key), waveform_name(key)};
    used.insert(fs::path(names.spectrogram).filename().string());
    used.insert(fs::path(names.waveform).filename().string());
    std::error_code ec;
    if (fs::exists(report_dir / names.spectrogram, ec) && fs::exists(report_dir / names.waveform, ec))
      stats.reused++;
    else
      to_draw.emplace_back(key, &job);
    for (Images* target : job.targets) *target = names;
  }

  // Decoding and drawing dominate a report's time; each sound is independent.
  // A sound that cannot be decoded (a damaged object: `foley cache verify`
  // says which) loses its pictures, not the whole report.
  std::vector<std::string> failures(to_draw.size());
  parallel_for(to_draw.size(), 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const auto& [key, job] = to_draw[i];
      try {
        audio::AudioBuffer sound = audio::read_audio(job->source);
        write_png(report_dir / spectrogram_name(key), draw_spectrogram(sound, kSpectrogram));
        write_png(report_dir / waveform_name(key), draw_waveform(sound, kWaveform));
      } catch (const Error& e) {
        failures[i] = e.what();
      }
    }
  });
  for (size_t i = 0; i < to_draw.size(); ++i) {
    if (failures[i].empty()) {
      stats.drawn++;
      continue;
    }
    log_warning("report: no pictures of " + to_draw[i].second->source.string() + ": " + failures[i]);
    for (Images* target : to_draw[i].second->targets) *target = Images{};
    stats.failed++;
  }

  for (auto& section : report.manifests)
    for (CueRow& row : section.cues) {
      for (const Take& t : row.takes)
        if (t.picked) row.images = t.images;
      if (row.images.spectrogram.empty() && row.last_built) {
        row.images = row.last_built->images;
        row.images_stale = !row.images.spectrogram.empty();
      }
    }

  // Pictures of sounds no row shows any more (an edited prompt's old object),
  // and temp files a killed run left.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(report_dir / kImageDir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours = name.size() > 4 && name.ends_with(".png") && name.find("-v") != std::string::npos;
    if ((ours && !used.count(name)) || is_temp_name(name)) {
      std::error_code rm;
      if (fs::remove(entry.path(), rm) && ours) stats.removed++;
    }
  }
  return stats;
}

}  // namespace foley::report
