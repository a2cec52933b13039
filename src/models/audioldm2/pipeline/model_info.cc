#include "models/audioldm2/pipeline/model_info.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/error.h"
#include "models/clap/clap_text_config.h"
#include "models/config_json.h"
#include "models/gpt2/gpt2_config.h"
#include "models/audioldm2/pipeline/model_index.h"
#include "models/audioldm2/projection_config.h"
#include "models/t5/t5_config.h"
#include "tensor/safetensors.h"

namespace foley::models {

namespace {

// Config keys worth showing, in this order, when a component's config has them.
const char* const kKeyFields[] = {
    "hidden_size", "num_hidden_layers", "num_attention_heads", "projection_dim", "d_model", "num_layers", "num_heads",
    "d_ff", "feed_forward_proj", "n_embd", "n_layer", "n_head", "max_new_tokens", "text_encoder_dim",
    "text_encoder_1_dim", "langauge_model_dim", "in_channels", "out_channels", "block_out_channels", "layers_per_block",
    "transformer_layers_per_block", "cross_attention_dim", "attention_head_dim", "sample_size", "latent_channels",
    "scaling_factor", "model_in_dim", "sampling_rate", "upsample_rates", "num_train_timesteps", "beta_schedule",
    "prediction_type", "vocab_size", "model_max_length"};

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (bytes >= 1024 && u < 3) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string human_count(int64_t n) {
  char buf[32];
  if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1f M", static_cast<double>(n) / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1f k", static_cast<double>(n) / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

std::filesystem::path config_file(const std::filesystem::path& dir) {
  for (const char* name : {"config.json", "scheduler_config.json", "tokenizer_config.json", "preprocessor_config.json"})
    if (std::filesystem::exists(dir / name)) return dir / name;
  return {};
}

void read_weights(const std::filesystem::path& dir, ComponentInfo& info) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".safetensors") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto file = tensor::SafetensorsFile::open(f);
    info.has_weights = true;
    for (const auto& entry : file.header().entries) {
      int64_t n = 1;
      for (int64_t d : entry.shape) n *= d;
      info.stored_elements += n;
      info.stored_bytes += entry.end - entry.begin;
      info.dtype_elements[entry.dtype_name] += n;
    }
  }
}

}  // namespace

int64_t config_parameter_count(const std::filesystem::path& dir, const std::string& class_name) {
  auto config = dir / "config.json";
  if (class_name == "ClapModel" || class_name == "ClapTextModelWithProjection")
    return ClapTextConfig::load(config).parameter_count();
  if (class_name == "T5EncoderModel") return T5Config::load(config).parameter_count();
  if (class_name == "GPT2Model" || class_name == "GPT2LMHeadModel") return GPT2Config::load(config).parameter_count();
  if (class_name == "AudioLDM2ProjectionModel") return AudioLDM2ProjectionConfig::load(config).parameter_count();
  return -1;
}

ModelInfo inspect_model(const std::filesystem::path& model_dir) {
  ModelIndex index = ModelIndex::load(model_dir);
  ModelInfo info;
  info.model_dir = model_dir;
  info.class_name = index.class_name;
  info.diffusers_version = index.diffusers_version;
  for (const auto& [name, spec] : index.components) {
    ComponentInfo c;
    c.name = name;
    c.library = spec.library;
    c.class_name = spec.class_name;
    auto dir = model_dir / name;
    if (std::filesystem::is_directory(dir)) {
      if (auto cfg = config_file(dir); !cfg.empty()) {
        nlohmann::json j = read_json_object(cfg);
        // A ClapModel config keeps the text sizes under text_config.
        const nlohmann::json& body = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : j;
        for (const char* key : kKeyFields) {
          const nlohmann::json* v = body.contains(key) ? &body[key] : j.contains(key) ? &j[key] : nullptr;
          if (v && !v->is_null()) c.key_config.emplace_back(key, v->is_string() ? v->get<std::string>() : v->dump());
        }
      }
      read_weights(dir, c);
      if (std::filesystem::exists(dir / "config.json")) c.config_parameters = config_parameter_count(dir, c.class_name);
    }
    info.components.push_back(std::move(c));
  }
  return info;
}

std::string describe_model(const std::filesystem::path& model_dir) {
  ModelInfo info = inspect_model(model_dir);
  std::ostringstream out;
  out << info.model_dir.string() << ": " << (info.class_name.empty() ? "(unknown pipeline)" : info.class_name);
  if (!info.diffusers_version.empty()) out << " (diffusers " << info.diffusers_version << ")";
  out << "\n";
  int64_t total_elements = 0;
  uint64_t total_bytes = 0;
  for (const auto& c : info.components) {
    out << "\n" << c.name << ": " << c.class_name << (c.library.empty() ? "" : " [" + c.library + "]") << "\n";
    if (!c.key_config.empty()) {
      out << "  config:";
      for (const auto& [k, v] : c.key_config) out << " " << k << "=" << v;
      out << "\n";
    }
    if (c.has_weights) {
      out << "  weights: " << human_count(c.stored_elements) << " elements (" << c.stored_elements << "), "
          << human_bytes(static_cast<double>(c.stored_bytes)) << " stored;";
      for (const auto& [dtype, n] : c.dtype_elements) out << " " << dtype << " " << n;
      out << "\n";
      total_elements += c.stored_elements;
      total_bytes += c.stored_bytes;
    } else if (c.config_parameters >= 0) {
      out << "  weights: none in the folder\n";
    }
    if (c.config_parameters >= 0)
      out << "  parameters from config: " << human_count(c.config_parameters) << " (" << c.config_parameters << ")"
          << (c.class_name == "ClapModel" ? " (text branch: the part the pipeline runs)" : "") << "\n";
  }
  out << "\ntotal weights: " << human_count(total_elements) << " elements, " << human_bytes(static_cast<double>(total_bytes))
      << " stored, " << human_bytes(static_cast<double>(total_elements) * 4) << " in memory as f32"
      << " (f32 files are mapped, not copied; f16/bf16 are converted at load)\n";
  return out.str();
}

}  // namespace foley::models
