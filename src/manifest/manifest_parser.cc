#include "manifest/manifest_parser.h"

#include <algorithm>

#include "common/suggest.h"
#include "manifest/toml_reader.h"

namespace foley::manifest {

RawManifest parse_manifest(std::string_view text, const std::filesystem::path& display_file, Diagnostics& diags) {
  RawManifest out;
  std::optional<toml::table> doc = parse_toml(text, display_file, diags);
  if (!doc) return out;
  out.parsed = true;
  for (auto&& [key, node] : *doc) {
    std::string name(key.str());
    if (name == "defaults") {
      if (!node.is_table()) {
        diags.error(location_of(node, display_file), "", "defaults",
                    "expected a table ([defaults]), got " + toml_type_name(node));
        continue;
      }
      out.defaults_where = location_of(node, display_file);
      read_fields(*node.as_table(), FieldScope::kCue, FieldContext{display_file, "", "defaults."}, out.defaults,
                  diags);
    } else if (name == "cue") {
      if (!node.is_table()) {
        diags.error(location_of(node, display_file), "", "cue",
                    "expected tables [cue.<id>], got " + toml_type_name(node));
        continue;
      }
      for (auto&& [id_key, cue_node] : *node.as_table()) {
        std::string id(id_key.str());
        if (!cue_node.is_table()) {
          diags.error(location_of(cue_node, display_file), id, "",
                      "expected a table [cue." + id + "], got " + toml_type_name(cue_node));
          continue;
        }
        RawCue cue;
        cue.id = id;
        cue.where = location_of(cue_node, display_file);
        cue.id_where = location_of(id_key, display_file);
        read_fields(*cue_node.as_table(), FieldScope::kCue, FieldContext{display_file, id, ""}, cue.fields, diags);
        out.cues.push_back(std::move(cue));
      }
    } else {
      std::string hint = did_you_mean(name, {"defaults", "cue"});
      const std::vector<std::string>& fields = field_names(FieldScope::kCue);
      if (hint.empty() && std::find(fields.begin(), fields.end(), name) != fields.end()) {
        hint = " (cue fields go inside a [cue.<id>] or [defaults] table)";
      }
      diags.error(location_of(key, display_file), "", name,
                  "unknown top-level key; a manifest holds [defaults] and [cue.<id>] tables" + hint);
    }
  }
  return out;
}

}  // namespace foley::manifest
