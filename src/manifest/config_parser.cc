#include "manifest/config_parser.h"

#include <algorithm>

#include "manifest/engine_rules.h"
#include "manifest/field_checks.h"
#include "manifest/remote_table.h"
#include "common/suggest.h"
#include "manifest/toml_reader.h"

namespace foley::manifest {
namespace {

const std::filesystem::path kConfigFile = "foley.toml";

bool is_profile_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class ConfigReader {
 public:
  ConfigReader(const std::filesystem::path& root, Diagnostics& diags) : root_(root), diags_(diags) {
    out_.config.root = root;
    out_.config.config_path = root / kConfigFile;
    out_.config.name = root.filename().string();
    out_.config.cache_dir = root / "cache";
    out_.config.output_dir = root / "out";
    out_.config.manifest_dir = root / "manifests";
  }

  LoadedConfig read(const toml::table& doc) {
    const toml::table* project = nullptr;
    const toml::table* farm = nullptr;
    for (auto&& [key, node] : doc) {
      std::string name(key.str());
      if (name == "project" || name == "render" || name == "engines" || name == "cache" || name == "farm") {
        if (!node.is_table()) {
          error(location_of(node, kConfigFile), name, "expected a table, got " + toml_type_name(node));
          continue;
        }
        if (name == "project") project = node.as_table();
        if (name == "render") read_render(*node.as_table());
        if (name == "engines") read_engines(*node.as_table());
        if (name == "cache") read_cache_table(*node.as_table(), kConfigFile, root_, diags_, out_.config.remote);
        if (name == "farm") farm = node.as_table();
      } else {
        error(location_of(key, kConfigFile), name,
              "unknown table" + did_you_mean(name, {"project", "render", "engines", "cache", "farm"}));
      }
    }
    // [project] last: default_engine refers to the profiles.
    if (project != nullptr) read_project(*project);
    // [farm] after [engines]: `profiles` names them.
    if (farm != nullptr) read_farm(*farm);
    if (out_.config.default_engine.empty() && out_.config.engines.size() == 1) {
      out_.config.default_engine = out_.config.engines.begin()->first;
    }
    return std::move(out_);
  }

 private:
  void error(const SourceLocation& where, const std::string& field, const std::string& message) {
    diags_.error(where, "", field, message);
  }

  std::optional<std::string> string_value(const toml::node& node, const std::string& field) {
    if (!node.is_string()) {
      error(location_of(node, kConfigFile), field, "expected a string, got " + toml_type_name(node));
      return std::nullopt;
    }
    return node.as_string()->get();
  }

  std::optional<long long> integer_in(const toml::node& node, const std::string& field, long long lo, long long hi) {
    if (!node.is_integer()) {
      error(location_of(node, kConfigFile), field, "expected an integer, got " + toml_type_name(node));
      return std::nullopt;
    }
    long long v = node.as_integer()->get();
    if (v < lo || v > hi) {
      error(location_of(node, kConfigFile), field,
            "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(v));
      return std::nullopt;
    }
    return v;
  }

  void read_project(const toml::table& table) {
    static const std::vector<std::string> keys = {"name",         "cache_dir",      "output_dir",
                                                  "manifest_dir", "default_engine", "gpu_slots"};
    ProjectConfig& c = out_.config;
    for (auto&& [key, node] : table) {
      std::string name(key.str());
      std::string field = "project." + name;
      if (name == "gpu_slots") {
        if (auto v = integer_in(node, field, 1, 64)) c.gpu_slots = static_cast<int>(*v);
        continue;
      }
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        error(location_of(key, kConfigFile), field, "unknown field" + did_you_mean(name, keys));
        continue;
      }
      std::optional<std::string> value = string_value(node, field);
      if (!value) continue;
      if (value->empty()) {
        error(location_of(node, kConfigFile), field, "must not be empty");
        continue;
      }
      if (name == "name") {
        c.name = *value;
      } else if (name == "default_engine") {
        std::vector<std::string> profiles;
        for (const auto& [profile, _] : c.engines) profiles.push_back(profile);
        if (c.engines.count(*value) == 0) {
          error(location_of(node, kConfigFile), field,
                "no engine profile `" + *value + "` in [engines]" + did_you_mean(*value, profiles));
        } else {
          c.default_engine = *value;
        }
      } else {
        std::filesystem::path dir = std::filesystem::path(*value);
        if (dir.is_relative()) dir = root_ / dir;
        dir = dir.lexically_normal();
        if (name == "cache_dir") c.cache_dir = dir;
        if (name == "output_dir") c.output_dir = dir;
        if (name == "manifest_dir") {
          c.manifest_dir = dir;
          out_.manifest_dir_written = location_of(node, kConfigFile);
        }
      }
    }
  }

  // A non-empty array of non-empty strings, or nothing (the error reported).
  std::optional<std::vector<std::string>> string_list(const toml::node& node, const std::string& field) {
    const toml::array* array = node.as_array();
    if (array == nullptr || array->empty()) {
      error(location_of(node, kConfigFile), field,
            array == nullptr ? "expected an array of strings, got " + toml_type_name(node) : "must not be empty");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      if (!item.is_string() || item.as_string()->get().empty()) {
        error(location_of(item, kConfigFile), field, "expected non-empty strings, got " + toml_type_name(item));
        return std::nullopt;
      }
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  void read_farm(const toml::table& table) {
    static const std::vector<std::string> keys = {"launcher", "slots", "profiles"};
    FarmConfig farm;
    farm.where = location_of(table, kConfigFile);
    for (auto&& [key, node] : table) {
      std::string name(key.str());
      std::string field = "farm." + name;
      if (name == "slots") {
        if (auto v = integer_in(node, field, 1, 4096)) farm.slots = static_cast<int>(*v);
      } else if (name == "launcher") {
        if (auto v = string_list(node, field)) farm.launcher = std::move(*v);
      } else if (name == "profiles") {
        std::optional<std::vector<std::string>> v = string_list(node, field);
        if (!v) continue;
        std::vector<std::string> known;
        for (const auto& [profile, _] : out_.config.engines) known.push_back(profile);
        for (const std::string& profile : *v) {
          auto it = out_.config.engines.find(profile);
          if (it == out_.config.engines.end()) {
            error(location_of(node, kConfigFile), field,
                  "no engine profile `" + profile + "` in [engines]" + did_you_mean(profile, known));
          } else if (!it->second.engine.empty() && engines::find_engine(it->second.engine)->paid) {
            // A paid engine's key would have to travel to the compute nodes.
            error(location_of(node, kConfigFile), field,
                  "profile `" + profile + "` calls a paid API: its edges stay on the host that holds the key");
          } else {
            farm.profiles.push_back(profile);
          }
        }
      } else {
        error(location_of(key, kConfigFile), field, "unknown field" + did_you_mean(name, keys));
      }
    }
    out_.config.farm = std::move(farm);
  }

  void read_render(const toml::table& table) {
    FieldContext ctx{kConfigFile, "", "render."};
    read_fields(table, FieldScope::kRender, ctx, out_.render, diags_);
    check_field_values(out_.render, ctx, nullptr, diags_);
    apply_render(out_.render, out_.config.render);
    check_render_combination(out_.render, out_.config.render, "", "render.", diags_);
    check_bit_depth_applies({&out_.render}, out_.render, out_.config.render, "", "render.", diags_);
  }

  void read_engines(const toml::table& engines) {
    for (auto&& [key, node] : engines) {
      std::string name(key.str());
      std::string field = "engines." + name;
      if (!is_profile_name(name)) {
        error(location_of(key, kConfigFile), field,
              "engine profile names use only letters, digits, `_` and `-` (at most 64 characters)");
        continue;
      }
      if (!node.is_table()) {
        error(location_of(node, kConfigFile), field, "expected a table, got " + toml_type_name(node));
        continue;
      }
      read_profile(name, *node.as_table());
    }
  }

  void read_profile(const std::string& name, const toml::table& table) {
    EngineProfile profile;
    profile.name = name;
    profile.where = location_of(table, kConfigFile);
    std::string prefix = "engines." + name + ".";
    std::map<std::string, RawSetting> settings;
    const toml::node* takes = nullptr;
    for (auto&& [key, node] : table) {
      std::string setting(key.str());
      if (setting == "engine") {
        std::optional<std::string> kind = string_value(node, prefix + setting);
        if (!kind) {
        } else if (engines::find_engine(*kind) == nullptr) {
          error(location_of(node, kConfigFile), prefix + setting,
                "unknown engine `" + *kind + "`" + did_you_mean(*kind, engine_kinds()) + "; expected " +
                    one_of(engine_kinds()));
        } else {
          profile.engine = *kind;
        }
      } else if (setting == "concurrency") {
        if (auto v = integer_in(node, prefix + setting, 1, 256)) {
          profile.concurrency = static_cast<int>(*v);
        } else {
        }
      } else if (setting == "takes") {
        takes = &node;  // bounded by the engine's row, known once `engine` is read
      } else {
        std::optional<nlohmann::json> value = toml_to_json(node);
        if (!value) {
          error(location_of(node, kConfigFile), prefix + setting,
                "unsupported value (" + toml_type_name(node) + ")");
          continue;
        }
        settings[setting] = RawSetting{std::move(*value), location_of(key, kConfigFile),
                                       location_of(node, kConfigFile)};
      }
    }
    if (profile.engine.empty()) {
      if (!table.contains("engine")) {
        error(profile.where, prefix + "engine",
              "missing; every profile names its engine: " + one_of(engine_kinds()));
      }
    } else {
      EngineContext ctx{root_, name, profile.where};
      profile.settings = validate_engine_settings(profile.engine, settings, ctx, diags_, &profile.unavailable);
      if (takes != nullptr) {
        const int max = engines::engine_row(profile.engine).max_takes;
        if (auto v = integer_in(*takes, prefix + "takes", 1, max)) profile.takes = static_cast<int>(*v);
      }
    }
    // Keep the profile even when it has errors, so that cues naming it are
    // not also reported as naming a missing profile.
    out_.config.engines[name] = std::move(profile);
  }

  std::filesystem::path root_;
  Diagnostics& diags_;
  LoadedConfig out_;
};

}  // namespace

LoadedConfig parse_config(const std::filesystem::path& root, std::string_view text, Diagnostics& diags) {
  std::optional<toml::table> doc = parse_toml(text, kConfigFile, diags);
  ConfigReader reader(root, diags);
  // No copy of the table: toml++ does not copy source positions.
  static const toml::table kEmpty;
  LoadedConfig loaded = reader.read(doc ? *doc : kEmpty);
  loaded.parsed = doc.has_value();
  return loaded;
}

}  // namespace foley::manifest
