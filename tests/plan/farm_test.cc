#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "manifest/config.h"
#include "plan/farm.h"

using namespace foley;

namespace {

manifest::ProjectConfig config_with_farm(bool table) {
  manifest::ProjectConfig c;
  c.engines["fx"] = {"fx", "exec", nlohmann::json::object(), std::nullopt, {}, ""};
  c.engines["ldm"] = {"ldm", "audioldm2", nlohmann::json::object(), std::nullopt, {}, ""};
  c.engines["api"] = {"api", "elevenlabs", nlohmann::json::object(), std::nullopt, {}, ""};
  if (table) {
    manifest::FarmConfig farm;
    farm.launcher = {"srun", "--exact", "-n1", "--gres=gpu:1"};
    c.farm = farm;
  }
  return c;
}

struct Env {
  std::map<std::string, std::string> vars;
  plan::EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

}  // namespace

TEST_CASE("no [farm] and no FOLEY_FARM_LAUNCHER: no farm") {
  Env env{{{"SLURM_GPUS_ON_NODE", "4"}}};
  CHECK_FALSE(plan::resolve_farm(config_with_farm(false), env.lookup()).has_value());
}

TEST_CASE("the farm's slots come from foley.toml, the environment or the allocation") {
  manifest::ProjectConfig c = config_with_farm(true);
  SECTION("sbatch: GPUs per node times nodes") {
    Env env{{{"SLURM_GPUS_ON_NODE", "4"}, {"SLURM_JOB_NUM_NODES", "3"}}};
    CHECK(plan::resolve_farm(c, env.lookup())->slots == 12);
  }
  SECTION("SLURM_JOB_GPUS lists them") {
    Env env{{{"SLURM_JOB_GPUS", "0,1,3"}}};
    CHECK(plan::resolve_farm(c, env.lookup())->slots == 3);
  }
  SECTION("salloc --gpus-per-node") {
    Env env{{{"SLURM_GPUS_PER_NODE", "a100:2"}, {"SLURM_NNODES", "2"}}};
    CHECK(plan::resolve_farm(c, env.lookup())->slots == 4);
  }
  SECTION("salloc --gres=gpu:N: the scheduler is asked") {
    Env env{{{"SLURM_JOB_ID", "42"}, {"SLURM_JOB_NUM_NODES", "2"}}};
    std::string asked;
    auto ask = [&](const std::string& job) {
      asked = job;
      return std::string("gres:gpu:2\n");
    };
    CHECK(plan::resolve_farm(c, env.lookup(), ask)->slots == 4);
    CHECK(asked == "42");
  }
  SECTION("foley.toml wins over the allocation, FOLEY_FARM_SLOTS over both") {
    c.farm->slots = 3;
    Env env{{{"SLURM_GPUS_ON_NODE", "4"}}};
    CHECK(plan::resolve_farm(c, env.lookup())->slots == 3);
    env.vars["FOLEY_FARM_SLOTS"] = "5";
    CHECK(plan::resolve_farm(c, env.lookup())->slots == 5);
  }
  SECTION("fewer CPUs than slots: a warning saying how to allocate") {
    Env env{{{"SLURM_GPUS_ON_NODE", "4"}, {"SLURM_JOB_NUM_NODES", "3"}, {"SLURM_JOB_CPUS_PER_NODE", "1(x2),2"}}};
    CHECK_THAT(plan::resolve_farm(c, env.lookup())->warning, Catch::Contains("4 CPU(s) for 12 farm slots"));
    env.vars["SLURM_JOB_CPUS_PER_NODE"] = "4(x3)";
    CHECK(plan::resolve_farm(c, env.lookup())->warning.empty());
  }
  SECTION("nothing says how many: an error naming what to do") {
    Env env;
    CHECK_THROWS_WITH(plan::resolve_farm(c, env.lookup()), Catch::Contains("not inside a Slurm allocation"));
  }
  SECTION("a malformed count is an error, not a guess") {
    Env env{{{"FOLEY_FARM_SLOTS", "two"}}};
    CHECK_THROWS_WITH(plan::resolve_farm(c, env.lookup()), Catch::Contains("FOLEY_FARM_SLOTS=two"));
  }
}

TEST_CASE("the farm takes every unpaid profile unless [farm] profiles says which") {
  manifest::ProjectConfig c = config_with_farm(true);
  c.farm->slots = 2;
  Env env;
  std::optional<plan::Farm> farm = plan::resolve_farm(c, env.lookup());
  REQUIRE(farm);
  CHECK(farm->profiles == std::set<std::string>{"fx", "ldm"});
  CHECK(farm->launcher == std::vector<std::string>{"srun", "--exact", "-n1", "--gres=gpu:1"});
  c.farm->profiles = {"ldm"};
  CHECK(plan::resolve_farm(c, env.lookup())->profiles == std::set<std::string>{"ldm"});
}

TEST_CASE("the environment switches the farm on and off") {
  Env env{{{"FOLEY_FARM_LAUNCHER", " srun  --exact -n1 "}, {"FOLEY_FARM_SLOTS", "2"}}};
  std::optional<plan::Farm> farm = plan::resolve_farm(config_with_farm(false), env.lookup());
  REQUIRE(farm);
  CHECK(farm->launcher == std::vector<std::string>{"srun", "--exact", "-n1"});
  env.vars["FOLEY_FARM"] = "0";
  CHECK_FALSE(plan::resolve_farm(config_with_farm(true), env.lookup()).has_value());
  env.vars["FOLEY_FARM"] = "maybe";
  CHECK_THROWS_WITH(plan::resolve_farm(config_with_farm(true), env.lookup()), Catch::Contains("FOLEY_FARM=maybe"));
}
