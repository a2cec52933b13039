#include "engines/audioldm2/audioldm2_pipeline_generator.h"

#include <cstring>

#include "models/audioldm2/pipeline/text_to_audio.h"
#include "tensor/cuda/select_device.h"
#include "tensor/ops.h"

namespace foley::engines {
namespace {

Waveform to_waveform(const tensor::Tensor& device_wave) {
  const tensor::Tensor wave = device_wave.to(tensor::Device::cpu());
  Waveform out;
  out.sample_rate = kAudioLdm2SampleRate;
  out.samples.resize(static_cast<size_t>(wave.numel()));
  std::memcpy(out.samples.data(), wave.data<float>(), out.samples.size() * sizeof(float));
  return out;
}

class PipelineGenerator : public Generator {
 public:
  PipelineGenerator(const ModelKey& key, models::TextToAudio pipeline)
      : key_(key), pipeline_(std::move(pipeline)) {}

  Waveform generate(const GenerationParams& params, const StepProgressFn& progress,
                    const CancelFlag& cancel) override {
    models::GenerationParams p = engine_params(params);
    if (cancel.load()) throw GenerationCancelled();
    tensor::Tensor wave = pipeline_.generate(p, nullptr, step_progress(progress, cancel));
    if (cancel.load()) throw GenerationCancelled();
    return to_waveform(wave);
  }

  std::string batch_key(const GenerationParams& params) const override {
    return models::batch_key(pipeline_.generation(), engine_params(params));
  }

  std::vector<GeneratorBatchResult> generate_batch(const std::vector<GeneratorBatchItem>& items) override {
    std::vector<GeneratorBatchResult> out(items.size());
    std::vector<models::GenerationParams> params;
    std::vector<models::StepProgress> progress;
    std::vector<size_t> index;  // params[j] is items[index[j]]
    for (size_t i = 0; i < items.size(); ++i) {
      try {
        if (items[i].cancel->load()) throw GenerationCancelled();
        params.push_back(engine_params(*items[i].params));
        progress.push_back(step_progress(items[i].progress, *items[i].cancel));
        index.push_back(i);
      } catch (...) {
        out[i].error = std::current_exception();
      }
    }
    if (params.empty()) return out;
    std::vector<models::BatchOutcome> ran = pipeline_.generate_batch(params, progress);
    for (size_t j = 0; j < ran.size(); ++j) {
      GeneratorBatchResult& r = out[index[j]];
      if (ran[j].error) {
        r.error = ran[j].error;
      } else if (items[index[j]].cancel->load()) {
        r.error = std::make_exception_ptr(GenerationCancelled());
      } else {
        r.waveform = to_waveform(ran[j].waveform);
      }
    }
    return out;
  }

 private:
  models::GenerationParams engine_params(const GenerationParams& params) const {
    if (key_.threads > 0) tensor::set_num_threads(key_.threads);
    models::GenerationParams p;
    p.prompt = params.prompt;
    p.negative_prompt = params.negative_prompt;
    p.duration_s = params.duration_seconds;
    p.seed = params.seed;
    p.steps = params.steps;
    p.guidance = params.guidance;
    p.scheduler = params.scheduler;
    models::AudioLength length = pipeline_.generation().audio_length(params.duration_seconds);
    if (length.latent_frames > kVaeChunkAboveLatentFrames) p.vae_chunk_frames = kVaeChunkFrames;
    return p;
  }

  // The pipeline reports after every step; throwing from there is how a
  // cancelled request stops between steps (the pipeline is exception safe,
  // and a batch drops only the member that threw).
  static models::StepProgress step_progress(const StepProgressFn& progress, const CancelFlag& cancel) {
    return [&progress, &cancel](int64_t done, int64_t total) {
      if (cancel.load()) throw GenerationCancelled();
      if (progress)
        progress(static_cast<int>(done), static_cast<int>(total),
                 "step " + std::to_string(done) + "/" + std::to_string(total));
    };
  }

  ModelKey key_;
  models::TextToAudio pipeline_;
};

}  // namespace

std::shared_ptr<Generator> load_pipeline_generator(const ModelKey& key) {
  // The key's device was resolved when the request was read; asking
  // select_device again gives a key naming an unusable device (a resident
  // server on another machine, a hand-written spec) the same clear reason
  // before any weight is read.
  const tensor::Device device = tensor::select_device(key.device);
  if (key.threads > 0) tensor::set_num_threads(key.threads);
  return std::make_shared<PipelineGenerator>(
      key, models::TextToAudio::load(key.model_dir, tensor::Placement::on(device)));
}

GeneratorLoader pipeline_generator_loader() { return load_pipeline_generator; }

}  // namespace foley::engines
