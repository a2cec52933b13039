#include "backends/audioldm2_pipeline_generator.h"

#include <cstring>

#include "engine/pipeline/text_to_audio.h"
#include "tensor/ops.h"

namespace foley::backends {
namespace {

class PipelineGenerator : public Generator {
 public:
  PipelineGenerator(const ModelKey& key, engine::TextToAudio pipeline)
      : key_(key), pipeline_(std::move(pipeline)) {}

  Waveform generate(const GenerationParams& params, const StepProgressFn& progress,
                    const CancelFlag& cancel) override {
    if (params.device != "cpu")
      throw Error(params.device + ": the AudioLDM 2 pipeline runs on the CPU only in this build");
    if (key_.threads > 0) tensor::set_num_threads(key_.threads);
    engine::GenerationParams p;
    p.prompt = params.prompt;
    p.negative_prompt = params.negative_prompt;
    p.duration_s = params.duration_seconds;
    p.seed = params.seed;
    p.steps = params.steps;
    p.guidance = params.guidance;
    p.scheduler = params.scheduler;
    engine::AudioLength length = pipeline_.generation().audio_length(params.duration_seconds);
    if (length.latent_frames > kVaeChunkAboveLatentFrames) p.vae_chunk_frames = kVaeChunkFrames;
    if (cancel.load()) throw GenerationCancelled();
    // The pipeline reports after every step; throwing from there is how a
    // cancelled request stops between steps (the pipeline is exception safe).
    engine::StepProgress on_step = [&](int64_t done, int64_t total) {
      if (cancel.load()) throw GenerationCancelled();
      if (progress)
        progress(static_cast<int>(done), static_cast<int>(total),
                 "step " + std::to_string(done) + "/" + std::to_string(total));
    };
    tensor::Tensor wave = pipeline_.generate(p, nullptr, on_step);
    if (cancel.load()) throw GenerationCancelled();
    Waveform out;
    out.sample_rate = kAudioLdm2SampleRate;
    out.samples.resize(static_cast<size_t>(wave.numel()));
    std::memcpy(out.samples.data(), wave.data<float>(), out.samples.size() * sizeof(float));
    return out;
  }

 private:
  ModelKey key_;
  engine::TextToAudio pipeline_;
};

}  // namespace

std::shared_ptr<Generator> load_pipeline_generator(const ModelKey& key) {
  if (key.threads > 0) tensor::set_num_threads(key.threads);
  return std::make_shared<PipelineGenerator>(key, engine::TextToAudio::load(key.model_dir));
}

GeneratorLoader pipeline_generator_loader() { return load_pipeline_generator; }

}  // namespace foley::backends
