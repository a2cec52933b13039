#include "backends/audioldm2_run.h"

#include <chrono>

#include "backends/audioldm2_wav.h"
#include "common/atomic_file.h"

namespace foley::backends {

GenerationResult run_audioldm2_generation(Generator& generator, const GenerationParams& params,
                                          const std::filesystem::path& out_path, const ProgressFn& progress,
                                          const CancelFlag& cancel,
                                          const std::function<void(const std::filesystem::path&)>& on_temp) {
  auto start = std::chrono::steady_clock::now();
  std::filesystem::create_directories(out_path.parent_path());
  TempFile tmp(out_path);
  if (on_temp) on_temp(tmp.path());

  StepProgressFn steps;
  if (progress)
    steps = [&](int step, int total, const std::string& what) {
      progress(total > 0 ? static_cast<double>(step) / total : 0.0, what);
    };
  Waveform wave = generator.generate(params, steps, cancel);
  if (cancel.load()) throw GenerationCancelled();
  if (wave.samples.empty())
    throw Error::failure("audioldm2: the pipeline produced no samples for " + std::to_string(params.duration_seconds) +
                         " s");

  // Our own writer, not libsndfile's: the same waveform must give the same bytes.
  tmp.write(float_wav_image(wave.samples, wave.sample_rate));
  tmp.commit();

  GenerationResult r;
  r.duration_seconds = static_cast<double>(wave.samples.size()) / wave.sample_rate;
  r.generation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.details = {{"model_fingerprint", params.model_fingerprint},
               {"seed", params.seed},
               {"steps", params.steps},
               {"scheduler", params.scheduler},
               {"guidance", params.guidance},
               {"device", params.device}};
  if (progress) progress(1.0, "done");
  return r;
}

}  // namespace foley::backends
