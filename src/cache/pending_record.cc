#include "cache/pending_record.h"

#include "cache/object_meta.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"

namespace foley::cache {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path pending_record_path(const fs::path& dir, const std::string& gen_key) { return dir / (gen_key + ".json"); }

void write_pending_record(const fs::path& path, const PendingRecord& pending) {
  json j = {{"kind", pending.kind == PendingRecord::Kind::kGenerated ? "generated" : "present"},
            {"record", object_record_to_json(pending.record)},
            {"summary", pending.summary},
            {"where", pending.where}};
  // Durable: the submit host reads it after the step ends, maybe on another host.
  write_file_atomic(path, j.dump() + "\n");
}

std::optional<PendingRecord> read_pending_record(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  const std::string origin = path.string();
  json j = json::parse(read_file(path), nullptr, false);
  if (!j.is_object() || !j.contains("record") || !j["kind"].is_string())
    throw Error(origin + ": not a pending record of a farm generation");
  PendingRecord p;
  std::string kind = j["kind"].get<std::string>();
  if (kind != "generated" && kind != "present") throw Error(origin + ": kind `" + kind + "` is unknown");
  p.kind = kind == "generated" ? PendingRecord::Kind::kGenerated : PendingRecord::Kind::kPresent;
  p.record = object_record_from_json(j["record"], origin);
  if (j.contains("summary") && j["summary"].is_string()) p.summary = j["summary"].get<std::string>();
  if (j.contains("where") && j["where"].is_object()) p.where = j["where"];
  return p;
}

void record_pending(Index& index, const PendingRecord& pending, const fs::path& object, int64_t build_id) {
  const ObjectRecord& rec = pending.record;
  std::error_code ec;
  const auto size = fs::file_size(object, ec);
  if (ec) throw Error::failure(object.string() + ": the farm's record names an object that is not there");
  if (pending.kind == PendingRecord::Kind::kPresent) {
    if (!index.find_object(rec.gen_key)) index.adopt_object(rec);
    if (build_id == 0) index.record_hit(rec.gen_key, 0);
    return;
  }
  if (static_cast<int64_t>(size) != rec.size || xxh3_128_file(object).hex() != rec.checksum)
    throw Error::failure(object.string() + ": its size or checksum differs from the farm's record of it");
  ObjectRecord with_where = rec;
  if (!pending.where.empty()) with_where.details["farm"] = pending.where;
  index.record_object(with_where, build_id);
}

FarmRunningMarker::FarmRunningMarker(std::filesystem::path path, const nlohmann::json& what) : path_(std::move(path)) {
  if (path_.empty()) return;
  try {
    write_file_atomic(path_, what.dump() + "\n", Durability::kDerived);
  } catch (const std::exception&) {
    path_.clear();
  }
}

FarmRunningMarker::~FarmRunningMarker() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove(path_, ec);
}

}  // namespace foley::cache
