#include "common/log.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace foley {
namespace {

LogLevel initial_level() {
  const char* env = std::getenv("FOLEY_LOG");
  if (env == nullptr) return LogLevel::kInfo;
  if (std::strcmp(env, "quiet") == 0) return LogLevel::kQuiet;
  if (std::strcmp(env, "verbose") == 0) return LogLevel::kVerbose;
  return LogLevel::kInfo;
}

LogLevel g_level = initial_level();
std::string g_program = "foley";
thread_local LogCapture* t_capture = nullptr;

void put(std::string_view text) {
  if (t_capture != nullptr)
    t_capture->append(text);
  else
    std::fwrite(text.data(), 1, text.size(), stderr);
}

void emit(std::string_view prefix, std::string_view message) {
  put(g_program + ": " + std::string(prefix) + std::string(message) + "\n");
}

}  // namespace

LogLevel log_level() { return g_level; }
void set_log_level(LogLevel level) { g_level = level; }
void set_program_name(std::string_view name) { g_program = name; }

LogCapture::LogCapture() : previous_(t_capture) { t_capture = this; }
LogCapture::~LogCapture() { t_capture = previous_; }
std::string LogCapture::take() { return std::exchange(text_, {}); }

void log_lines(std::string_view lines) { put(lines); }

void log_info(std::string_view message) {
  if (g_level >= LogLevel::kInfo) emit("", message);
}
void log_verbose(std::string_view message) {
  if (g_level >= LogLevel::kVerbose) emit("", message);
}
void log_error(std::string_view message) { emit("error: ", message); }
void log_warning(std::string_view message) {
  if (g_level >= LogLevel::kQuiet) emit("warning: ", message);
}

}  // namespace foley
