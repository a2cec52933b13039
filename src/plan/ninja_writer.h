#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "plan/farm.h"

namespace foley::manifest {
struct ProjectConfig;
}

namespace foley::plan {

struct Plan;
struct Tools;

// A path as it must appear on a `build` line: `$`, space, `:` and `|`-free
// escaping per the ninja manual. Throws foley::Error for a newline.
std::string ninja_escape_path(std::string_view path);

// A value of a variable (`command = ...`): only `$` is special.
std::string ninja_escape_value(std::string_view value);

// One argument quoted for /bin/sh (ninja runs commands through `sh -c`).
std::string shell_quote(std::string_view arg);

// Every ninja pool of the project's profiles and its depth, as the engines'
// rows give them; profiles sharing a pool give it the deepest. The shared
// accelerator pool's depth is `gpu_slots` from foley.toml when set.
std::map<std::string, int> pool_depths(const manifest::ProjectConfig& config);

// The text of build.ninja for a plan (DESIGN §1): pools (`gpu`, one per API
// profile), one rule per engine plus `render`, one generate edge per gen key,
// one render edge per cue, per-manifest phony targets, `all` as default, and a
// generator edge that re-plans when foley.toml, a manifest, a source file, a
// model folder or the foley binary changes.
// With a farm (plan/farm.h), its profiles' generate edges run
// `foley-gen-client --farm` behind the launcher, in the `farm` pool. The
// two-argument form resolves the farm from foley.toml and the environment.
std::string ninja_file_for(const Plan& plan, const Tools& tools);
std::string ninja_file_for(const Plan& plan, const Tools& tools, const std::optional<Farm>& farm);

}  // namespace foley::plan
