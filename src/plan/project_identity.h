#pragma once

#include <filesystem>
#include <string>

namespace foley::plan {

// Who a project is in a cache folder that several projects share: its name,
// '#', and a random id kept in <root>/.foley/project-id, made the first time
// it is asked for. Cue histories are recorded under it, so two projects that
// happen to have the same [project] name never read each other's history,
// and a moved project (the folder travels with it) keeps its own.
// A root whose .foley cannot be written (a read-only checkout) is just its name.
std::string project_history_id(const std::filesystem::path& root, const std::string& name);

}  // namespace foley::plan
