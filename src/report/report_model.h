#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace foley::report {

// What the page and the JSON export show, gathered once (report_builder.h).
// Paths are relative to the project root; image paths relative to the report
// folder (empty until report_images.h draws them).

// The pictures of one sound, named by its key: drawn once per key.
struct Images {
  std::string spectrogram;
  std::string waveform;
};

// One generation of a cue. A cue has one take per object it may deliver; the
// picked one is what was rendered. A score is the ranking's similarity between
// the take and the prompt, when takes were ranked.
struct Take {
  std::string gen_key;
  std::string object;                       // the object file
  bool present = false;                     // the object is in the cache
  bool picked = false;
  std::optional<double> score;
  double credits = 0.0;                     // spent on it (index record)
  bool credits_estimated = false;
  std::optional<double> duration_seconds;   // of the object (index record)
  Images images;
};

// Whether the delivered file is up to date (the status `foley status` shows).
struct CueStatus {
  bool fresh = false;
  std::string reason;                       // empty when fresh
  std::optional<double> estimated_credits;  // what a build would pay
};

// The delivered file as rendered: its length and what the render measured
// (the sidecar's loudness and true peak, absent for silence or older sidecars).
struct Delivered {
  std::string path;
  bool present = false;
  std::optional<double> duration_seconds;
  std::optional<double> integrated_lufs;
  std::optional<double> true_peak_dbtp;
};

struct CueRow {
  std::string id;
  std::string qualified_id;                 // "manifest:cue"
  std::string manifest;
  std::string type;                         // "generated" | "silence" | "source"
  std::string category;
  std::vector<std::string> tags;
  std::string prompt;
  std::string engine;                       // engine type; empty for silence / source
  std::string profile;
  std::optional<double> duration;           // requested generation length
  CueStatus status;
  double credits = 0.0;                     // spent on its takes
  Delivered delivered;
  std::vector<Take> takes;                  // empty for silence and source cues
  std::string render_key;
  // A stale cue whose picked take is not made yet: the take its last build
  // rendered (the cue's history), when that object is still in the cache.
  std::optional<Take> last_built;
  Images images;                            // the picked take's, else the delivered file's,
                                            // else last_built's (then images_stale)
  bool images_stale = false;                // the pictures show the last built take, not the cue as it is now
};

struct ManifestSection {
  std::string name;
  std::vector<CueRow> cues;
};

// The numbers of `foley cache stats` and `foley status` the header shows.
struct Summary {
  int64_t cues = 0;
  int64_t stale = 0;
  double credits_spent = 0.0;
  double credits_saved = 0.0;
  int64_t hits = 0;
  int64_t misses = 0;
  double estimated_credits = 0.0;           // what building the stale cues would cost
};

struct Report {
  std::string project;
  std::string foley_version;
  int64_t generated_at_ms = 0;
  Summary summary;
  std::vector<ManifestSection> manifests;   // in project order
};

}  // namespace foley::report
