#include "cli/gen_render.h"

#include <cstdio>
#include <cstdlib>

#include "audio/render.h"
#include "cache/index.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

int run_render(const fs::path& spec_path, const std::string& entry) {
  const std::string origin = spec_origin(spec_path, entry);
  RenderRequest req = RenderRequest::from_json(
      nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false), origin);
  audio::render(req);
  cache::Index index(req.cache_dir);
  const char* build = std::getenv("FOLEY_BUILD_ID");
  cache::CueBuild b;
  b.cue = req.cue;
  b.gen_key = req.gen_key;
  b.render_key = req.render_key;
  b.fields = req.provenance.value("fields", nlohmann::json::object());
  b.build_id = build ? std::atoll(build) : 0;
  index.record_cue_build(b);
  if (!req.gen_key.empty()) index.touch(req.gen_key);
  return 0;
}

}  // namespace foley::cli
