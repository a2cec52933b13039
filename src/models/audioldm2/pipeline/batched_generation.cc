#include "models/audioldm2/pipeline/batched_generation.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "common/error.h"
#include "models/schedulers/scheduler.h"
#include "tensor/ops.h"

namespace foley::models {
namespace {

using tensor::Tensor;

// One member's running state.
struct Lane {
  const BatchMember* member = nullptr;
  AudioLength length;
  bool cfg = false;
  std::unique_ptr<Scheduler> scheduler;
  Tensor latents;
  bool active = true;
};

int64_t rows_of(const Lane& lane) { return lane.cfg ? 2 : 1; }


// The UNet conditioning of the active lanes, concatenated in lane order; T5
// states padded with zeros (mask 0) to the longest.
UNetInputs concat_inputs(const std::vector<Lane>& lanes) {
  int64_t longest = 0;
  for (const auto& lane : lanes)
    if (lane.active) longest = std::max(longest, lane.member->inputs.encoder_hidden_states_1.size(1));
  std::vector<Tensor> gpt2, t5, mask;
  for (const auto& lane : lanes) {
    if (!lane.active) continue;
    const UNetInputs& in = lane.member->inputs;
    const int64_t len = in.encoder_hidden_states_1.size(1);
    Tensor m = in.encoder_attention_mask_1.defined()
                   ? in.encoder_attention_mask_1.to(tensor::DType::kF32)
                   : Tensor::full({rows_of(lane), len}, 1.0);
    Tensor states = in.encoder_hidden_states_1;
    if (len < longest) {
      states = tensor::pad(states, {0, 0, 0, longest - len});
      m = tensor::pad(m, {0, longest - len});
    }
    gpt2.push_back(in.encoder_hidden_states);
    t5.push_back(states);
    mask.push_back(m);
  }
  UNetInputs out;
  if (gpt2.empty()) return out;
  out.encoder_hidden_states = gpt2.size() == 1 ? gpt2[0] : tensor::cat(gpt2, 0);
  out.encoder_hidden_states_1 = t5.size() == 1 ? t5[0] : tensor::cat(t5, 0);
  out.encoder_attention_mask_1 = mask.size() == 1 ? mask[0] : tensor::cat(mask, 0);
  return out;
}

}  // namespace

std::string batch_key(const GenerationPipeline& pipeline, const GenerationParams& p) {
  const AudioLength length = pipeline.audio_length(p.duration_s);
  int64_t frames = length.latent_frames;
  if (p.initial_latents.defined() && p.initial_latents.dim() == 4) frames = p.initial_latents.size(2);
  return p.scheduler + "/" + std::to_string(p.steps) + "/T" + std::to_string(frames) + "/chunk" +
         std::to_string(p.vae_chunk_frames);
}

std::vector<BatchOutcome> generate_batch(const GenerationPipeline& pipeline, const std::vector<BatchMember>& members) {
  std::vector<BatchOutcome> out(members.size());
  if (members.empty()) return out;
  std::vector<Lane> lanes(members.size());
  std::string key;
  for (size_t i = 0; i < members.size(); ++i) {
    Lane& lane = lanes[i];
    lane.member = &members[i];
    lane.active = false;
    std::string own;
    try {
      check_generation_inputs(members[i].params, members[i].inputs);
      own = batch_key(pipeline, members[i].params);
    } catch (...) {
      out[i].error = std::current_exception();  // this member fails alone
      continue;
    }
    if (key.empty()) key = own;
    // Members that cannot share a batch are the caller's mistake: nothing runs.
    if (own != key)
      throw Error("batched generation: member " + std::to_string(i) + " (" + own +
                  ") cannot share a UNet batch with " + key);
    try {
      lane.cfg = members[i].params.guidance > 1.0;
      lane.length = pipeline.audio_length(members[i].params.duration_s);
      lane.scheduler = make_scheduler(members[i].params.scheduler, pipeline.scheduler_config());
      lane.scheduler->set_timesteps(members[i].params.steps);
      lane.latents = pipeline.initial_latents(members[i].params, lane.length, lane.scheduler->init_noise_sigma());
      lane.active = true;
    } catch (...) {
      out[i].error = std::current_exception();
    }
  }
  const Lane* first = nullptr;
  for (const auto& lane : lanes)
    if (lane.active && first == nullptr) first = &lane;
  if (first == nullptr) return out;

  // Every lane has the same timesteps (same scheduler kind, config and steps).
  const std::vector<int64_t> timesteps = first->scheduler->timesteps();
  UNetInputs inputs = concat_inputs(lanes);
  for (size_t i = 0; i < timesteps.size(); ++i) {
    const int64_t t = timesteps[i];
    std::vector<Tensor> x;
    for (const auto& lane : lanes) {
      if (!lane.active) continue;
      x.push_back(lane.latents);
      if (lane.cfg) x.push_back(lane.latents);
    }
    if (x.empty()) break;
    Tensor x_in = x.size() == 1 ? x[0] : tensor::cat(x, 0);
    Tensor eps_all = pipeline.unet().forward(x_in, static_cast<double>(t), inputs.encoder_hidden_states,
                                             inputs.encoder_hidden_states_1, inputs.encoder_attention_mask_1);
    bool dropped = false;
    int64_t row = 0;
    for (size_t m = 0; m < lanes.size(); ++m) {
      Lane& lane = lanes[m];
      if (!lane.active) continue;
      Tensor eps;
      if (lane.cfg) {
        eps = guided_prediction(eps_all, row, lane.member->params.guidance);  // as GenerationPipeline::generate
      } else {
        eps = eps_all.narrow(0, row, 1);
      }
      row += rows_of(lane);
      eps = eps.to(tensor::Device::cpu());  // the scheduler steps on the host
      try {
        lane.latents = checked_scheduler_step(*lane.scheduler, eps, t, lane.latents, i, timesteps.size());
        if (lane.member->progress)
          lane.member->progress(static_cast<int64_t>(i) + 1, static_cast<int64_t>(timesteps.size()));
      } catch (...) {
        out[m].error = std::current_exception();
        lane.active = false;
        dropped = true;
      }
    }
    if (dropped) inputs = concat_inputs(lanes);
  }

  for (size_t m = 0; m < lanes.size(); ++m) {
    Lane& lane = lanes[m];
    if (!lane.active) continue;
    try {
      out[m].waveform = pipeline.decode(lane.latents, lane.member->params, lane.length);
    } catch (...) {
      out[m].error = std::current_exception();
    }
    lane.latents = Tensor();  // free as we go
  }
  return out;
}

}  // namespace foley::models
