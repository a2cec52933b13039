#include "cli/gen_generate.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/progress_channel.h"
#include "generate/generate_request.h"
#include "request/object_link.h"
#include "request/retry_unusable.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

int64_t build_id_from_env() {
  const char* v = std::getenv("FOLEY_BUILD_ID");
  return v ? std::atoll(v) : 0;
}

GenRequest read_request(const fs::path& spec_path, const std::string& entry) {
  return GenRequest::from_json(nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false),
                               spec_origin(spec_path, entry));
}

// Under `foley build`, tells its display which cues run and how far they are.
ProgressEvent progress_identity(const GenRequest& req) {
  ProgressEvent e;
  e.key = req.gen_key;
  e.cues = cue_names(req.cues);
  e.engine = req.engine;
  e.profile = req.profile;
  return e;
}

int generate(const GenRequest& req, const std::string& origin) {
  generate::GenerateContext ctx;
  ctx.build_id = build_id_from_env();
  ctx.retry_unusable = retry_unusable_from_env();
  ProgressReporter reports(progress_identity(req));
  if (reports.active())
    ctx.progress = [&reports](double fraction, const std::string& what) { reports.progress(fraction, what); };
  std::string line = generate::generate_request(req, origin, ctx);
  std::fputs(line.c_str(), stdout);
  return 0;
}

}  // namespace

int run_generate_object(const fs::path& object) {
  const std::string key = object_gen_key(object);
  GenRequest req = read_request(kRequestPacksDir, key);
  int rc = generate(req, spec_origin(kRequestPacksDir, key));
  // ninja names the object's link (request/object_link.h); a hand-run
  // command may name the object itself.
  if (rc == 0 && fs::absolute(object).lexically_normal() != fs::absolute(req.object_path).lexically_normal())
    link_object(fs::current_path(), object, req.object_path);
  return rc;
}

int run_generate(const fs::path& spec_path, const std::string& entry) {
  return generate(read_request(spec_path, entry), spec_origin(spec_path, entry));
}

}  // namespace foley::cli
