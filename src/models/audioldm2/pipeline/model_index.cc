#include "models/audioldm2/pipeline/model_index.h"

#include "common/error.h"
#include "models/config_json.h"

namespace foley::models {

ModelIndex ModelIndex::load(const std::filesystem::path& model_dir) {
  auto path = model_dir / "model_index.json";
  if (!std::filesystem::exists(path))
    throw Error(path.string() + ": missing (is " + model_dir.string() + " a diffusers pipeline folder?)");
  nlohmann::json j = read_json_object(path);
  ConfigReader r(j, path.string());
  ModelIndex index;
  index.class_name = r.string("_class_name", "");
  index.diffusers_version = r.string("_diffusers_version", "");
  for (const auto& [key, value] : j.items()) {
    if (key.empty() || key[0] == '_') continue;
    if (value.is_null()) continue;
    if (!value.is_array() || value.size() != 2)
      r.fail(key, "expected [library, class] for a component");
    if (value[0].is_null() && value[1].is_null()) continue;  // an optional component left out
    ComponentSpec spec;
    if (value[0].is_string()) spec.library = value[0].get<std::string>();
    if (value[1].is_string()) spec.class_name = value[1].get<std::string>();
    else r.fail(key, "expected a class name string");
    index.components[key] = spec;
  }
  return index;
}

}  // namespace foley::models
