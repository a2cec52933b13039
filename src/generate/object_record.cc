#include "generate/object_record.h"

#include <filesystem>

#include "common/hash.h"
#include "common/version.h"
#include "engines/catalog.h"

namespace foley::generate {

cache::ObjectRecord object_record_for(const GenRequest& req) {
  cache::ObjectRecord rec;
  rec.gen_key = req.gen_key;
  rec.engine = req.engine;
  rec.profile = req.profile;
  rec.ext = req.ext;
  rec.request = req.key_fields;
  rec.size = static_cast<int64_t>(std::filesystem::file_size(req.object_path));
  rec.checksum = xxh3_128_file(req.object_path).hex();
  rec.paid = engines::engine_row(req.engine).paid;
  rec.pinned = rec.paid;
  return rec;
}

cache::ObjectRecord generated_object_record(const GenRequest& req, const GenerationResult& result) {
  cache::ObjectRecord rec = object_record_for(req);
  rec.duration_seconds = result.duration_seconds;
  rec.generation_seconds = result.generation_seconds;
  rec.credits = result.credits;
  rec.credits_estimated = result.credits_estimated;
  rec.request_id = result.request_id;
  rec.attempts = result.attempts;
  rec.paid = result.paid;
  rec.pinned = result.paid;
  rec.details = result.details.is_null() ? nlohmann::json::object() : result.details;
  rec.details["foley_version"] = foley_version();
  return rec;
}

}  // namespace foley::generate
