#pragma once

#include <filesystem>
#include <string>

namespace foley::manifest {

// Where a value was written: "manifests/ep1.toml:14:9". line/col are 1-based;
// 0 means unknown (the whole file).
struct SourceLocation {
  std::filesystem::path file;
  int line = 0;
  int col = 0;

  std::string str() const;
};

}  // namespace foley::manifest
