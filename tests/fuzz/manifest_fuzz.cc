// Feeds arbitrary bytes through the manifest parser and validator, once as a
// manifest (with a fixed foley.toml) and once as foley.toml (with a fixed
// manifest). The only acceptable failure is foley::Error; a valid result must
// keep the invariants the planner relies on (safe ids and manifest names).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

// Compile toml++'s parser into this (instrumented) translation unit, so that
// libFuzzer sees coverage inside the TOML parser too; the executable's
// definitions take precedence over the Debian shared library's.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>

#include "common/error.h"
#include "manifest/cue_resolver.h"
#include "manifest/project_loader.h"

namespace fs = std::filesystem;
using namespace foley::manifest;

namespace {

const char* kConfig = R"(
[project]
name = "fuzz"
default_engine = "synth"
[render]
sample_rate = 44100
[engines.synth]
engine = "exec"
command = ["gen", "{out}", "{prompt}"]
[engines.api]
engine = "elevenlabs"
[engines.local]
engine = "audioldm2"
model = "model"
)";

const char* kManifest = R"(
[defaults]
duration = 2.0
[cue.door]
prompt = "door"
[cue.quiet]
type = "silence"
clip = 1
[cue.lib]
type = "source"
source = "lib/door.wav"
)";

// A project root with the files the fixed config and manifest refer to.
const fs::path& fuzz_root() {
  static const fs::path root = [] {
    char pattern[] = "/tmp/foley-manifest-fuzz-XXXXXX";
    char* dir = mkdtemp(pattern);
    if (dir == nullptr) std::abort();
    fs::path p(dir);
    fs::create_directories(p / "model");
    fs::create_directories(p / "lib");
    std::ofstream(p / "lib" / "door.wav") << "RIFF";
    return p;
  }();
  return root;
}

void check_invariants(const Project& project) {
  for (const Cue& cue : project.cues) {
    if (!is_valid_cue_id(cue.id) || !manifest_name_problem(cue.manifest).empty()) std::abort();
    if (cue.type == "source" && !cue.source) std::abort();
    if (cue.type == "silence" && !cue.clip) std::abort();
    if (cue.type == "generated" && cue.engine.empty()) std::abort();
  }
}

void run(std::string_view config, std::string_view manifest) {
  const fs::path& root = fuzz_root();
  try {
    Project project = build_project(root, config, {ManifestText{"ep1", root / "manifests" / "ep1.toml",
                                                                std::string(manifest)}});
    check_invariants(project);
  } catch (const foley::Error& e) {
    if (std::string(e.what()).empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  run(kConfig, input);
  run(input, kManifest);
  return 0;
}
