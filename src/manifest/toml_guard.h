#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace foley::manifest {

// A problem found by the guard: 1-based line and column (in code points).
struct GuardProblem {
  int line = 0;
  int col = 0;
  std::string message;
};

// Pre-scan run before toml++. toml++ 3.3 (Debian bookworm) reaches
// __builtin_unreachable() when it tests certain non-ASCII code points for
// "non-ASCII whitespace" (upstream issues #190, #295, fixed after 3.4): that
// happens for a non-ASCII character outside strings and comments, and for one
// right after a line-ending backslash in a multi-line basic string. The first
// is never valid TOML; the second is rejected with a way around it. Returns
// the first such problem, or nothing when toml++ may parse `text`.
std::optional<GuardProblem> find_unsafe_non_ascii(std::string_view text);

}  // namespace foley::manifest
