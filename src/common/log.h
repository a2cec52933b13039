#pragma once

#include <string>
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
void log_error(std::string_view message);    // always printed

// Lines already formatted by another process or thread (each ending in
// '\n'), passed on as they are: to the current LogCapture, else to stderr.
void log_lines(std::string_view lines);

// The name printed before each message ("foley", "foley-gen").
void set_program_name(std::string_view name);

// While one lives, messages logged on the thread that made it are kept in it
// instead of going to stderr: the resident server hands them back to the
// client a request came from, which prints them as its own. Nestable.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  // The lines captured so far (each ends in '\n'), leaving none.
  std::string take();
  const std::string& text() const { return text_; }
  void append(std::string_view line) { text_.append(line); }

 private:
  std::string text_;
  LogCapture* previous_;
};

}  // namespace foley
