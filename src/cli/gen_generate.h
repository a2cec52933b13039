#pragma once

#include <filesystem>
#include <string>

namespace foley::cli {

// `foley-gen generate SPEC`: reads a request spec, checks its key, and makes
// sure its object exists — generating it through the engine only if it is not
// already in the cache (a generation that was paid for is never paid twice,
// even when ninja's log is lost). Records the object in the index and prints one
// summary line. Returns the exit code.
// `spec_path` is a standalone JSON spec when `entry` is empty, else a spec
// pack or the directory of packs holding `entry` (request/spec_pack.h).
int run_generate(const std::filesystem::path& spec_path, const std::string& entry = {});

// `foley-gen generate --object OBJECT`, what ninja runs: the gen key is the
// object's file name, its spec in the packs of .foley/requests (the working
// directory is the project root, where ninja runs). `farm_node`
// (`--farm-node`): run as a job step on a farm's compute node, which never
// opens the index: the outcome goes to a pending record
// (cache/pending_record.h) and the submit host records it and makes the link.
int run_generate_object(const std::filesystem::path& object, bool farm_node = false);

}  // namespace foley::cli
