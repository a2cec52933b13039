#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/request_spec.h"

namespace foley::backends {

// Progress of one generation: fraction in [0,1] and a short phrase ("step 12/200").
using ProgressFn = std::function<void(double fraction, const std::string& what)>;

// What a finished generation reports; recorded in the index next to the object.
struct GenerationResult {
  double duration_seconds = 0.0;     // measured length of the audio written
  double generation_seconds = 0.0;   // wall time spent generating (excluding retries' waits)
  double credits = 0.0;              // credits charged (0 for local engines)
  bool credits_estimated = false;    // true when no character-cost header was returned
  std::string request_id;            // the service's request id, when there is one
  int attempts = 1;
  bool paid = false;                 // produced by a paid engine: the object is pinned
  nlohmann::json details;            // engine-specific provenance (model fingerprint, seed, steps, ...)
};

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

}  // namespace foley::backends
