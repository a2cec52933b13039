#include "engines/audioldm2/audioldm2_progress.h"

#include <unistd.h>

#include <cstdio>

namespace foley::engines {

bool stderr_is_terminal() { return ::isatty(2) == 1; }

ProgressFn terminal_progress(const std::string& label, bool interactive) {
  if (!interactive) return {};
  return [label](double fraction, const std::string& what) {
    if (fraction >= 1.0 && what == "done") {
      std::fprintf(stderr, "\r\033[K");
    } else {
      std::fprintf(stderr, "\r\033[K%s: %s (%3.0f%%)", label.c_str(), what.c_str(), fraction * 100.0);
    }
    std::fflush(stderr);
  };
}

}  // namespace foley::engines
