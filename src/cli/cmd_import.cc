#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <set>

#include "audio/audio_reader.h"
#include "cli/legacy_slug.h"
#include "cache/index.h"
#include "cli/commands.h"
#include "generate/object_record.h"
#include "cli/project_context.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

// The names the old pipeline would have given a cue's shared asset
// (SFX/<slug>.mp3 for ElevenLabs, SFX/<slug>.<backend>.mp3 otherwise), from
// the cue id, from each tag (where a migrating team keeps the old effect key,
// e.g. "SFX: DINER DOOR OPENS") and from the prompt.
std::vector<std::string> legacy_names(const plan::PlannedCue& c, const std::string& engine) {
  std::vector<std::string> texts = {c.cue.id};
  texts.insert(texts.end(), c.cue.tags.begin(), c.cue.tags.end());
  texts.push_back(c.cue.prompt);
  std::vector<std::string> names;
  for (const std::string& text : texts) {
    if (text.empty()) continue;
    names.push_back(cli::legacy_shared_name(text, engine));
  }
  return names;
}

struct Adopted {
  std::string cue;
  fs::path file;
  std::string gen_key;
};

int run_import(const fs::path& dir, const fs::path& library, bool dry_run) {
  if (!fs::is_directory(library)) throw Error("foley import: " + library.string() + " is not a directory");
  ProjectContext ctx = load_and_plan(dir);
  // Every audio file of the library by file name (the old layout nests per show).
  std::map<std::string, fs::path> files;
  for (auto it = fs::recursive_directory_iterator(library); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) files.emplace(it->path().filename().string(), it->path());

  std::vector<Adopted> adopted;
  std::vector<std::string> already, unmatched, mismatched;
  std::set<fs::path> used;
  for (const auto& c : ctx.plan.cues) {
    if (c.cue.type != "generated" || !c.unavailable.empty()) continue;
    const GenRequest& req = ctx.plan.generations.at(c.gen_key);
    const fs::path* found = nullptr;
    for (const auto& name : legacy_names(c, req.engine)) {
      auto it = files.find(name);
      if (it != files.end()) {
        found = &it->second;
        break;
      }
    }
    if (found == nullptr) {
      unmatched.push_back(c.cue.qualified_id());
      continue;
    }
    used.insert(*found);
    if (fs::exists(req.object_path)) {
      already.push_back(c.cue.qualified_id());
      continue;
    }
    if (found->extension() != "." + req.ext) {
      mismatched.push_back(c.cue.qualified_id() + " (" + found->filename().string() + " is " +
                           found->extension().string() + ", the profile asks for ." + req.ext + ")");
      continue;
    }
    audio::AudioInfo info = audio::probe_audio(*found);  // must decode
    if (!dry_run) {
      TempFile tmp(req.object_path);
      tmp.write(read_file(*found));
      tmp.commit();
      cache::ObjectRecord rec = generate::object_record_for(req);
      rec.duration_seconds = info.duration_seconds;
      rec.pinned = true;  // imported assets are irreplaceable
      rec.details = {{"imported_from", fs::absolute(*found).string()}};
      ctx.index->record_object(rec, 0);
    }
    adopted.push_back({c.cue.qualified_id(), *found, req.gen_key});
  }

  for (const auto& a : adopted)
    std::printf("%s %-28s <- %s\n", dry_run ? "would import" : "imported", a.cue.c_str(), a.file.string().c_str());
  for (const auto& c : already) std::printf("already cached %s\n", c.c_str());
  for (const auto& c : mismatched) std::printf("not imported  %s\n", c.c_str());
  for (const auto& c : unmatched) std::printf("no file for   %s\n", c.c_str());
  size_t unused = 0;
  for (const auto& [name, path] : files)
    if (!used.count(path)) {
      std::printf("unused file   %s\n", path.string().c_str());
      ++unused;
    }
  std::printf("%s %zu cue(s) as pinned objects; %zu already cached, %zu format mismatch(es), %zu cue(s) without a "
              "file, %zu file(s) unused\n",
              dry_run ? "would import" : "imported", adopted.size(), already.size(), mismatched.size(),
              unmatched.size(), unused);
  return 0;
}

}  // namespace

void register_import(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("import", "Adopt an existing library of generated files (old SFX/<slug>.mp3 layout) "
                                           "as pinned objects, so nothing is paid for twice");
  auto library = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("dir", *library, "Folder of generated files (e.g. the old pipeline's SFX/)")->required();
  cmd->add_flag("-n,--dry-run", *dry_run, "Report what would be imported; change nothing");
  cmd->callback([&g, library, dry_run, &exit_code] { exit_code = run_import(g.root(), *library, *dry_run); });
}

}  // namespace foley::cli
