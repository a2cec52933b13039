#include <CLI/CLI.hpp>

#include <filesystem>

#include "cli/commands.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* kConfig = R"(# foley project: see docs/manifest.md for every field.
[project]
name = "%NAME%"
cache_dir = "cache"
output_dir = "out"
default_engine = "synth"

[render]
sample_rate = 48000
bit_depth = 24
format = "wav"

# A local generator: any command that writes {out}. Replace it with an
# `audioldm2` or `elevenlabs` profile when you are ready.
[engines.synth]
engine = "exec"
command = ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", "--comment", "{prompt}", "{out}",
           "synth", "{duration}", "pluck", "{seed}", "fade", "0.01", "{duration}", "0.2"]
)";

constexpr const char* kManifest = R"([defaults]
category = "sfx"

[cue.first_cue]
prompt = "a wooden door creaks open"
duration = 2.0
seed = 220
)";

constexpr const char* kGitignore = "/cache/*\n/out/\n/.foley/\n/build.ninja\n";

void run_init(const fs::path& dir, bool force) {
  fs::create_directories(dir);
  fs::path config = dir / "foley.toml";
  if (fs::exists(config) && !force) throw Error(config.string() + " already exists (use --force to overwrite)");
  std::string text = kConfig;
  std::string name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = "sounds";
  text.replace(text.find("%NAME%"), 6, name);
  write_file_atomic(config, text);
  fs::path manifest = dir / "manifests" / "main.toml";
  if (!fs::exists(manifest)) write_file_atomic(manifest, kManifest);
  fs::path gitignore = dir / ".gitignore";
  std::string existing = fs::exists(gitignore) ? read_file(gitignore) : "";
  if (existing.find("/.foley/") == std::string::npos)
    write_file_atomic(gitignore, existing + (existing.empty() || existing.back() == '\n' ? "" : "\n") + kGitignore);
  log_info("initialised " + config.string() + " and " + manifest.string() + "; next: foley build");
}

}  // namespace

void register_init(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("init", "Scaffold foley.toml, manifests/ and .gitignore entries");
  auto force = std::make_shared<bool>(false);
  cmd->add_flag("--force", *force, "Overwrite an existing foley.toml");
  cmd->callback([&g, force, &exit_code] {
    run_init(g.dir, *force);
    exit_code = 0;
  });
}

}  // namespace foley::cli
