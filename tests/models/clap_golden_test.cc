// The CLAP audio branch and its feature extractor against transformers
// (tools/golden/make_clap.py): input features, pooled output, audio and text
// embeddings and cosine scores of the tiny unfused and fused models.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "common/atomic_file.h"
#include "tensor/safetensors.h"
#include "models/clap/clap_audio_model.h"
#include "models/clap/clap_feature_extractor.h"
#include "models/clap/clap_text_model.h"
#include "models/tokenizers/bpe_tokenizer.h"
#include "clap_waveforms.h"
#include "golden_util.h"

namespace foley::models {
namespace {

using tensor::Tensor;
using testing::compare;

// An fp32 port that is right lands near 1e-12 (the float64 spectrogram, fp32
// HTSAT); a missing bias or a wrong window shows as 1e-4 and more.
constexpr double kMaxNmse = 1e-8;

struct Golden {
  nlohmann::json index;
  tensor::SafetensorsFile file;
  Tensor get(const std::string& name) const { return file.get(name); }
};

const Golden& golden() {
  static Golden g{nlohmann::json::parse(read_file(testing::golden_dir("clap") / "index.json")),
                  tensor::SafetensorsFile::open(testing::golden_dir("clap") / "clap.safetensors")};
  return g;
}

ClapFeatureExtractor extractor(const nlohmann::json& config) {
  ClapFeatureExtractor fe = ClapFeatureExtractor::load(testing::model_dir("tiny-audioldm2") / "feature_extractor" /
                                                       "preprocessor_config.json");
  fe.truncation = config.at("truncation").get<std::string>();
  fe.padding = config.at("padding").get<std::string>();
  return fe;
}

std::vector<int64_t> golden_rows(int64_t frames) {
  std::vector<int64_t> r = {0, 1, frames / 3, frames / 2, frames - 2, frames - 1};
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  return r;
}

void check_features(const std::string& config_name, const std::string& wave, const ClapFeatureExtractor::Features& f) {
  const auto& expected = golden().index.at("extractor").at(config_name).at("cases").at(wave);
  INFO(config_name << " / " << wave);
  REQUIRE(f.channels == expected.at("channels").get<int64_t>());
  REQUIRE(f.frames == expected.at("frames").get<int64_t>());
  CHECK(f.is_longer == expected.at("is_longer").get<bool>());
  const int64_t c = f.channels, t = f.frames, m = 64;
  std::vector<int64_t> rows = golden_rows(t);
  std::vector<float> picked, means;
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t r : rows)
      for (int64_t b = 0; b < m; ++b) picked.push_back(f.input_features[static_cast<size_t>((ch * t + r) * m + b)]);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t r = 0; r < t; ++r) {
      double s = 0;
      for (int64_t b = 0; b < m; ++b) s += f.input_features[static_cast<size_t>((ch * t + r) * m + b)];
      means.push_back(static_cast<float>(s / m));
    }
  const std::string key = "fe." + config_name + "." + wave;
  Tensor exp_rows = golden().get(key + ".rows"), exp_means = golden().get(key + ".frame_mean");
  REQUIRE(exp_rows.numel() == static_cast<int64_t>(picked.size()));
  REQUIRE(exp_means.numel() == static_cast<int64_t>(means.size()));
  auto e_rows = compare(Tensor::from_vector(picked), exp_rows);
  auto e_means = compare(Tensor::from_vector(means), exp_means);
  testing::report(key + ".rows", e_rows);
  testing::report(key + ".frame_mean", e_means);
  CHECK(e_rows.nmse <= kMaxNmse);
  CHECK(e_means.nmse <= kMaxNmse);
}

TEST_CASE("ClapFeatureExtractor matches transformers for every truncation and padding mode", "[clap][golden]") {
  for (const auto& [config_name, config] : golden().index.at("extractor").items()) {
    ClapFeatureExtractor fe = extractor(config);
    for (const auto& [wave, _] : config.at("cases").items())
      check_features(config_name, wave, fe.extract(testing::clap_waveform(
                                            testing::clap_waveform_params(golden().index, wave))));
  }
}

