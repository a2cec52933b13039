#include "manifest/lock_file.h"

#include "common/atomic_file.h"
#include "common/suggest.h"
#include "manifest/toml_reader.h"

namespace foley::manifest {
namespace {

bool is_gen_key(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A TOML basic string for a cue id (ids and manifest names hold no quote or
// backslash, but the writer must not rely on it).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::map<std::string, TakePick> parse_lock(std::string_view text, const std::filesystem::path& file,
                                           Diagnostics& diags) {
  std::map<std::string, TakePick> picks;
  std::optional<toml::table> doc = parse_toml(text, file, diags);
  if (!doc) return picks;
  for (auto&& [key, node] : *doc) {
    std::string name(key.str());
    if (name == "version") {
      if (!node.is_integer() || node.as_integer()->get() != kLockVersion)
        diags.error(location_of(node, file), "", "version",
                    "this foley reads foley.lock version " + std::to_string(kLockVersion));
      continue;
    }
    if (name != "picks") {
      diags.error(location_of(key, file), "", name, "unknown key" + did_you_mean(name, {"version", "picks"}));
      continue;
    }
    if (!node.is_table()) {
      diags.error(location_of(node, file), "", name, "expected a table, got " + toml_type_name(node));
      continue;
    }
    for (auto&& [cue_key, pick_node] : *node.as_table()) {
      std::string cue(cue_key.str());
      std::string field = "picks.\"" + cue + "\"";
      if (!pick_node.is_table()) {
        diags.error(location_of(pick_node, file), "", field, "expected a table, got " + toml_type_name(pick_node));
        continue;
      }
      TakePick pick;
      pick.where = location_of(cue_key, file);
      bool ok = true;
      for (auto&& [k, v] : *pick_node.as_table()) {
        std::string f(k.str());
        if (f == "take") {
          ok = v.is_integer() && v.as_integer()->get() >= 0 && v.as_integer()->get() < (1 << 20);
          if (ok) pick.take = static_cast<int>(v.as_integer()->get());
          else diags.error(location_of(v, file), "", field + ".take", "expected a take index ≥ 0");
        } else if (f == "gen_key") {
          ok = v.is_string() && is_gen_key(v.as_string()->get());
          if (ok) pick.gen_key = v.as_string()->get();
          else diags.error(location_of(v, file), "", field + ".gen_key", "expected 32 lowercase hex characters");
        } else {
          ok = false;
          diags.error(location_of(k, file), "", field + "." + f, "unknown key" + did_you_mean(f, {"take", "gen_key"}));
        }
      }
      if (ok && pick.gen_key.empty()) {
        ok = false;
        diags.error(pick.where, "", field + ".gen_key", "missing: a pick names the gen key of its take");
      }
      if (ok) picks[cue] = pick;
    }
  }
  return picks;
}

std::map<std::string, TakePick> read_lock(const std::filesystem::path& root, Diagnostics& diags) {
  const std::filesystem::path path = root / kLockFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  return parse_lock(read_file(path), kLockFile, diags);
}

std::string lock_text(const std::map<std::string, TakePick>& picks) {
  std::string text =
      "# The takes picked with `foley pick`. Commit this file: everyone then renders the same takes.\n"
      "version = " + std::to_string(kLockVersion) + "\n";
  for (const auto& [cue, pick] : picks)
    text += "\n[picks." + quoted(cue) + "]\ntake = " + std::to_string(pick.take) + "\ngen_key = " +
            quoted(pick.gen_key) + "\n";
  return text;
}

void write_lock(const std::filesystem::path& root, const std::map<std::string, TakePick>& picks) {
  write_file_atomic(root / kLockFile, lock_text(picks));
}

}  // namespace foley::manifest
