// Scheduler options beyond AudioLDM 2's own config against diffusers 0.32.2
// (tests/fixtures/golden/scheduler_options.*, made by tools/golden/make_scheduler_options.py):
// class defaults for absent keys, DDIM clipping and spacings, DPM-Solver++ orders 1-3, heun,
// final sigma types, lower-order finals, and a config as diffusers saves it (-Infinity).
// Options foley does not implement must be refused with the file and key named.

#include <catch2/catch.hpp>

#include <algorithm>

#include "common/error.h"
#include "models/config_json.h"
#include "models/schedulers/scheduler.h"
#include "golden_util.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;

const std::filesystem::path kDir = testing::source_dir() / "tests/fixtures/golden";

const tensor::SafetensorsFile& goldens() {
  static const auto file = tensor::SafetensorsFile::open(kDir / "scheduler_options.safetensors");
  return file;
}

TEST_CASE("scheduler options match diffusers step by step", "[scheduler]") {
  // Read through the config reader: the saved DPM-Solver config holds -Infinity.
  const nlohmann::json meta = read_json_object(kDir / "scheduler_options.json");
  REQUIRE(meta.at("cases").size() >= 17);
  for (const auto& c : meta.at("cases")) {
    const std::string name = c.at("name");
    INFO(name);
    SchedulerConfigFile config;
    config.object = c.at("config");
    config.source = "scheduler_options.json: " + name;
    auto s = make_scheduler(c.at("scheduler"), config);
    s->set_timesteps(c.at("steps").get<int64_t>());
    REQUIRE(s->timesteps() == goldens().get(name + ".timesteps").to_vector_i64());
    if (goldens().contains(name + ".sigmas")) {
      const std::vector<float> sig = goldens().get(name + ".sigmas").to_vector_f32();
      REQUIRE(s->sigmas().size() == sig.size());
      for (size_t i = 0; i < sig.size(); ++i) CHECK(s->sigmas()[i] == Approx(sig[i]).epsilon(1e-6));
    }
    Tensor x = goldens().get(name + ".sample.0");
    testing::Error worst;
    for (size_t i = 0; i < s->timesteps().size(); ++i) {
      x = s->step(goldens().get(name + ".model_output." + std::to_string(i)), s->timesteps()[i], x);
      const Tensor want = goldens().get(name + ".prev_sample." + std::to_string(i));
      testing::Error e = testing::compare(x, want);
      worst.nmse = std::max(worst.nmse, e.nmse);
      worst.max_abs = std::max(worst.max_abs, e.max_abs);
      x = want;  // each step from diffusers' sample: a wrong step shows itself, not its successors
    }
    testing::report("scheduler option " + name + " (worst step)", worst);
    // Measured worst: nmse 8.7e-14 (dpm.defaults; f32 log/exp/sqrt of the scalars differ from
    // torch's by an ulp). Bound: 10x margin; a wrong coefficient or order is 1e-4 or more.
    CHECK(worst.nmse < 1e-12);
  }
}

// The error of resolving `object` for `cls`, or "" when it resolves.
std::string error_of(const nlohmann::json& object, SchedulerClass cls) {
  try {
    SchedulerConfig::from_json(object, "model/scheduler/scheduler_config.json", cls);
  } catch (const foley::Error& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("scheduler options foley does not implement are refused, naming file and key", "[scheduler]") {
  const auto dpm = SchedulerClass::kDPMSolverMultistep;
  const auto ddim = SchedulerClass::kDDIM;
  const std::vector<std::pair<nlohmann::json, SchedulerClass>> refused = {
      {{{"use_karras_sigmas", true}}, dpm},       {{{"use_exponential_sigmas", true}}, dpm},
      {{{"use_beta_sigmas", true}}, dpm},         {{{"use_lu_lambdas", true}}, dpm},
      {{{"use_flow_sigmas", true}}, dpm},         {{{"algorithm_type", "sde-dpmsolver++"}}, dpm},
      {{{"algorithm_type", "dpmsolver"}}, dpm},   {{{"solver_order", 4}}, dpm},
      {{{"solver_type", "euler"}}, dpm},          {{{"final_sigmas_type", "denoise_to_zero"}}, dpm},
      {{{"lambda_min_clipped", -5.1}}, dpm},      {{{"variance_type", "learned_range"}}, dpm},
      {{{"thresholding", true}}, dpm},            {{{"thresholding", true}}, ddim},
      {{{"rescale_betas_zero_snr", true}}, ddim}, {{{"rescale_betas_zero_snr", true}}, dpm},
      {{{"prediction_type", "v_prediction"}}, ddim}, {{{"prediction_type", "sample"}}, dpm},
      {{{"trained_betas", {0.1, 0.2}}}, ddim},    {{{"beta_schedule", "squaredcos_cap_v2"}}, dpm},
      {{{"timestep_spacing", "karras"}}, ddim},   {{{"algorithm_type", "deis"}}, dpm},
  };
  for (const auto& [object, cls] : refused) {
    const std::string key = object.begin().key() == "algorithm_type" && object.begin().value() == "deis"
                                ? "final_sigmas_type"  // deis needs a non-zero final sigma, as in diffusers
                                : object.begin().key();
    const std::string message = error_of(object, cls);
    INFO(object.dump() << " -> " << message);
    CHECK(message.find("model/scheduler/scheduler_config.json: " + key) != std::string::npos);
  }
}

TEST_CASE("DPM-Solver refuses a run whose first timestep repeats, which diffusers cannot run", "[scheduler]") {
  SchedulerConfigFile config;
  config.object = {{"timestep_spacing", "leading"}, {"steps_offset", 1}};
  auto dpm = make_scheduler("dpmsolver++", config);
  dpm->set_timesteps(1000);  // "leading": ratio 1000 // 1001 = 0, every timestep is 1 (as diffusers lists them)
  const Tensor x = Tensor::zeros({1, 2});
  CHECK_THROWS_WITH(dpm->step(x, dpm->timesteps()[0], x), Catch::Contains("repeat the first timestep 1"));
  dpm->set_timesteps(999);
  CHECK_NOTHROW(dpm->step(x, dpm->timesteps()[0], x));
}

TEST_CASE("each scheduler class ignores the other's keys, as from_config does", "[scheduler]") {
  // A DDIM config's clip_sample means nothing to DPM-Solver; Karras sigmas mean nothing to DDIM.
  CHECK(error_of({{"use_karras_sigmas", true}, {"solver_order", 7}}, SchedulerClass::kDDIM).empty());
  CHECK(error_of({{"clip_sample", true}, {"clip_sample_range", -1.0}}, SchedulerClass::kDPMSolverMultistep).empty());
}

}  // namespace
}  // namespace foley::models
