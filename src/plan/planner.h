#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "request/rank_request.h"
#include "request/request_spec.h"
#include "manifest/cue.h"
#include "plan/content_hasher.h"

namespace foley::plan {

// One cue, planned: its keys, its generation (when it has one) and its render.
struct PlannedCue {
  manifest::Cue cue;
  std::string gen_key;           // take 0's (the key a one-take cue always had); empty for silence and source cues
  // Every take's gen key, take 0 first (cue.takes of them; empty when no gen key).
  std::vector<std::string> take_keys;
  // Which take the render reads: the locked pick, else take 0 when the takes
  // are not ranked; -1 when the rank edge chooses (rank_key).
  int rendered_take = 0;
  std::string rank_key;          // the ranking of its takes (takes > 1 and a rank model), else empty
  std::optional<manifest::TakePick> pick;  // its pick in foley.lock, if any
  // The pick names a take the cue no longer has (its inputs changed, or
  // fewer takes): its render fails with this message until it is picked again.
  std::string stale_pick;
  // One render per take for `--all-takes` (takes > 1): out/<manifest>/<cue>.<n>.<fmt>.
  std::vector<RenderRequest> take_renders;
  std::string render_key;
  RenderRequest render;
  nlohmann::json fields;         // {"gen": key_fields or null, "render": render fields}: what explain diffs
  // Why this machine cannot generate the cue (its profile's model folder is
  // absent: manifest::EngineProfile::unavailable); then it has no gen key and
  // no generation, and its render edge fails with this message.
  std::string unavailable;
};

// The whole build: every cue, and one generation per distinct gen key (two cues
// with identical generation inputs share one object and one generate edge).
struct Plan {
  manifest::Project project;                      // its `cues` are moved into `cues` below (left empty)
  std::vector<PlannedCue> cues;                  // in project order
  std::map<std::string, GenRequest> generations; // by gen key
  std::map<std::string, RankRequest> rankings;   // by rank key

  std::filesystem::path build_ninja() const { return project.config.root / "build.ninja"; }
  std::filesystem::path foley_dir() const { return project.config.root / ".foley"; }
  // The spec packs (request/spec_pack.h).
  std::filesystem::path requests_dir() const { return foley_dir() / "requests"; }
  std::filesystem::path renders_dir() const { return foley_dir() / "renders"; }
  std::filesystem::path rankings_dir() const { return project.config.root / kRankPacksDir; }
  // How many cues cannot be generated on this machine (PlannedCue::unavailable).
  size_t unavailable_cues() const;
  // Finds a cue by id or qualified id ("door" or "ep1:door"); nullptr if absent.
  const PlannedCue* find_cue(const std::string& name) const;
  // " (did you mean `door`?)" for the closest cue id, or "".
  std::string cue_suggestion(const std::string& name) const;
};

// Entry names of the specs in the packs of .foley/requests and .foley/renders:
// the gen key; the render key, ':' and the cue's qualified id (two cues may
// share a render key, never an output).
std::string request_spec_entry(const std::string& gen_key);
std::string render_spec_entry(const PlannedCue& c);
// A take's own render (`--all-takes`): "<render key>:<cue>#<take>".
std::string render_spec_entry(const RenderRequest& take_render);

// Computes every key of a loaded project. Pure: writes nothing.
Plan make_plan(manifest::Project project, ContentHasher& hasher);

// Where the foley binaries are, for the commands in build.ninja.
struct Tools {
  std::filesystem::path foley;
  std::filesystem::path foley_gen;
  // The render step's own binary (links no engine library: ~4x less CPU a
  // process than `foley-gen render`); empty = `foley-gen render`.
  std::filesystem::path foley_render;
  // The client of the resident server that ElevenLabs generate edges run
  // (cli/gen_client.h); empty = `foley-gen generate`.
  std::filesystem::path foley_gen_client;
};

// Several projects may share one cache folder. Each plan leaves the gen keys
// its project uses in <cache>/projects/<hash of its root>.refs, so that
// `gc --unreferenced` in one project never removes what another uses.
struct ProjectReferences {
  std::filesystem::path root;   // the project's folder
  std::set<std::string> gen_keys;
  bool live = false;            // its foley.toml still exists
  std::filesystem::path file;   // the .refs file
};
std::filesystem::path project_references_path(const std::filesystem::path& cache_dir,
                                              const std::filesystem::path& root);
void write_project_references(const Plan& plan);
std::vector<ProjectReferences> read_project_references(const std::filesystem::path& cache_dir);

// Notes on cue fields a profile's engine never reads (an exec command without
// `{prompt}`, a seed given to ElevenLabs): cues differing only in them share
// one generation. One line per profile, naming the fields its cues set.
std::vector<std::string> ignored_field_notes(const Plan& plan);
// The fields of one cue its profile's engine never reads, among those it sets.
std::vector<std::string> ignored_fields_of(const Plan& plan, const PlannedCue& cue);

// The name of the ninja target that renders every take of every cue.
inline constexpr const char* kAllTakesTarget = "all_takes";

// Writes the request and render specs and build.ninja, each atomically and
// only when its content changed (so ninja's restat sees an unchanged graph),
// and removes specs no cue refers to any more. Returns true if build.ninja changed.
bool write_plan(const Plan& plan, const Tools& tools);

}  // namespace foley::plan
