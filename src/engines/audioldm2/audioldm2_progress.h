#pragma once

#include <string>

#include "engines/engine.h"

namespace foley::engines {

// Progress for a person watching: on an interactive terminal (isatty(2):
// ninja's console pool, or foley-gen run by hand) one self-overwriting line
// per step on stderr, e.g. "audioldm2 door: step 12/20"; otherwise nothing
// (the caller prints one summary line when the generation ends).
ProgressFn terminal_progress(const std::string& label, bool interactive);

// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace foley::engines
