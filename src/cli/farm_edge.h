#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace foley::cli {

// `foley-gen-client --object OBJECT --farm -- LAUNCHER...`: a farmed generate
// edge, run by ninja on the submit host (the one holding index.sqlite).
//
// - An object the index already knows is a hit: recorded, linked, no job step.
// - A generation the farm's resident servers can run (cli/farm_server_edge.h)
//   goes to one of them when `foley farm up` started some.
// - Otherwise runs `LAUNCHER... foley-gen generate --object OBJECT --farm-node`
//   (with srun: a job step of the allocation, on the GPU Slurm picks), whose
//   environment lacks every secret variable (an API key, a token), then records
//   the step's pending record (cache/pending_record.h) into the index and
//   makes the link. A failed or killed step records nothing and leaves no
//   object (objects are renamed into place whole); ninja sees the edge fail.
// - SIGINT, SIGTERM or SIGHUP (ninja cancelling the build) ends the step:
//   the launcher gets SIGTERM (srun then cancels the step).
// Returns the exit code.
int run_farm_edge(const std::filesystem::path& object, const std::vector<std::string>& launcher);

}  // namespace foley::cli
