#include "manifest/remote_table.h"

#include <cstdlib>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/suggest.h"
#include "manifest/toml_reader.h"

namespace foley::manifest {
namespace fs = std::filesystem;

void read_cache_table(const toml::table& table, const fs::path& file, const fs::path& base, Diagnostics& diags,
                      std::optional<RemoteConfig>& remote) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name != "remote") {
      diags.error(location_of(key, file), "", "cache." + name, "unknown field" + did_you_mean(name, {"remote"}));
      continue;
    }
    if (!node.is_table()) {
      diags.error(location_of(node, file), "", "cache.remote", "expected a table, got " + toml_type_name(node));
      continue;
    }
    RemoteConfig config = remote.value_or(RemoteConfig{});
    const size_t before = diags.size();
    for (auto&& [setting_key, value] : *node.as_table()) {
      const std::string setting(setting_key.str());
      const std::string field = "cache.remote." + setting;
      std::optional<nlohmann::json> json = toml_to_json(value);
      if (!json) {
        diags.error(location_of(value, file), "", field, "unsupported value (" + toml_type_name(value) + ")");
        continue;
      }
      std::string problem = remote_setting_problem(setting, *json);
      if (problem == "unknown field") problem += did_you_mean(setting, remote_setting_names());
      if (!problem.empty()) {
        const bool about_key = problem.rfind("unknown field", 0) == 0;
        diags.error(about_key ? location_of(setting_key, file) : location_of(value, file), "", field, problem);
        continue;
      }
      apply_remote_setting(config, setting, *json, base);
    }
    if (diags.size() != before) continue;
    if (std::string problem = remote_config_problem(config); !problem.empty()) {
      diags.error(location_of(node, file), "", "cache.remote", problem);
      continue;
    }
    remote = std::move(config);
  }
}

fs::path user_config_path() {
  if (const char* v = std::getenv("FOLEY_CONFIG"); v != nullptr && v[0] != '\0') return v;
  if (const char* v = std::getenv("XDG_CONFIG_HOME"); v != nullptr && v[0] != '\0')
    return fs::path(v) / "foley" / "config.toml";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    return fs::path(home) / ".config" / "foley" / "config.toml";
  return {};
}

void apply_user_config(std::optional<RemoteConfig>& remote) {
  const fs::path path = user_config_path();
  std::error_code ec;
  if (path.empty() || !fs::is_regular_file(path, ec)) return;
  const std::string text = read_file(path);
  Diagnostics diags;
  std::optional<toml::table> doc = parse_toml(text, path, diags);
  if (doc) {
    for (auto&& [key, node] : *doc) {
      const std::string name(key.str());
      if (name != "cache") {
        diags.error(location_of(key, path), "", name, "unknown table" + did_you_mean(name, {"cache"}));
      } else if (!node.is_table()) {
        diags.error(location_of(node, path), "", "cache", "expected a table, got " + toml_type_name(node));
      } else {
        read_cache_table(*node.as_table(), path, path.parent_path(), diags, remote);
      }
    }
  }
  diags.throw_if_any();
}

}  // namespace foley::manifest
