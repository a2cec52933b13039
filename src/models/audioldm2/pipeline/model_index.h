#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace foley::models {

// One component entry of model_index.json: ["transformers", "GPT2Model"].
struct ComponentSpec {
  std::string library;     // "transformers", "diffusers" (empty when null)
  std::string class_name;  // "GPT2Model", "AudioLDM2UNet2DConditionModel", ...
};

// A diffusers pipeline folder's model_index.json.
struct ModelIndex {
  std::string class_name;         // "_class_name", e.g. "AudioLDM2Pipeline"
  std::string diffusers_version;  // "_diffusers_version"
  // Component folder name → spec; components saved as null are left out.
  std::map<std::string, ComponentSpec> components;

  // Reads `model_dir`/model_index.json. Throws foley::Error naming the file
  // when it is missing or malformed.
  static ModelIndex load(const std::filesystem::path& model_dir);

  bool has(const std::string& component) const { return components.count(component) > 0; }
};

}  // namespace foley::models
