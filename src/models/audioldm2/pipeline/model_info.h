#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace foley::models {

// What `foley-gen info` knows about one component folder of a pipeline.
struct ComponentInfo {
  std::string name;        // folder name: "text_encoder", "unet", ...
  std::string library;     // from model_index.json
  std::string class_name;  // from model_index.json
  std::vector<std::pair<std::string, std::string>> key_config;  // selected config.json values
  // From the safetensors headers (no tensor data is read).
  bool has_weights = false;
  int64_t stored_elements = 0;                    // every tensor in the files, buffers included
  uint64_t stored_bytes = 0;
  std::map<std::string, int64_t> dtype_elements;  // "F32" → elements
  // From the config alone; -1 when this engine cannot count that class.
  int64_t config_parameters = -1;
};

struct ModelInfo {
  std::filesystem::path model_dir;
  std::string class_name;
  std::string diffusers_version;
  std::vector<ComponentInfo> components;
};

// Reads model_index.json, each component's config and safetensors headers.
// Components without weights (a configs-only folder) still get their config
// parameter count. Throws foley::Error naming the file on malformed input.
ModelInfo inspect_model(const std::filesystem::path& model_dir);

// Parameters of a component computed from its config, for the classes the
// conditioning stack implements (ClapModel → its text branch, T5EncoderModel,
// GPT2Model, AudioLDM2ProjectionModel); -1 for any other class.
int64_t config_parameter_count(const std::filesystem::path& component_dir, const std::string& class_name);

// `foley-gen info`: a human-readable description of a model folder —
// components, key config values, parameter counts, dtypes, and the memory
// the weights take as stored and as loaded (f32).
std::string describe_model(const std::filesystem::path& model_dir);

}  // namespace foley::models
