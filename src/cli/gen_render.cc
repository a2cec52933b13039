#include "cli/gen_render.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "audio/render.h"
#include "cache/index.h"
#include "cache/object_store.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "request/rank_request.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

// A generated object must be the bytes the index recorded (size, then
// XXH3-128): a damaged one is never rendered silently into a delivered file.
void check_object(cache::Index& index, const RenderRequest& req) {
  std::optional<cache::ObjectRecord> rec = index.find_object(req.gen_key);
  if (!rec) return;  // not recorded (an index being rebuilt): nothing to compare with
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(req.input_path, ec));
  std::string problem;
  if (ec)
    problem = "cannot be read (" + ec.message() + ")";
  else if (rec->size > 0 && size != rec->size)
    problem = "is " + std::to_string(size) + " bytes where the index recorded " + std::to_string(rec->size);
  else if (!rec->checksum.empty() && cache::ObjectStore::checksum(req.input_path) != rec->checksum)
    problem = "does not match the checksum the index recorded";
  if (problem.empty()) return;
  throw Error::failure(req.cue + ": cache object " + req.input_path.string() + " " + problem +
                       ": it is damaged, so it is not rendered. Run `foley cache verify` to quarantine it" +
                       (rec->paid ? " (it was paid for: the quarantined copy is kept, and regenerating pays again)" : "") +
                       ", then build again to regenerate it");
}

// A cue whose best take is chosen at build time renders the take its rank
// edge chose.
void read_best_take(RenderRequest& req) {
  std::optional<Ranking> ranking = read_ranking(req.ranking);
  if (!ranking)
    throw Error::failure(req.cue + ": its takes are not ranked yet (" + req.ranking.string() +
                         " is missing); build it through ninja, which ranks them first");
  const auto best = static_cast<size_t>(ranking->best);
  req.gen_key = ranking->take_keys[best];
  req.input_path = ranking->take_objects[best];
  req.provenance["gen_key"] = req.gen_key;
  req.provenance["take"] = ranking->best;
  req.provenance["take_score"] = ranking->scores[best];
  req.provenance["scorer"] = ranking->scorer;
}

}  // namespace

int run_render(const fs::path& spec_path, const std::string& entry) {
  const std::string origin = spec_origin(spec_path, entry);
  RenderRequest req = RenderRequest::from_json(
      nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false), origin);
  if (!req.ranking.empty()) read_best_take(req);
  cache::Index index(req.cache_dir);
  if (!req.gen_key.empty()) check_object(index, req);
  audio::render(req);
  // One take of `--all-takes`: the cue's delivered file and history are the pick's.
  if (req.take >= 0) {
    if (!req.gen_key.empty()) index.touch(req.gen_key);
    return 0;
  }
  const char* build = std::getenv("FOLEY_BUILD_ID");
  cache::CueBuild b;
  b.cue = req.cue;
  b.project = req.project_id;
  b.gen_key = req.gen_key;
  b.render_key = req.render_key;
  b.fields = req.provenance.value("fields", nlohmann::json::object());
  b.build_id = build ? std::atoll(build) : 0;
  index.record_cue_build(b);
  if (!req.gen_key.empty()) index.touch(req.gen_key);
  return 0;
}

}  // namespace foley::cli
