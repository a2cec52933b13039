#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifest/config.h"
#include "manifest/source_location.h"

namespace foley::manifest {

// One [cue.<id>] table after [defaults] were applied and everything was
// validated. Plain data: the planner turns it into keys and build edges.
struct Cue {
  std::string id;                     // [A-Za-z0-9_-.], unique across the project
  std::string manifest;               // manifest name: path under manifests/ without ".toml" ("ep1", "s1/ep2")
  SourceLocation where;               // the [cue.<id>] header
  std::map<std::string, SourceLocation> field_where;  // where each field was set (cue or defaults)

  std::string type = "generated";     // "generated" | "silence" | "source"
  std::string category = "sfx";       // "sfx" | "ambience" | "music" | "beat", or a UCS category
                                      // ("FOLEY") or CatID ("DOORWood"): manifest/ucs_categories.h
  std::string prompt;                 // as written (normalised later, for the key)
  std::optional<std::string> negative_prompt;
  std::optional<double> duration;     // generation length in seconds; none = engine picks (API "auto")
  std::string engine;                 // profile name; resolved to the project default when omitted
  std::optional<long long> seed;
  std::optional<double> prompt_influence;  // 0..1
  bool loop = false;
  // Candidates generated for a generated cue (`takes` on the cue, in
  // [defaults], or its profile's; 1 when none says), each its own generation.
  int takes = 1;
  std::optional<std::filesystem::path> source;  // absolute, for type "source"
  std::optional<double> clip;         // playback length in seconds (trim/pad), distinct from duration
  RenderSettings render;              // project [render] + [defaults] + cue overrides
  std::vector<std::string> tags;
  std::optional<std::string> fx_name;  // UCS FXName; none = from the cue id
  std::string ucs_cat_id;              // the CatID its UCS file name starts with (naming = "ucs" only)

  // "ep1:door" — how cues are named in messages and on the command line.
  std::string qualified_id() const { return manifest + ":" + id; }
};

// A take locked by `foley pick` in foley.lock: the take's index and the gen
// key it had when picked (a lock whose key is no longer among the cue's takes
// is stale: reported, never silently moved to another take).
struct TakePick {
  int take = 0;
  std::string gen_key;
  SourceLocation where;
};

// Everything `foley plan` reads: the config and every cue of every manifest.
struct Project {
  ProjectConfig config;
  std::map<std::string, TakePick> picks;               // by qualified cue id (foley.lock)
  std::vector<std::filesystem::path> manifest_files;  // absolute, sorted
  std::vector<Cue> cues;                               // sorted by (manifest, id)
};

}  // namespace foley::manifest
