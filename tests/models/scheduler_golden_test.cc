// Schedulers against diffusers 0.32.2 goldens (tests/fixtures/golden/schedulers.safetensors):
// timestep lists must be equal, ᾱ and sigmas to f32 rounding, and whole synthetic trajectories
// (fixed random ε, no UNet) by NMSE/max-abs.

#include <catch2/catch.hpp>

#include "common/error.h"
#include "models/schedulers/ddim_scheduler.h"
#include "models/schedulers/dpm_solver_scheduler.h"
#include "golden_util.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

using tensor::Tensor;
using testing::compare;

const tensor::SafetensorsFile& goldens() {
  static const auto file =
      tensor::SafetensorsFile::open(testing::source_dir() / "tests/fixtures/golden/schedulers.safetensors");
  return file;
}

SchedulerConfig tiny_config(SchedulerClass cls = SchedulerClass::kDDIM) {
  return SchedulerConfig::load(testing::model_dir("tiny-audioldm2") / "scheduler/scheduler_config.json", cls);
}

std::vector<int64_t> golden_timesteps(const std::string& name) { return goldens().get(name).to_vector_i64(); }

TEST_CASE("scheduler config reads the AudioLDM 2 DDIM settings", "[scheduler]") {
  SchedulerConfig c = tiny_config();
  CHECK(c.num_train_timesteps == 1000);
  CHECK(c.beta_start == Approx(0.0015));
  CHECK(c.beta_end == Approx(0.0195));
  CHECK(c.timestep_spacing == "leading");
  CHECK(c.steps_offset == 1);
  CHECK_FALSE(c.set_alpha_to_one);
}

TEST_CASE("scheduler config refuses settings it cannot honour", "[scheduler]") {
  const auto ddim = SchedulerClass::kDDIM;
  CHECK_THROWS_AS(SchedulerConfig::from_json({{"prediction_type", "v_prediction"}}, "x.json", ddim), foley::Error);
  CHECK_THROWS_AS(SchedulerConfig::from_json({{"thresholding", true}}, "x.json", ddim), foley::Error);
  CHECK_THROWS_AS(SchedulerConfig::from_json({{"beta_schedule", "squaredcos_cap_v2"}}, "x.json", ddim), foley::Error);
  CHECK_THROWS_AS(make_scheduler("euler", SchedulerConfigFile{}), foley::Error);
}

TEST_CASE("alphas_cumprod equals diffusers' f32 values", "[scheduler]") {
  std::vector<float> mine = tiny_config().alphas_cumprod();
  std::vector<float> ref = goldens().get("scheduler.ddim.alphas_cumprod").to_vector_f32();
  REQUIRE(mine.size() == ref.size());
  // linspace/cumprod are ported operation for operation: allow one f32 ulp.
  for (size_t i = 0; i < ref.size(); ++i) REQUIRE(mine[i] == Approx(ref[i]).epsilon(2e-7));
  CHECK(mine[0] == Approx(0.9985f));
}

TEST_CASE("DDIM timesteps equal diffusers' (200 steps: 996 ... 1)", "[scheduler]") {
  DDIMScheduler ddim(tiny_config());
  for (int64_t steps : {200, 50, 25, 10, 5}) {
    ddim.set_timesteps(steps);
    std::string name = "scheduler.ddim.timesteps" + (steps == 200 ? std::string() : "." + std::to_string(steps));
    INFO(name);
    CHECK(ddim.timesteps() == golden_timesteps(name));
  }
  ddim.set_timesteps(200);
  CHECK(ddim.timesteps().front() == 996);
  CHECK(ddim.timesteps().back() == 1);
  CHECK_THROWS_AS(ddim.set_timesteps(0), foley::Error);
  CHECK_THROWS_AS(ddim.set_timesteps(1001), foley::Error);
}

TEST_CASE("DPM-Solver++ timesteps and sigmas equal diffusers'", "[scheduler]") {
  DPMSolverMultistepScheduler dpm(tiny_config(SchedulerClass::kDPMSolverMultistep));
  for (int64_t steps : {20, 25, 10, 5}) {
    dpm.set_timesteps(steps);
    std::string name = "scheduler.dpm.timesteps" + (steps == 20 ? std::string() : "." + std::to_string(steps));
    INFO(name);
    CHECK(dpm.timesteps() == golden_timesteps(name));
    std::vector<float> sig = goldens().get("scheduler.dpm.sigmas." + std::to_string(steps)).to_vector_f32();
    REQUIRE(dpm.sigmas().size() == sig.size());
    for (size_t i = 0; i < sig.size(); ++i) CHECK(dpm.sigmas()[i] == Approx(sig[i]).epsilon(1e-6));
  }
  dpm.set_timesteps(20);
  CHECK(dpm.timesteps().front() == 941);
  CHECK(dpm.timesteps().back() == 48);
}

// Runs the golden synthetic trajectory through `s` and returns the worst per-step error.
testing::Error run_trajectory(Scheduler& s, const std::string& tag, int64_t steps) {
  s.set_timesteps(steps);
  Tensor x = goldens().get("scheduler." + tag + ".synthetic.sample.0");
  testing::Error worst;
  for (size_t i = 0; i < s.timesteps().size(); ++i) {
    Tensor eps = goldens().get("scheduler." + tag + ".synthetic.model_output." + std::to_string(i));
    x = s.step(eps, s.timesteps()[i], x);
    testing::Error e = compare(x, goldens().get("scheduler." + tag + ".synthetic.prev_sample." + std::to_string(i)));
    worst.nmse = std::max(worst.nmse, e.nmse);
    worst.max_abs = std::max(worst.max_abs, e.max_abs);
  }
  return worst;
}

TEST_CASE("DDIM trajectory (50 steps) matches diffusers step by step", "[scheduler]") {
  DDIMScheduler ddim(tiny_config());
  testing::Error e = run_trajectory(ddim, "ddim", 50);
  testing::report("scheduler ddim synthetic 50 (worst step)", e);
  // Measured: nmse 1.5e-13, max_abs 1.4e-4 on values up to |205| (this random-ε walk grows):
  // ~9 f32 ulps, from torch's 0-d `** 0.5` being off by one ulp for some ᾱ. Bounds: 10x margin.
  CHECK(e.nmse < 2e-12);
  CHECK(e.max_abs < 1.5e-3);
}

TEST_CASE("DPM-Solver++ trajectory (20 steps) matches diffusers step by step", "[scheduler]") {
  DPMSolverMultistepScheduler dpm(tiny_config(SchedulerClass::kDPMSolverMultistep));
  testing::Error e = run_trajectory(dpm, "dpm", 20);
  testing::report("scheduler dpm synthetic 20 (worst step)", e);
  // Measured: nmse 6.4e-14, max_abs 4.6e-5 (f32 log/exp/sqrt of the scalars differ from torch's
  // by an ulp). Bounds: 10x margin.
  CHECK(e.nmse < 1e-12);
  CHECK(e.max_abs < 5e-4);
}

TEST_CASE("DPM-Solver++ refuses out-of-order steps", "[scheduler]") {
  DPMSolverMultistepScheduler dpm(tiny_config(SchedulerClass::kDPMSolverMultistep));
  dpm.set_timesteps(5);
  Tensor x = Tensor::zeros({1, 2});
  CHECK_THROWS_AS(dpm.step(x, 665, x), foley::Error);
  dpm.step(x, 831, x);
  CHECK_NOTHROW(dpm.step(x, 665, x));
}

}  // namespace
}  // namespace foley::models
