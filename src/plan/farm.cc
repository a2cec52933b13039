#include "plan/farm.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "common/error.h"
#include "common/subprocess.h"
#include "engines/catalog.h"
#include "manifest/config.h"

namespace foley::plan {
namespace {

// A positive integer variable, or nothing when unset or empty.
std::optional<int> positive(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  // Slurm writes counts like "2(x3)" for per-node lists; only a plain count is read.
  if (*end != '\0' || n < 1 || n > 1 << 20)
    throw Error(std::string(name) + "=" + v + ": expected a positive integer");
  return static_cast<int>(n);
}

// The count a Slurm GPU request ends with: "2", "gpu:2", "a100:2",
// "gres:gpu:2", "gres/gpu:a100=2"; nothing for "" or "(null)".
std::optional<int> trailing_count(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ')) --end;
  size_t begin = end;
  while (begin > 0 && isdigit(static_cast<unsigned char>(text[begin - 1]))) --begin;
  if (begin == end) return std::nullopt;
  int n = std::atoi(text.substr(begin, end - begin).c_str());
  return n > 0 ? std::optional<int>(n) : std::nullopt;
}

// The allocation's GPUs, from what Slurm puts in the environment: sbatch and
// job steps set SLURM_GPUS_ON_NODE and SLURM_JOB_GPUS; salloc only the option
// it was given (--gpus, --gpus-per-node); `salloc --gres=gpu:N` sets nothing,
// so the job's per-node request is asked of the scheduler.
std::optional<int> allocation_gpus(const EnvLookup& env, const SchedulerQuery& ask) {
  std::optional<int> nodes = positive(env, "SLURM_JOB_NUM_NODES");
  if (!nodes) nodes = positive(env, "SLURM_NNODES");
  if (std::optional<int> per_node = positive(env, "SLURM_GPUS_ON_NODE")) return *per_node * nodes.value_or(1);
  if (const char* gpus = env("SLURM_JOB_GPUS"); gpus != nullptr && *gpus != '\0') {
    int count = 1;
    for (const char* c = gpus; *c; ++c) count += *c == ',';
    return count;
  }
  if (const char* total = env("SLURM_GPUS"); total != nullptr)
    if (std::optional<int> n = trailing_count(total)) return n;
  if (const char* per_node = env("SLURM_GPUS_PER_NODE"); per_node != nullptr)
    if (std::optional<int> n = trailing_count(per_node)) return *n * nodes.value_or(1);
  const char* job = env("SLURM_JOB_ID");
  if (job == nullptr || *job == '\0' || !ask) return std::nullopt;
  std::string request = ask(job);
  if (request.find("gpu") == std::string::npos) return std::nullopt;
  if (std::optional<int> n = trailing_count(request)) return *n * nodes.value_or(1);
  return std::nullopt;
}

// The allocation's CPUs: SLURM_JOB_CPUS_PER_NODE, "4" or "4(x3),2" (a count
// per group of nodes); nothing when unset or unreadable.
std::optional<int> allocation_cpus(const EnvLookup& env) {
  const char* text = env("SLURM_JOB_CPUS_PER_NODE");
  if (text == nullptr || *text == '\0') return std::nullopt;
  long total = 0;
  for (const char* c = text; *c;) {
    char* end = nullptr;
    long cpus = std::strtol(c, &end, 10);
    if (end == c || cpus < 0) return std::nullopt;
    long nodes = 1;
    if (*end == '(' && end[1] == 'x') {
      nodes = std::strtol(end + 2, &end, 10);
      if (*end != ')') return std::nullopt;
      ++end;
    }
    total += cpus * nodes;
    if (*end == ',') ++end;
    else if (*end != '\0') return std::nullopt;
    c = end;
  }
  return total > 0 ? std::optional<int>(static_cast<int>(std::min(total, 1L << 20))) : std::nullopt;
}

}  // namespace

std::optional<Farm> resolve_farm(const manifest::ProjectConfig& config, const EnvLookup& env,
                                 const SchedulerQuery& ask) {
  const char* on = env("FOLEY_FARM");
  if (on != nullptr) {
    std::string v = on;
    if (v == "0" || v == "off" || v == "no" || v == "false") return std::nullopt;
    if (!(v.empty() || v == "1" || v == "on" || v == "yes" || v == "true"))
      throw Error("FOLEY_FARM=" + v + ": expected 0 or 1");
  }
  const manifest::FarmConfig* table = config.farm ? &*config.farm : nullptr;
  const char* launcher_words = env("FOLEY_FARM_LAUNCHER");
  const bool from_env = launcher_words != nullptr && *launcher_words != '\0';
  if (table == nullptr && !from_env) return std::nullopt;

  const std::string where = table ? table->where.str() + ": [farm]" : "FOLEY_FARM_LAUNCHER";
  Farm farm;
  if (from_env) {
    std::istringstream words(launcher_words);
    for (std::string w; words >> w;) farm.launcher.push_back(w);
  } else if (table) {
    farm.launcher = table->launcher;
  }
  if (farm.launcher.empty())
    throw Error(where + ": no `launcher` (e.g. launcher = [\"srun\", \"--exact\", \"-n1\", \"--gres=gpu:1\", "
                "\"--quiet\"]) and no FOLEY_FARM_LAUNCHER");

  std::optional<int> slots = positive(env, "FOLEY_FARM_SLOTS");
  if (!slots && table) slots = table->slots;
  if (!slots) slots = allocation_gpus(env, ask);
  if (!slots)
    throw Error(where + ": no `slots`, no FOLEY_FARM_SLOTS, and not inside a Slurm allocation with GPUs "
                "(SLURM_GPUS_ON_NODE, SLURM_JOB_GPUS): run the build inside `salloc --gres=gpu:N` or set slots");
  farm.slots = *slots;
  if (std::optional<int> cpus = allocation_cpus(env); cpus && *cpus < farm.slots)
    farm.warning = "the allocation has " + std::to_string(*cpus) + " CPU(s) for " + std::to_string(farm.slots) +
                   " farm slots, and each job step takes at least one, so fewer generations run at once: "
                   "allocate one task per GPU (salloc -n " + std::to_string(farm.slots) + ", or --ntasks-per-node)";

  if (table && !table->profiles.empty()) {
    farm.profiles.insert(table->profiles.begin(), table->profiles.end());
  } else {
    for (const auto& [name, profile] : config.engines) {
      const engines::EngineRow* row = engines::find_engine(profile.engine);
      if (row != nullptr && !row->paid) farm.profiles.insert(name);
    }
  }
  return farm;
}

std::optional<Farm> resolve_farm(const manifest::ProjectConfig& config) {
  return resolve_farm(
      config, [](const char* name) { return static_cast<const char*>(std::getenv(name)); },
      [](const std::string& job) {
        try {
          SubprocessResult r = run_subprocess({"squeue", "-h", "-j", job, "-o", "%b"}, /*capture=*/true);
          return r.exit_code == 0 ? r.output : std::string();
        } catch (const Error&) {
          return std::string();  // no squeue here
        }
      });
}

}  // namespace foley::plan
