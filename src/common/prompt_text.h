#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace foley {

// The rule every prompt meets, in the manifest and again in the generate step
// before anything is spent: valid UTF-8; printable (no C0 or C1 control
// character but tab and newline, no DEL, no bidirectional override or isolate,
// no line or paragraph separator); something left once whitespace and
// zero-width characters are set aside; at most `max_chars` code points.
// Returns "" or the problem, in words that follow "prompt ".
std::string prompt_problem(std::string_view text, size_t max_chars);

// `text` as a message may show it: control bytes (NUL included, which would
// end a C string) and DEL written as \xNN, everything else as is.
std::string escaped_for_message(std::string_view text);

}  // namespace foley
