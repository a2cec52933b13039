#pragma once

#include <memory>

#include "engines/audioldm2/audioldm2_generator.h"
#include "engines/audioldm2/audioldm2_params.h"
#include "engines/engine.h"
#include "ipc/client.h"

namespace foley::engines {

struct AudioLdm2EngineOptions {
  GeneratorLoader loader;            // empty: the real pipeline (pipeline_generator_loader)
  ipc::ServerLauncher launch;             // empty: spawn `foley-gen serve` (ipc::default_server_command)
  bool use_server = true;            // FOLEY_SERVER=0 in the environment turns it off
  bool handle_signals = true;        // SIGINT/SIGTERM cancel the request, then re-raise
  bool interactive_progress = false; // per-step progress on stderr (default: isatty(2))
  double start_timeout_seconds = 10.0;

  // The options foley-gen uses: real pipeline, real server, isatty(2).
  static AudioLdm2EngineOptions defaults();
};

// AudioLDM 2 text-to-audio on this machine. generate() sends the request to
// the resident model server of the request's cache directory (starting it
// when none runs), so the model is loaded once for many cues; when no server
// can be had, or it dies mid-request, it says so on stderr and generates
// in-process. Output: float32 16 kHz mono WAV, written atomically.
// `prompt_influence` (an ElevenLabs knob) is accepted and ignored: guidance
// plays that role here.
class AudioLdm2Engine : public Engine {
 public:
  explicit AudioLdm2Engine(AudioLdm2EngineOptions options = AudioLdm2EngineOptions::defaults());

  std::string name() const override { return "audioldm2"; }
  void validate(const GenRequest& request) const override;
  GenerationResult generate(const GenRequest& request, const std::filesystem::path& out_path,
                            const ProgressFn& progress) override;
  void close() override;

 private:
  GenerationResult generate_in_process(const AudioLdm2Request& request, const std::filesystem::path& out_path,
                                       const ProgressFn& progress, const CancelFlag& cancel);

  AudioLdm2EngineOptions options_;
  std::unique_ptr<ModelKey> loaded_key_;
  std::shared_ptr<Generator> loaded_;
};

}  // namespace foley::engines
