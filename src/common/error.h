#pragma once

#include <stdexcept>
#include <string>

namespace foley {

// The one exception type of foley. Thrown where a failure is found, with the
// context a user needs (file:line:col, cue, field); caught once in main().
// kind decides the exit code: kInput (bad usage or bad input) exits 2,
// kFailure (a build or generation failed) exits 1.
class Error : public std::runtime_error {
 public:
  enum class Kind { kInput, kFailure };

  explicit Error(const std::string& message, Kind kind = Kind::kInput)
      : std::runtime_error(message), kind_(kind) {}

  Kind kind() const { return kind_; }
  int exit_code() const { return kind_ == Kind::kInput ? 2 : 1; }

  static Error failure(const std::string& message) { return Error(message, Kind::kFailure); }

 private:
  Kind kind_;
};

}  // namespace foley
