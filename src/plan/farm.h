#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace foley::manifest {
struct ProjectConfig;
}

namespace foley::plan {

// The farm as this plan runs it: foley.toml's [farm] resolved with the
// environment. Its profiles' generate edges run behind `launcher` (each edge a
// job step of the allocation the build runs in), in the `farm` pool of depth
// `slots`; the submit host keeps the index (docs/farm.md).
struct Farm {
  std::vector<std::string> launcher;
  int slots = 1;
  std::set<std::string> profiles;
  // Why the allocation may run fewer steps at once than `slots` ("" when
  // nothing is known against it): a job step takes at least one of the
  // allocation's CPUs (SLURM_JOB_CPUS_PER_NODE), so `salloc --gres=gpu:4`
  // with one task, one CPU, runs the steps one at a time.
  std::string warning;
};

inline constexpr const char* kFarmPool = "farm";

// Reads a variable of the environment (std::getenv in production).
using EnvLookup = std::function<const char*(const char*)>;

// Asks the scheduler for a job's per-node GPU request (`squeue -h -j ID -o
// %b`: "gres:gpu:2"); "" when it cannot.
using SchedulerQuery = std::function<std::string(const std::string& job_id)>;

// The farm of `config`, or none when farming is off. The environment wins over
// foley.toml: FOLEY_FARM=0 switches it off; FOLEY_FARM_LAUNCHER (words split
// at whitespace) sets the launcher and switches it on without a [farm] table;
// FOLEY_FARM_SLOTS sets the depth. Without slots anywhere, the depth is the
// allocation's GPUs: SLURM_GPUS_ON_NODE × SLURM_JOB_NUM_NODES, else the count
// of SLURM_JOB_GPUS, else SLURM_GPUS, else SLURM_GPUS_PER_NODE × nodes, else
// (`salloc --gres=gpu:N` sets none of them) the job's request as `ask` gets it
// from the scheduler, × nodes. Profiles: [farm] profiles, else every profile whose
// engine is not paid (an API key never travels to a compute node). Throws
// foley::Error (exit 2) for a farm without a launcher or without slots, or a
// malformed variable.
std::optional<Farm> resolve_farm(const manifest::ProjectConfig& config, const EnvLookup& env,
                                 const SchedulerQuery& ask = {});
std::optional<Farm> resolve_farm(const manifest::ProjectConfig& config);

}  // namespace foley::plan
