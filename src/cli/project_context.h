#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cache/index.h"
#include "manifest/cue.h"
#include "plan/content_hasher.h"
#include "plan/planner.h"
#include "request/remote_config.h"

namespace foley::cli {

// Where the foley binaries live: foley-gen sits next to foley.
plan::Tools locate_tools();

// plan::ContentHasher over the index's (path, size, mtime, inode) cache.
class IndexContentHasher : public plan::ContentHasher {
 public:
  explicit IndexContentHasher(cache::Index& index) : index_(index) {}
  std::string file_hash(const std::filesystem::path& path) override;
  std::string folder_hash(const std::filesystem::path& dir) override;

 private:
  cache::Index& index_;
};

// A loaded, planned project and its open index: what most subcommands need.
struct ProjectContext {
  std::unique_ptr<cache::Index> index;
  plan::Plan plan;
  // The team cache: foley.toml's [cache.remote], then the user's config file,
  // then FOLEY_REMOTE_URL / FOLEY_REMOTE_MODE. Empty: none.
  std::optional<RemoteConfig> remote;
};

// Loads foley.toml and the manifests under `root`, opens the cache index and
// computes every key. Writes nothing but the index's hash cache.
ProjectContext load_and_plan(const std::filesystem::path& root);

// Plans and writes specs + build.ninja (and the team cache's settings for the
// generate step, request/remote_config.h); returns the context.
ProjectContext plan_and_write(const std::filesystem::path& root, bool quiet);

// True when the object of a generated cue is present in the cache.
bool object_present(const plan::PlannedCue& cue);

}  // namespace foley::cli
