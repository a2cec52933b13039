#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "request/request_spec.h"
#include "request/result.h"

namespace foley::engines {

// A generator of raw audio. Mirrors the old pipeline's contract
// generate_to(out_path, prompt, duration_seconds, prompt_influence) / close(),
// generalised to a typed request (DESIGN §3).
class Engine {
 public:
  virtual ~Engine() = default;

  // "exec", "elevenlabs", "audioldm2".
  virtual std::string name() const = 0;

  // Checks the request before anything is spent; throws foley::Error naming the
  // field (and the cues of the request) on the first problem.
  virtual void validate(const GenRequest& request) const = 0;

  // Generates the audio for `request` and writes it atomically to `out_path`
  // (temp file in the same directory, fsync, rename). On failure nothing is
  // left at out_path and no temp file remains. Throws foley::Error.
  virtual GenerationResult generate(const GenRequest& request, const std::filesystem::path& out_path,
                                    const ProgressFn& progress) = 0;

  // Releases resources (model, connections). Safe to call more than once.
  virtual void close() {}
};

}  // namespace foley::engines
