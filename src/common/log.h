#pragma once

#include <string_view>

namespace foley {

enum class LogLevel { kQuiet = 0, kInfo = 1, kVerbose = 2 };

// Process-wide verbosity; FOLEY_LOG=quiet|info|verbose sets the initial value.
LogLevel log_level();
void set_log_level(LogLevel level);

// Messages go to stderr, prefixed with the program name. Never pass secrets.
void log_info(std::string_view message);
void log_verbose(std::string_view message);
void log_warning(std::string_view message);  // printed unless quiet

// The name printed before each message ("foley", "foley-gen").
void set_program_name(std::string_view name);

}  // namespace foley
