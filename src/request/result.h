#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

// The result vocabulary shared by the engines, the generate step, the resident
// server and its clients: what a generation reports, its progress, and how it
// is cancelled.
namespace foley {

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

// Set by whoever wants the generation to stop; polled between steps.
using CancelFlag = std::atomic<bool>;

// Thrown by a Generator that saw its cancel flag set. It is a foley::Error
// (failure, exit 1) so code that does not care treats it as any failure.
class GenerationCancelled : public Error {
 public:
  GenerationCancelled() : Error("generation cancelled", Kind::kFailure) {}
};

// Thrown by an engine whose paid call answered with something it cannot use
// (a 200 whose body does not decode): the call was charged, so the generate
// step records what it cost and keeps the bytes for inspection instead of
// dropping them. A foley::Error (failure, exit 1): code that does not care
// treats it as any failure. `result` holds the ledger fields (credits,
// request id, attempts, details); `reason` says what is wrong with the bytes,
// without temp paths.
class UnusableAnswer : public Error {
 public:
  UnusableAnswer(const std::string& message, GenerationResult result, std::string bytes, std::string reason)
      : Error(message, Kind::kFailure), result(std::move(result)), bytes(std::move(bytes)), reason(std::move(reason)) {}
  GenerationResult result;
  std::string bytes;
  std::string reason;
};

}  // namespace foley
