#include "manifest/source_location.h"

namespace foley::manifest {

std::string SourceLocation::str() const {
  std::string out = file.generic_string();
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (col > 0) out += ":" + std::to_string(col);
  }
  return out;
}

}  // namespace foley::manifest
