// The CLAP TakeScorer: transformers' ClapModel audio and text branches,
// ranking takes as diffusers' AudioLDM2Pipeline.score_waveforms does, with
// the deterministic feature extractor of models/clap.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "audio/audio_reader.h"
#include "audio/channels.h"
#include "audio/resample.h"
#include "common/error.h"
#include "common/hash.h"
#include "engines/ranking/take_scorer.h"
#include "models/audioldm2/pipeline/allocator_tuning.h"
#include "models/clap/clap_audio_model.h"
#include "models/clap/clap_feature_extractor.h"
#include "models/clap/clap_text_model.h"
#include "models/tokenizers/bpe_tokenizer.h"
#include "tensor/ops.h"
#include "tensor/safetensors.h"

namespace foley::engines {
namespace {

namespace fs = std::filesystem;
using tensor::Tensor;

// Where a checkpoint keeps the three parts the scorer reads.
struct ClapFolders {
  fs::path model;      // config.json + weights (a ClapModel)
  fs::path tokenizer;  // vocab.json + merges.txt
  fs::path feature_extractor;  // preprocessor_config.json
};

ClapFolders locate(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw Error("CLAP model " + folder.string() + ": no such folder");
  ClapFolders f;
  if (fs::exists(folder / "text_encoder" / "config.json", ec)) {
    // An AudioLDM 2 checkpoint: its text_encoder is the whole ClapModel.
    f = {folder / "text_encoder", folder / "tokenizer", folder / "feature_extractor"};
  } else {
    f = {folder, folder, folder};
  }
  for (const fs::path& need : {f.model / "config.json", f.tokenizer / "vocab.json", f.tokenizer / "merges.txt",
                               f.feature_extractor / "preprocessor_config.json"})
    if (!fs::is_regular_file(need, ec))
      throw Error("CLAP model " + folder.string() + ": " + need.string() +
                  " is missing (expected an AudioLDM 2 checkpoint with text_encoder/, tokenizer/ and "
                  "feature_extractor/, or a CLAP folder with config.json, weights, tokenizer and "
                  "preprocessor_config.json)");
  return f;
}

class ClapTakeScorer final : public TakeScorer {
 public:
  ClapTakeScorer(const fs::path& folder, const tensor::Placement& placement) {
    ClapFolders f = locate(folder);
    auto text_config = models::ClapTextConfig::load(f.model / "config.json");
    auto audio_config = models::ClapAudioConfig::load(f.model / "config.json");
    extractor_ = models::ClapFeatureExtractor::load(f.feature_extractor / "preprocessor_config.json");
    const std::string where = f.model.string() + "/config.json";
    if (text_config.projection_dim != audio_config.projection_dim)
      throw Error(where + ": the text and audio projections differ in size");
    if (extractor_.feature_size != audio_config.num_mel_bins)
      throw Error(f.feature_extractor.string() + "/preprocessor_config.json: feature_size " +
                  std::to_string(extractor_.feature_size) + " differs from the model's num_mel_bins " +
                  std::to_string(audio_config.num_mel_bins));
    if ((extractor_.truncation == "fusion") != audio_config.enable_fusion)
      throw Error(f.feature_extractor.string() + "/preprocessor_config.json: truncation \"" + extractor_.truncation +
                  "\" does not suit a model with enable_fusion " + (audio_config.enable_fusion ? "true" : "false"));
    // Every op returns a fresh multi-megabyte activation: keep them in the heap.
    models::tune_allocator_for_inference();
    auto weights = tensor::WeightMap::load_dir(f.model, placement);
    text_ = std::make_unique<models::ClapTextModel>(models::ClapTextModel::load(text_config, weights));
    audio_ = std::make_unique<models::ClapAudioModel>(models::ClapAudioModel::load(audio_config, weights));
    tokenizer_ = std::make_unique<models::BpeTokenizer>(models::BpeTokenizer::load(f.tokenizer));

    // The identity of everything that decides a score: the three folders' files.
    Hasher128 h;
    h.update("clap-take-scorer 1\n");
    for (const fs::path& dir : {f.model, f.tokenizer, f.feature_extractor}) {
      h.update(folder_hash(dir, [](const fs::path& p) { return xxh3_128_file(p).hex(); }));
      h.update("\n");
    }
    fingerprint_ = h.digest().hex();
  }

  std::string fingerprint() const override { return fingerprint_; }

  std::vector<double> score(const std::string& prompt, const std::vector<fs::path>& take_files) override {
    std::vector<double> scores;
    if (take_files.empty()) return scores;
    // diffusers tokenizes with padding only; a prompt past model_max_length is
    // truncated here where the reference would fail in the model.
    models::TokenizedText t =
        tokenizer_->encode(prompt, models::Padding::kNone, tokenizer_->model_max_length());
    const auto length = static_cast<int64_t>(t.input_ids.size());
    Tensor text = text_->get_text_features(Tensor::from_vector(t.input_ids, {1, length}),
                                           Tensor::from_vector(t.attention_mask, {1, length}));
    for (const fs::path& file : take_files) {
      try {
        Tensor audio = audio_embeds(file);
        // Both are unit vectors: the dot product is the cosine similarity.
        const double score = tensor::matmul(text, audio, true).to(tensor::Device::cpu()).item();
        if (!std::isfinite(score)) throw Error("the take holds non-finite samples (its score is " +
                                               std::to_string(score) + ")");
        scores.push_back(score);
      } catch (const Error& e) {
        throw Error("cannot score take " + file.string() + ": " + e.what(), e.kind());
      }
    }
    return scores;
  }

 private:
  Tensor audio_embeds(const fs::path& file) const {
    audio::AudioBuffer buffer = audio::read_audio(file);
    buffer = audio::convert_channels(buffer, 1);
    buffer = audio::resample(buffer, static_cast<int>(extractor_.sampling_rate));
    if (buffer.samples.empty()) throw Error("the take holds no audio");
    models::ClapFeatureExtractor::Features f = extractor_.extract(buffer.samples);
    Tensor x = Tensor::from_vector(f.input_features, {1, f.channels, f.frames, extractor_.feature_size});
    return audio_->get_audio_features(x, {f.is_longer});
  }

  models::ClapFeatureExtractor extractor_;
  std::unique_ptr<models::ClapTextModel> text_;
  std::unique_ptr<models::ClapAudioModel> audio_;
  std::unique_ptr<models::BpeTokenizer> tokenizer_;
  std::string fingerprint_;
};

}  // namespace

std::unique_ptr<TakeScorer> open_clap_scorer(const fs::path& folder, const tensor::Placement& placement) {
  return std::make_unique<ClapTakeScorer>(folder, placement);
}

}  // namespace foley::engines
