#include "engines/audioldm2/audioldm2_params.h"

#include <cmath>
#include <tuple>

#include "common/error.h"
#include "engines/catalog.h"
#include "engines/setting_checks.h"
#include "tensor/cuda/select_device.h"

namespace foley::engines {
namespace {

using nlohmann::json;

std::string where(const GenRequest& r) {
  return "cue " + audioldm2_cues_of(r) + " (audioldm2 profile \"" + r.profile + "\")";
}

const json* find(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

const json& need(const GenRequest& r, const char* name) {
  const json* v = find(r.key_fields, name);
  if (v == nullptr) throw Error(where(r) + ": request spec has no key field \"" + name + "\"; re-run `foley plan`");
  return *v;
}

// tensor::select_device is the one answer to "which device" (the model
// loader asks it again); this only puts the request's cues in front of its
// reason (no CUDA backend, no device, index out of range, GPU arch not built).
std::string resolve_device(const GenRequest& r, const std::string& device) {
  if (device != "auto") {
    try {
      tensor::Device::parse(device);
    } catch (const Error&) {
      throw Error(where(r) + ": device `" + device + "` is not one of `cpu`, `cuda`, `cuda:N` or `auto`");
    }
  }
  try {
    return tensor::select_device(device).to_string();
  } catch (const Error& e) {
    throw Error(where(r) + ": " + e.what() + "; set device = \"cpu\" or \"auto\" in profile \"" + r.profile + "\"");
  }
}

}  // namespace

std::string ModelKey::str() const {
  return model_dir.string() + " [" + fingerprint.substr(0, 12) + "] on " + device +
         (threads > 0 ? ", " + std::to_string(threads) + " threads" : "");
}

bool ModelKey::operator<(const ModelKey& o) const {
  return std::tie(model_dir, fingerprint, device, threads) < std::tie(o.model_dir, o.fingerprint, o.device, o.threads);
}

std::string audioldm2_cues_of(const GenRequest& r) {
  std::string s;
  for (const auto& c : r.cues) s += (s.empty() ? "" : ", ") + c;
  return s.empty() ? r.gen_key : s;
}

AudioLdm2Request resolve_audioldm2_request(const GenRequest& r) {
  AudioLdm2Request resolved;
  ModelKey& m = resolved.model;
  models::GenerationParams& p = resolved.params;
  const json* model = find(r.settings, "model");
  if (model == nullptr || !model->is_string() || model->get<std::string>().empty())
    throw Error(where(r) + ": setting `model` (a diffusers model folder) is missing");
  m.model_dir = model->get<std::string>();
  const json& fp = need(r, "model_fingerprint");
  if (!fp.is_string()) throw Error(where(r) + ": model_fingerprint must be a string");
  m.fingerprint = fp.get<std::string>();

  const json& prompt = need(r, "prompt");
  if (!prompt.is_string() || prompt.get<std::string>().empty())
    throw Error(where(r) + ": prompt must be a non-empty string");
  p.prompt = prompt.get<std::string>();
  p.negative_prompt = "";  // diffusers' empty unconditional prompt
  if (const json* neg = find(r.key_fields, "negative_prompt")) {
    if (!neg->is_string()) throw Error(where(r) + ": negative_prompt must be a string");
    p.negative_prompt = neg->get<std::string>();
  }

  const json& duration = need(r, "duration");
  if (duration.is_string() && duration.get<std::string>() == "auto") {
    p.duration_s = kAudioLdm2DefaultDuration;
  } else if (duration.is_number()) {
    const double seconds = duration.get<double>();
    if (!(seconds > 0.0) || seconds > kAudioLdm2MaxDuration)
      throw Error(where(r) + ": duration " + duration.dump() + " s is outside AudioLDM 2's range (0, 150] s");
    if (seconds < 0.04)
      throw Error(where(r) + ": duration " + duration.dump() + " s is shorter than AudioLDM 2's minimum of 0.04 s");
    p.duration_s = seconds;
  } else {
    throw Error(where(r) + ": duration must be a number of seconds or \"auto\"");
  }

  // The same ranges the manifest checked, from the engine's catalog row: a
  // hand-written spec cannot carry what foley.toml may not.
  const EngineRow& row = engine_row("audioldm2");
  auto checked = [&](const char* name) -> const json& {
    const json& value = need(r, name);
    std::string problem = setting_value_problem(row, name, value);
    if (!problem.empty()) throw Error(where(r) + ": " + name + " " + problem + " (" + value.dump() + ")");
    return value;
  };
  p.seed = checked("seed").get<uint64_t>();
  // Take 0's key has no take field (a one-take cue keeps its key).
  if (const json* take = find(r.key_fields, kTakeKeyField)) {
    if (!take->is_number_integer() || take->get<int64_t>() < 1 || take->get<int64_t>() >= row.max_takes)
      throw Error(where(r) + ": take must be an integer between 1 and " + std::to_string(row.max_takes - 1) + " (" +
                  take->dump() + ")");
    p.take = take->get<int64_t>();
  }
  p.steps = checked("steps").get<int>();
  p.guidance = checked("guidance").get<double>();
  p.scheduler = checked("scheduler").get<std::string>();

  std::string device = "auto";
  if (const json* d = find(r.settings, "device")) {
    if (!d->is_string()) throw Error(where(r) + ": device must be a string");
    device = d->get<std::string>();
  }
  m.device = resolve_device(r, device);

  if (const json* t = find(r.settings, "threads")) {
    std::string problem = setting_value_problem(row, "threads", *t);
    if (!problem.empty()) throw Error(where(r) + ": threads " + problem + " (" + t->dump() + ")");
    m.threads = t->get<int>();
  }
  // Threads size the CPU's pools only: on a GPU they would just split one
  // loaded model into several (the model key carries them).
  if (m.device != "cpu") m.threads = 0;
  return resolved;
}

}  // namespace foley::engines
