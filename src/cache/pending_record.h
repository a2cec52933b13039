#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cache/index.h"
#include "cache/records.h"

// The index is SQLite in WAL mode, which works on one host only: on a farm the
// compute nodes never open it. A generation there writes its object atomically
// into the shared cache and leaves this small record file beside the project;
// the submit host, which ran the edge's job step, records it into the index.
namespace foley::cache {

// Where a project's pending records lie, relative to its root (where ninja
// runs, on the submit host and in the job steps alike).
inline constexpr const char* kPendingRecordsDir = ".foley/farm/records";
// While a node generates, <this>/<gen key>.json says which cues, where and
// since when (`foley status` lists them); the node removes it when it ends,
// the submit host when the step ends however it ended.
inline constexpr const char* kFarmRunningDir = ".foley/farm/running";

struct PendingRecord {
  // kGenerated: made by this edge. kPresent: the node found the object already
  // there (another project or build made it): a hit.
  enum class Kind { kGenerated, kPresent };
  Kind kind = Kind::kGenerated;
  ObjectRecord record;              // as object_record_for gives it, with the engine's results
  std::string summary;              // the generation's summary line
  nlohmann::json where = nlohmann::json::object();  // host, CUDA_VISIBLE_DEVICES, start and end (Unix ms)
};

// <dir>/<gen key>.json
std::filesystem::path pending_record_path(const std::filesystem::path& dir, const std::string& gen_key);

// Written atomically. Throws foley::Error.
void write_pending_record(const std::filesystem::path& path, const PendingRecord& pending);

// The record at `path`; nothing when there is no file. Throws foley::Error
// naming the file when it cannot be read or parsed.
std::optional<PendingRecord> read_pending_record(const std::filesystem::path& path);

// Records `pending` into `index` as the node would have: a generated object
// (after checking that `object` has the recorded size and checksum: a
// damaged or foreign file is an error, not a record), or a hit on a present
// one (adopted first when the index does not know it; counted only when no
// build id says `foley build` counted it). `where` goes into the object's
// details as `farm`. Throws foley::Error.
void record_pending(Index& index, const PendingRecord& pending, const std::filesystem::path& object,
                    int64_t build_id);

// A farm generation's "running now" file (kFarmRunningDir/<gen key>.json:
// {"cues", "gen_key", "profile", "where"}), removed when destroyed. Best
// effort: it only informs `foley status`. An empty path writes nothing.
class FarmRunningMarker {
 public:
  FarmRunningMarker(std::filesystem::path path, const nlohmann::json& what);
  ~FarmRunningMarker();
  FarmRunningMarker(const FarmRunningMarker&) = delete;
  FarmRunningMarker& operator=(const FarmRunningMarker&) = delete;

 private:
  std::filesystem::path path_;
};

}  // namespace foley::cache
