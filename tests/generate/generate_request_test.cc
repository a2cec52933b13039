#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/error.h"
#include "generate/generate_request.h"
#include "request/canonical_key.h"
#include "request/request_spec.h"

namespace fs = std::filesystem;
using namespace foley;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string p = (fs::temp_directory_path() / "foley-generate-XXXXXX").string();
    REQUIRE(::mkdtemp(p.data()) != nullptr);
    path = p;
  }
  ~TempDir() { fs::remove_all(path); }
};

// An exec request whose key matches its fields, as a hand-made or stale spec
// could carry it.
GenRequest exec_request(const fs::path& cache, const std::string& prompt) {
  GenRequest r;
  r.engine = "exec";
  r.profile = "synth";
  r.key_fields = {{"engine", "exec"},  {"engine_version", "1"}, {"command", {"touch", "{out}", "{prompt}"}},
                  {"shell", false},    {"version", "1"},        {"prompt", prompt}};
  r.settings = {{"command", {"touch", "{out}", "{prompt}"}}, {"shell", false}, {"ext", "wav"}, {"version", "1"},
                {"max_duration", 3600.0}};
  r.ext = "wav";
  r.cache_dir = cache;
  r.gen_key = compute_key("gen", r.key_fields);
  r.object_path = cache_object_path(cache, r.gen_key, "wav");
  r.cues = {"ep1:door"};
  return r;
}

}  // namespace

TEST_CASE("the generate step holds a spec's prompt to the manifest's rule before anything runs") {
  TempDir tmp;
  for (const std::string& prompt : {std::string("\0", 1), std::string("door \xe2\x80\xae slam"),
                                    std::string("\xe2\x80\x8b "), std::string(4001, 'a')}) {
    GenRequest req = exec_request(tmp.path / "cache", prompt);
    generate::GenerateContext ctx;
    ctx.make_engine = [](const std::string&) -> std::unique_ptr<engines::Engine> {
      FAIL("no engine may be made for a refused prompt");
      return nullptr;
    };
    CHECK_THROWS_WITH(generate::generate_request(req, "spec", ctx), Catch::StartsWith("spec: prompt "));
    CHECK_FALSE(fs::exists(req.object_path));
  }
}
