// Timestep lists against diffusers 0.32.2 for every step count: tools/golden/make_timestep_table.py
// ran DDIMScheduler and DPMSolverMultistepScheduler.set_timesteps(n) for n = 1..T, each spacing and a
// few train counts T, and stored a digest per list (tests/fixtures/golden/timestep_table.*). The
// lists must be equal, so the digests must be too.

#include <catch2/catch.hpp>

#include <sstream>

#include "common/atomic_file.h"
#include "models/schedulers/scheduler.h"
#include "golden_util.h"
#include "tensor/safetensors.h"

namespace foley::models {
namespace {

const std::filesystem::path kTableDir = testing::source_dir() / "tests/fixtures/golden";

const tensor::SafetensorsFile& table() {
  static const auto file = tensor::SafetensorsFile::open(kTableDir / "timestep_table.safetensors");
  return file;
}

// The digest make_timestep_table.py computes: [len, first, last, sum(t), sum((i + 1) * t)].
std::vector<int64_t> digest(const std::vector<int64_t>& t) {
  int64_t sum = 0, weighted = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    sum += t[i];
    weighted += static_cast<int64_t>(i + 1) * t[i];
  }
  return {static_cast<int64_t>(t.size()), t.empty() ? -1 : t.front(), t.empty() ? -1 : t.back(), sum, weighted};
}

std::string join(const std::vector<int64_t>& v) {
  std::ostringstream s;
  for (size_t i = 0; i < v.size(); ++i) s << (i ? " " : "") << v[i];
  return s.str();
}

TEST_CASE("timesteps equal diffusers' for every step count, spacing and scheduler", "[scheduler]") {
  const auto meta = nlohmann::json::parse(read_file(kTableDir / "timestep_table.json"));
  REQUIRE(meta.at("tables").size() == 24);
  for (const auto& entry : meta.at("tables")) {
    const std::string name = entry.at("name");
    const std::string kind = entry.at("class") == "DDIMScheduler" ? "ddim" : "dpmsolver++";
    const int64_t train = entry.at("num_train_timesteps");
    SchedulerConfigFile config;
    config.source = name;
    config.object = {{"num_train_timesteps", train}, {"timestep_spacing", entry.at("timestep_spacing")},
                     {"steps_offset", entry.at("steps_offset")}, {"beta_schedule", "scaled_linear"},
                     {"beta_start", 0.0015}, {"beta_end", 0.0195}};
    auto scheduler = make_scheduler(kind, config);
    const std::vector<int64_t> expected = table().get(name).to_vector_i64();
    REQUIRE(expected.size() == static_cast<size_t>(train) * 5);
    int mismatches = 0;
    std::string first_mismatch;
    for (int64_t n = 1; n <= train; ++n) {
      scheduler->set_timesteps(n);
      const std::vector<int64_t> mine = digest(scheduler->timesteps());
      const std::vector<int64_t> want(expected.begin() + (n - 1) * 5, expected.begin() + n * 5);
      if (mine != want && mismatches++ == 0)
        first_mismatch = "steps " + std::to_string(n) + ": [" + join(mine) + "] vs diffusers [" + join(want) +
                         "]; foley's list: " + join(scheduler->timesteps());
      const std::string full = name + ".n" + std::to_string(n);
      if (table().contains(full)) CHECK(scheduler->timesteps() == table().get(full).to_vector_i64());
    }
    INFO(name << ": " << mismatches << " of " << train << " step counts differ; first: " << first_mismatch);
    CHECK(mismatches == 0);
  }
}

}  // namespace
}  // namespace foley::models
