#pragma once

#include <filesystem>
#include <optional>

#include <toml++/toml.h>

#include "manifest/diagnostics.h"
#include "request/remote_config.h"

namespace foley::manifest {

// Reads a [cache] table (foley.toml, or the user's config file): its only
// key is `remote`, the team cache's settings (request/remote_config.h).
// Every problem goes to `diags` with its place in `file` (as messages show
// it); relative paths are resolved against `base`. Settings apply over
// `remote` (created when the table sets any).
void read_cache_table(const toml::table& table, const std::filesystem::path& file, const std::filesystem::path& base,
                      Diagnostics& diags, std::optional<RemoteConfig>& remote);

// The user's config file: $FOLEY_CONFIG, else $XDG_CONFIG_HOME/foley/config.toml,
// else ~/.config/foley/config.toml. Its only table is [cache] (a [cache.remote]
// shared by every project of the user, or of a CI runner).
std::filesystem::path user_config_path();

// Applies the user's config file, when there is one, over `remote`. Throws
// foley::Error (kInput) listing every problem of the file.
void apply_user_config(std::optional<RemoteConfig>& remote);

}  // namespace foley::manifest
