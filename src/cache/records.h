#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace foley::cache {

// One generated object as the index knows it (table `objects`). Times are Unix
// milliseconds and are set by the Index; the rest comes from foley-gen.
struct ObjectRecord {
  std::string gen_key;                       // 32 lowercase hex chars
  std::string engine;                        // "exec" | "elevenlabs" | "audioldm2"
  std::string profile;
  std::string ext;                           // extension of the object file
  nlohmann::json request = nlohmann::json::object();  // the key_fields behind gen_key
  int64_t size = 0;                          // bytes of the object file
  std::string checksum;                      // XXH3-128 hex of those bytes
  double duration_seconds = 0.0;
  double generation_seconds = 0.0;
  double credits = 0.0;
  bool credits_estimated = false;
  std::string request_id;
  int attempts = 1;
  bool pinned = false;                       // explicit pin; paid objects are pinned on record
  bool paid = false;                         // produced by a paid engine: irreplaceable
  int64_t created_at = 0;                    // set by the index
  int64_t last_used_at = 0;                  // set by the index (record, hit, touch)
  int64_t hit_count = 0;                     // maintained by the index
  nlohmann::json details = nlohmann::json::object();  // engine provenance

  // Protected from automatic clean-up (gc without include_pinned).
  bool is_protected() const { return pinned || paid; }
};

// One build of one cue (table `cue_builds`): what `foley explain` diffs against.
struct CueBuild {
  std::string cue;                           // qualified id "manifest:cue"
  std::string gen_key;                       // empty for silence / source cues
  std::string render_key;
  nlohmann::json fields = nlohmann::json::object();  // canonical fields behind the keys
  int64_t built_at = 0;                      // set by the index when 0
  int64_t build_id = 0;                      // 0 when not part of a recorded build
  std::string project;                       // the project's name ('' in rows older than schema v2)
};

// The score of one take (an object) against a prompt, by one scoring model
// (table `take_scores`).
struct TakeScore {
  std::string gen_key;
  std::string scorer;                        // the scoring model's fingerprint
  std::string prompt;                        // the cue's prompt as written (what the scorer reads)
  double score = 0.0;
  int64_t scored_at = 0;                     // set by the index
};

// Counters of one `foley build` run (table `builds`).
struct BuildStats {
  int64_t id = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;                   // 0 while running
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t generated = 0;
  double credits_spent = 0.0;
  double credits_saved = 0.0;
  double generation_seconds_saved = 0.0;
  std::optional<int> exit_code;              // empty while running
};

// What the team cache (cache/remote/) did beyond its hits: counted by the
// process that talked to it, added to the index's totals in one write.
struct RemoteCounters {
  int64_t misses = 0;                        // keys the remote does not hold
  int64_t corrupt = 0;                       // entries refused: bad meta, missing or mismatched object
  int64_t errors = 0;                        // failures that disabled the remote for a build
  int64_t timeouts = 0;                      // the same, for timeouts and stalls
  int64_t uploads = 0;                       // objects stored (with their meta)
  int64_t bytes_down = 0;
  int64_t bytes_up = 0;
  RemoteCounters& operator+=(const RemoteCounters& o);
  bool empty() const;
};

// Totals for `foley cache stats`.
struct CacheStats {
  int64_t cues = 0;                          // distinct cues ever built
  int64_t objects = 0;
  int64_t bytes = 0;
  int64_t pinned = 0;                        // objects pinned or paid
  int64_t paid = 0;
  int64_t hits = 0;                          // all time
  int64_t misses = 0;                        // all time: objects generated and recorded
  double credits_spent = 0.0;
  double credits_saved = 0.0;                // sum over hits of the hit object's credits
  double generation_seconds = 0.0;           // spent generating
  double generation_seconds_saved = 0.0;     // sum over hits of the hit object's generation time
  int64_t remote_hits = 0;                   // objects fetched from the team cache (counted in hits too)
  double remote_credits_saved = 0.0;         // their credits: what the team cache saved this machine
  RemoteCounters remote;
  std::optional<BuildStats> last_build;
};

}  // namespace foley::cache
