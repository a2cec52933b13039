#include "cli/gen_generate.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "generate/generate_request.h"
#include "request/retry_unusable.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

int64_t build_id_from_env() {
  const char* v = std::getenv("FOLEY_BUILD_ID");
  return v ? std::atoll(v) : 0;
}

}  // namespace

int run_generate_object(const fs::path& object) {
  return run_generate(kRequestPacksDir, object_gen_key(object));
}

int run_generate(const fs::path& spec_path, const std::string& entry) {
  const std::string origin = spec_origin(spec_path, entry);
  GenRequest req = GenRequest::from_json(nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false),
                                         origin);
  generate::GenerateContext ctx;
  ctx.build_id = build_id_from_env();
  ctx.retry_unusable = retry_unusable_from_env();
  std::string line = generate::generate_request(req, origin, ctx);
  std::fputs(line.c_str(), stdout);
  return 0;
}

}  // namespace foley::cli
