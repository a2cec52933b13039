#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "engines/elevenlabs/clock.h"
#include "engines/engine.h"

namespace foley::engines {

// What the engine waits and draws with. Defaults are the real ones; tests
// inject a recording sleeper, a fixed clock and a fixed jitter.
struct ElevenLabsDeps {
  Sleeper* sleeper = nullptr;      // null: real_sleeper()
  const Clock* clock = nullptr;    // null: real_clock()
  UniformRandom random;            // empty: real_uniform_random()
  // ELEVENLABS_API_KEY as the caller has it (empty: unset), in place of this
  // process's environment; nullopt: read the environment.
  std::optional<std::string> caller_env_key;
  // Around each HTTP attempt (not the backoff between attempts, nor the check
  // and commit after): the resident server's per-profile request slots, so
  // that no more requests are in flight than the profile's pool allows.
  std::function<void()> before_request, after_request;
};

// The ElevenLabs Sound Effects API engine: one POST per generation,
// retried on 429 / 5xx / network failures, fatal on 401, 422 and quota
// exhaustion; the body is streamed into a temp file next to out_path, checked
// (non-empty, Content-Length, decodes), raw PCM wrapped into WAV, then renamed
// into place. The API key is read per call from ELEVENLABS_API_KEY or the
// profile's api_key_file and never logged or put in a message.
// generate() may run on many threads at once (one connection per call).
class ElevenLabsEngine : public Engine {
 public:
  explicit ElevenLabsEngine(ElevenLabsDeps deps = {});

  std::string name() const override { return "elevenlabs"; }

  // Checks key fields and settings; warns when output_format needs a higher tier
  // than the profile's `tier`. Needs no key and makes no request.
  void validate(const GenRequest& request) const override;

  // Makes the paid call. Throws foley::Error (Kind::kInput for a missing key or
  // a bad request, kFailure when the service or the network fails) with
  // nothing left at out_path and no temp file.
  GenerationResult generate(const GenRequest& request, const std::filesystem::path& out_path,
                            const ProgressFn& progress) override;

 private:
  Sleeper* sleeper_;
  const Clock* clock_;
  UniformRandom random_;
  std::optional<std::string> caller_env_key_;
  std::function<void()> before_request_, after_request_;
};

}  // namespace foley::engines
