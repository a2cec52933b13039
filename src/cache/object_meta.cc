#include "cache/object_meta.h"

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::cache {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path object_meta_path(const fs::path& cache_dir, const std::string& gen_key) {
  return cache_dir / "meta" / gen_key.substr(0, 2) / (gen_key + ".json");
}

json object_record_to_json(const ObjectRecord& r) {
  return {{"meta_version", 1},
          {"gen_key", r.gen_key},
          {"engine", r.engine},
          {"profile", r.profile},
          {"ext", r.ext},
          {"request", r.request},
          {"size", r.size},
          {"checksum", r.checksum},
          {"duration_seconds", r.duration_seconds},
          {"generation_seconds", r.generation_seconds},
          {"credits", r.credits},
          {"credits_estimated", r.credits_estimated},
          {"request_id", r.request_id},
          {"attempts", r.attempts},
          {"pinned", r.pinned},
          {"paid", r.paid},
          {"created_at", r.created_at},
          {"details", r.details}};
}

ObjectRecord object_record_from_json(const json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": an object record must be a JSON object");
  try {
    ObjectRecord r;
    r.gen_key = j.at("gen_key").get<std::string>();
    r.engine = j.at("engine").get<std::string>();
    r.profile = j.at("profile").get<std::string>();
    r.ext = j.at("ext").get<std::string>();
    r.request = j.at("request");
    r.size = j.at("size").get<int64_t>();
    r.checksum = j.at("checksum").get<std::string>();
    r.duration_seconds = j.at("duration_seconds").get<double>();
    r.generation_seconds = j.at("generation_seconds").get<double>();
    r.credits = j.at("credits").get<double>();
    r.credits_estimated = j.at("credits_estimated").get<bool>();
    r.request_id = j.at("request_id").get<std::string>();
    r.attempts = j.at("attempts").get<int>();
    r.pinned = j.at("pinned").get<bool>();
    r.paid = j.at("paid").get<bool>();
    r.created_at = j.at("created_at").get<int64_t>();
    r.details = j.value("details", json::object());
    return r;
  } catch (const json::exception& e) {
    throw Error(origin + ": malformed object record: " + e.what());
  }
}

void write_object_meta(const fs::path& cache_dir, const ObjectRecord& rec) {
  const fs::path path = object_meta_path(cache_dir, rec.gen_key);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  write_file_atomic(path, object_record_to_json(rec).dump(1) + "\n");
}

std::optional<ObjectRecord> read_object_meta(const fs::path& cache_dir, const std::string& gen_key) {
  const fs::path path = object_meta_path(cache_dir, gen_key);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  try {
    ObjectRecord r = object_record_from_json(json::parse(read_file(path)), path.string());
    if (r.gen_key != gen_key) return std::nullopt;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged record is no record: the object is adopted from its bytes
  }
}

void remove_object_meta(const fs::path& cache_dir, const std::string& gen_key) {
  std::error_code ec;
  fs::remove(object_meta_path(cache_dir, gen_key), ec);
}

}  // namespace foley::cache
