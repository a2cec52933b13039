#include "engines/audioldm2/audioldm2_run.h"

#include <chrono>
#include <memory>

#include "audio/wav_image.h"
#include "common/atomic_file.h"

namespace foley::engines {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The pipeline reports after every step; throwing from there is how a
// cancelled request stops between steps (the pipeline is exception safe,
// and a batch drops only the cue that threw).
models::StepProgress step_progress(const ProgressFn& progress, const CancelFlag& cancel) {
  return [&progress, &cancel](int64_t done, int64_t total) {
    if (cancel.load()) throw GenerationCancelled();
    if (progress)
      progress(total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0,
               "step " + std::to_string(done) + "/" + std::to_string(total));
  };
}

// Writes `wave` through `tmp` (renamed over its final path) and describes it.
GenerationResult finish(TempFile& tmp, const tensor::Tensor& wave, const AudioLdm2Request& request,
                        SteadyClock::time_point start, int batch_size) {
  const models::GenerationParams& params = request.params;
  const std::vector<float> samples =
      wave.defined() ? wave.to(tensor::Device::cpu()).to_vector_f32() : std::vector<float>{};
  if (samples.empty())
    throw Error::failure("audioldm2: the pipeline produced no samples for " +
                         std::to_string(params.duration_s.value_or(kAudioLdm2DefaultDuration)) + " s");
  // Our own writer, not libsndfile's: the same waveform must give the same bytes.
  tmp.write(audio::float_wav_image(samples, kAudioLdm2SampleRate));
  tmp.commit();

  GenerationResult r;
  r.duration_seconds = static_cast<double>(samples.size()) / kAudioLdm2SampleRate;
  r.generation_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  r.details = {{"model_fingerprint", request.model.fingerprint},
               {"seed", params.seed},
               {"take", params.take},
               {"steps", params.steps},
               {"scheduler", params.scheduler},
               {"guidance", params.guidance},
               {"device", request.model.device},
               {"batch_size", batch_size}};
  return r;
}

}  // namespace

std::vector<AudioLdm2RunOutcome> run_audioldm2(Generator& generator, const std::vector<AudioLdm2Run>& runs) {
  auto start = SteadyClock::now();
  std::vector<AudioLdm2RunOutcome> out(runs.size());
  std::vector<std::unique_ptr<TempFile>> temps(runs.size());
  std::vector<models::Cue> cues;
  std::vector<size_t> index;  // cues[j] is runs[index[j]]
  int batch_size = 0;         // the requests that got this far, cancelled or not
  for (size_t i = 0; i < runs.size(); ++i) {
    const AudioLdm2Run& run = runs[i];
    try {
      std::filesystem::create_directories(run.out_path.parent_path());
      temps[i] = std::make_unique<TempFile>(run.out_path);
      if (run.on_temp) run.on_temp(temps[i]->path());
      batch_size++;
      if (run.cancel->load()) throw GenerationCancelled();
      models::Cue cue;
      cue.params = run.request->params;
      cue.progress = step_progress(run.progress, *run.cancel);
      cues.push_back(std::move(cue));
      index.push_back(i);
    } catch (...) {
      out[i].error = std::current_exception();
      temps[i].reset();  // an uncommitted temp file is removed here
    }
  }
  if (cues.empty()) return out;
  std::vector<models::CueOutcome> waves = generator.generate(cues);
  for (size_t j = 0; j < waves.size(); ++j) {
    const size_t i = index[j];
    try {
      if (waves[j].error) std::rethrow_exception(waves[j].error);
      if (runs[i].cancel->load()) throw GenerationCancelled();
      out[i].result = finish(*temps[i], waves[j].waveform, *runs[i].request, start, batch_size);
      if (runs[i].progress) runs[i].progress(1.0, "done");
    } catch (...) {
      out[i].error = std::current_exception();
    }
    temps[i].reset();
  }
  return out;
}

}  // namespace foley::engines