Tensor features_batch(const ClapFeatureExtractor& fe, const std::vector<std::string>& waves,
                      std::vector<bool>* is_longer) {
  std::vector<Tensor> items;
  for (const auto& w : waves) {
    auto f = fe.extract(testing::clap_waveform(testing::clap_waveform_params(golden().index, w)));
    items.push_back(Tensor::from_vector(f.input_features, {1, f.channels, f.frames, fe.feature_size}));
    is_longer->push_back(f.is_longer);
  }
  return tensor::cat(items, 0);
}

TEST_CASE("ClapAudioModel and the cosine scores match transformers (unfused and fused HTSAT)", "[clap][golden]") {
  std::vector<std::string> waves;
  for (const auto& w : golden().index.at("waveforms"))
    if (w.at("rate").get<int>() == 48000) waves.push_back(w.at("name").get<std::string>());
  for (const auto& [name, m] : golden().index.at("models").items()) {
    INFO("model " << name);
    const auto dir = testing::model_dir(m.at("folder").get<std::string>());
    ClapFeatureExtractor fe = ClapFeatureExtractor::load(dir / "preprocessor_config.json");
    auto config = ClapAudioConfig::load(dir / "config.json");
    CHECK(config.enable_fusion == (name == "fused"));
    auto weights = tensor::WeightMap::load_dir(dir, tensor::Placement::on(testing::test_device()));
    auto audio = ClapAudioModel::load(config, weights);
    std::vector<bool> longer;
    Tensor x = features_batch(fe, waves, &longer);
    CHECK(longer == m.at("is_longer").get<std::vector<bool>>());

    auto e_pooled = compare(audio.pooled_output(x, longer), golden().get(name + ".pooled"));
    Tensor audio_embeds = audio.get_audio_features(x, longer);
    auto e_audio = compare(audio_embeds, golden().get(name + ".audio_embeds"));
    testing::report(name + ".pooled", e_pooled);
    testing::report(name + ".audio_embeds", e_audio);
    CHECK(e_pooled.nmse <= kMaxNmse);
    CHECK(e_audio.nmse <= kMaxNmse);

    auto text = ClapTextModel::load(ClapTextConfig::load(dir / "config.json"), weights);
    auto tokenizer = BpeTokenizer::load(dir);
    std::vector<Tensor> text_rows;
    for (const auto& prompt : golden().index.at("prompts")) {
      TokenizedText t = tokenizer.encode(prompt.get<std::string>(), Padding::kNone, tokenizer.model_max_length());
      const auto l = static_cast<int64_t>(t.input_ids.size());
      text_rows.push_back(text.get_text_features(Tensor::from_vector(t.input_ids, {1, l}),
                                                 Tensor::from_vector(t.attention_mask, {1, l})));
    }
    Tensor text_embeds = tensor::cat(text_rows, 0);
    auto e_text = compare(text_embeds, golden().get(name + ".text_embeds"));
    auto e_scores = compare(tensor::matmul(text_embeds, audio_embeds, true), golden().get(name + ".scores"));
    testing::report(name + ".scores", e_scores);
    CHECK(e_text.nmse <= kMaxNmse);
    CHECK(e_scores.nmse <= kMaxNmse);
  }
}

TEST_CASE("bicubic_resize_matrix is the identity for equal sizes and interpolates a line exactly", "[clap]") {
  std::vector<float> id = bicubic_resize_matrix(5, 5).to_vector_f32();
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) CHECK(id[static_cast<size_t>(i * 5 + j)] == (i == j ? 1.0f : 0.0f));
  // Rows sum to 1 and a linear ramp stays linear (cubic convolution reproduces lines away from the clamped edges).
  Tensor m = bicubic_resize_matrix(11, 21);
  std::vector<float> ramp(11);
  for (int i = 0; i < 11; ++i) ramp[static_cast<size_t>(i)] = static_cast<float>(i);
  std::vector<float> out = tensor::matmul(m, Tensor::from_vector(ramp, {11, 1})).to_vector_f32();
  for (int o = 2; o < 19; ++o) CHECK(std::fabs(out[static_cast<size_t>(o)] - 0.5f * static_cast<float>(o)) < 1e-5);
}

}  // namespace
}  // namespace foley::models
