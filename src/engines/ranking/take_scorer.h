#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"

namespace foley::engines {

/// Scores the takes of one cue against the cue's prompt, as diffusers'
/// AudioLDM2Pipeline.score_waveforms ranks waveforms: the cosine similarity of
/// the projected, L2-normalised CLAP audio and text embeddings (the logit scale
/// diffusers multiplies in changes no order and is left out).
class TakeScorer {
 public:
  virtual ~TakeScorer() = default;

  /// Identity of the scoring model (its config and weights); stored beside
  /// every score so that a score from another model is never compared.
  virtual std::string fingerprint() const = 0;

  /// One score per take, in the order given; higher matches the prompt better.
  /// Each take is an audio file foley reads (any sample rate or channel count:
  /// down-mixed to mono and resampled to the scorer's rate). Throws foley::Error
  /// naming the file that cannot be scored.
  virtual std::vector<double> score(const std::string& prompt,
                                    const std::vector<std::filesystem::path>& take_files) = 0;
};

/// Opens the CLAP scorer in `folder`: an AudioLDM 2 checkpoint (its
/// text_encoder/ is a whole ClapModel, with tokenizer/ and feature_extractor/
/// beside it) or a standalone CLAP folder (config.json, model.safetensors,
/// tokenizer and preprocessor_config.json). Throws foley::Error naming what is
/// missing or malformed.
std::unique_ptr<TakeScorer> open_clap_scorer(const std::filesystem::path& folder,
                                             const tensor::Placement& placement);

}  // namespace foley::engines
