#pragma once

#include <vector>

#include "engines/catalog.h"

namespace foley::engines {

// Each engine folder's row (engines/<engine>/<engine>_row.cc).
EngineRow exec_row();
EngineRow elevenlabs_row();
EngineRow audioldm2_row();

// The rows the catalog starts with, in the order messages list them.
inline std::vector<EngineRow> builtin_rows() { return {exec_row(), elevenlabs_row(), audioldm2_row()}; }

}  // namespace foley::engines
