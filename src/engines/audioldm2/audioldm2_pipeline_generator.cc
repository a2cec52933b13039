#include "engines/audioldm2/audioldm2_pipeline_generator.h"

#include "common/error.h"
#include "models/audioldm2/pipeline/pipeline_audioldm2.h"
#include "tensor/cuda/select_device.h"
#include "tensor/ops.h"

namespace foley::engines {
namespace {

class PipelineGenerator : public Generator {
 public:
  PipelineGenerator(const ModelKey& key, models::AudioLDM2Pipeline pipeline)
      : key_(key), pipeline_(std::move(pipeline)) {}

  std::string batch_key(const models::GenerationParams& params) const override {
    return pipeline_.batch_key(with_vae_windows(params));
  }

  std::vector<models::CueOutcome> generate(const std::vector<models::Cue>& cues) override {
    if (key_.threads > 0) tensor::set_num_threads(key_.threads);
    std::vector<models::Cue> prepared = cues;
    for (auto& cue : prepared) cue.params = with_vae_windows(std::move(cue.params));
    return pipeline_.generate(prepared);
  }

 private:
  // Long clips decode the VAE in windows (bounded memory), an engine policy
  // the batch key carries.
  models::GenerationParams with_vae_windows(models::GenerationParams params) const {
    try {
      const models::AudioLength length = pipeline_.audio_length(params.duration_s);
      if (length.latent_frames > kVaeChunkAboveLatentFrames) params.vae_chunk_frames = kVaeChunkFrames;
    } catch (const Error&) {
      // A bad duration: the pipeline fails this cue alone, with the same message.
    }
    return params;
  }

  ModelKey key_;
  models::AudioLDM2Pipeline pipeline_;
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
      key, models::AudioLDM2Pipeline::load(key.model_dir, tensor::Placement::on(device)));
}

GeneratorLoader pipeline_generator_loader() { return load_pipeline_generator; }

}  // namespace foley::engines
