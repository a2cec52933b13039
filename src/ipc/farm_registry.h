#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace foley::ipc {

// One resident server of a farm (`foley farm up`): a long-lived job step on one
// GPU, listening on TCP. Each server writes its own entry once it listens and
// removes it when it exits; `foley farm down` removes what is left.
struct FarmServer {
  std::string id;         // "<job>.<step>" under Slurm, else "<host>-<port>"
  std::string host;       // where clients connect
  int port = 0;
  long long pid = 0;      // on `node`
  std::string node;       // the node's host name
  std::string job_id;     // SLURM_JOB_ID ("" outside Slurm)
  std::string step_id;    // SLURM_STEP_ID
  std::string gpus;       // CUDA_VISIBLE_DEVICES the step was given
};

// <cache>/farm/servers: the registry, one JSON file per server.
std::filesystem::path farm_registry_dir(const std::filesystem::path& cache_dir);

// Writes `server`'s entry atomically (temp file + rename).
void register_farm_server(const std::filesystem::path& cache_dir, const FarmServer& server);

// Removes `id`'s entry; false when there was none.
bool unregister_farm_server(const std::filesystem::path& cache_dir, const std::string& id);

// Every registered server, by id. Entries that cannot be read are skipped.
std::vector<FarmServer> read_farm_registry(const std::filesystem::path& cache_dir);

}  // namespace foley::ipc
