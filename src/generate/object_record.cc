#include "generate/object_record.h"

#include <filesystem>

#include "common/hash.h"
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

}  // namespace foley::generate
