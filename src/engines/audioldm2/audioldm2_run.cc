#include "engines/audioldm2/audioldm2_run.h"

#include <chrono>
#include <memory>

#include "audio/wav_image.h"
#include "common/atomic_file.h"

namespace foley::engines {
namespace {

using SteadyClock = std::chrono::steady_clock;

StepProgressFn step_progress(const ProgressFn& progress) {
  if (!progress) return {};
  return [progress](int step, int total, const std::string& what) {
    progress(total > 0 ? static_cast<double>(step) / total : 0.0, what);
  };
}

// Writes `wave` through `tmp` (renamed over its final path) and describes it.
GenerationResult finish(TempFile& tmp, const Waveform& wave, const GenerationParams& params, SteadyClock::time_point start,
                        int batch_size) {
  if (wave.samples.empty())
    throw Error::failure("audioldm2: the pipeline produced no samples for " + std::to_string(params.duration_seconds) +
                         " s");
  // Our own writer, not libsndfile's: the same waveform must give the same bytes.
  tmp.write(audio::float_wav_image(wave.samples, wave.sample_rate));
  tmp.commit();

  GenerationResult r;
  r.duration_seconds = static_cast<double>(wave.samples.size()) / wave.sample_rate;
  r.generation_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  r.details = {{"model_fingerprint", params.model_fingerprint},
               {"seed", params.seed},
               {"steps", params.steps},
               {"scheduler", params.scheduler},
               {"guidance", params.guidance},
               {"device", params.device},
               {"batch_size", batch_size}};
  return r;
}

}  // namespace

GenerationResult run_audioldm2_generation(Generator& generator, const GenerationParams& params,
                                          const std::filesystem::path& out_path, const ProgressFn& progress,
                                          const CancelFlag& cancel,
                                          const std::function<void(const std::filesystem::path&)>& on_temp) {
  auto start = SteadyClock::now();
  std::filesystem::create_directories(out_path.parent_path());
  TempFile tmp(out_path);
  if (on_temp) on_temp(tmp.path());
  Waveform wave = generator.generate(params, step_progress(progress), cancel);
  if (cancel.load()) throw GenerationCancelled();
  GenerationResult r = finish(tmp, wave, params, start, 1);
  if (progress) progress(1.0, "done");
  return r;
}

std::vector<BatchRunOutcome> run_audioldm2_batch(Generator& generator, const std::vector<BatchRun>& runs) {
  auto start = SteadyClock::now();
  std::vector<BatchRunOutcome> out(runs.size());
  std::vector<std::unique_ptr<TempFile>> temps(runs.size());
  std::vector<GeneratorBatchItem> items;
  std::vector<size_t> index;  // items[j] is runs[index[j]]
  for (size_t i = 0; i < runs.size(); ++i) {
    try {
      std::filesystem::create_directories(runs[i].out_path.parent_path());
      temps[i] = std::make_unique<TempFile>(runs[i].out_path);
      if (runs[i].on_temp) runs[i].on_temp(temps[i]->path());
      items.push_back({runs[i].params, step_progress(runs[i].progress), runs[i].cancel});
      index.push_back(i);
    } catch (...) {
      out[i].error = std::current_exception();
      temps[i].reset();
    }
  }
  std::vector<GeneratorBatchResult> waves = generator.generate_batch(items);
  const int batch_size = static_cast<int>(items.size());
  for (size_t j = 0; j < waves.size(); ++j) {
    const size_t i = index[j];
    try {
      if (waves[j].error) std::rethrow_exception(waves[j].error);
      if (runs[i].cancel->load()) throw GenerationCancelled();
      out[i].result = finish(*temps[i], waves[j].waveform, *runs[i].params, start, batch_size);
      if (runs[i].progress) runs[i].progress(1.0, "done");
    } catch (...) {
      out[i].error = std::current_exception();
    }
    temps[i].reset();  // an uncommitted temp file is removed here
  }
  return out;
}

}  // namespace foley::engines
