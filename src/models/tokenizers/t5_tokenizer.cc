#include "models/tokenizers/t5_tokenizer.h"

#include <sentencepiece_processor.h>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::models {

T5Tokenizer::T5Tokenizer() : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
T5Tokenizer::T5Tokenizer(T5Tokenizer&&) noexcept = default;
T5Tokenizer& T5Tokenizer::operator=(T5Tokenizer&&) noexcept = default;
T5Tokenizer::~T5Tokenizer() = default;

T5Tokenizer T5Tokenizer::load(const std::filesystem::path& dir) {
  auto model = dir / "spiece.model";
  if (!std::filesystem::exists(model)) throw Error(model.string() + ": missing (the T5 tokenizer needs spiece.model)");
  T5Tokenizer tok;
  auto status = tok.sp_->LoadFromSerializedProto(read_file(model));
  if (!status.ok()) throw Error(model.string() + ": not a SentencePiece model: " + status.ToString());
  if (int id = tok.sp_->eos_id(); id >= 0) tok.eos_id_ = id;
  if (int id = tok.sp_->pad_id(); id >= 0) tok.pad_id_ = id;
  tok.added_ = load_added_tokens(dir);
  if (tok.added_.empty()) {
    // No tokenizer.json / config: the model's own special pieces.
    for (int id : {tok.sp_->pad_id(), tok.sp_->eos_id(), tok.sp_->unk_id()})
      if (id >= 0) tok.added_.push_back({tok.sp_->IdToPiece(id), id, false, false});
  }
  if (auto cfg = dir / "tokenizer_config.json"; std::filesystem::exists(cfg)) {
    try {
      auto j = nlohmann::json::parse(read_file(cfg));
      if (j.contains("model_max_length") && j["model_max_length"].is_number()) {
        double m = j["model_max_length"].get<double>();
        if (m >= 1 && m < 1e9) tok.model_max_length_ = static_cast<size_t>(m);
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(cfg.string() + ": invalid JSON: " + e.what());
    }
  }
  return tok;
}

std::vector<int64_t> T5Tokenizer::encode_plain(std::string_view text) const {
  std::vector<int64_t> out;
  std::vector<int> ids;
  split_on_added_tokens(
      text, added_,
      [&](std::string_view segment) {
        if (segment.empty()) return;
        auto status = sp_->Encode(segment, &ids);
        if (!status.ok())
          throw Error("T5 tokenizer: cannot encode \"" + std::string(segment) + "\": " + status.ToString());
        out.insert(out.end(), ids.begin(), ids.end());
      },
      [&](const AddedToken& token) { out.push_back(token.id); });
  return out;
}

TokenizedText T5Tokenizer::encode(std::string_view text, Padding padding, size_t max_length) const {
  if (max_length < 1) throw Error("T5 tokenizer: max_length 0 leaves no room for </s>");
  std::vector<int64_t> body = encode_plain(text);
  if (body.size() > max_length - 1) body.resize(max_length - 1);
  TokenizedText t;
  t.input_ids = std::move(body);
  t.input_ids.push_back(eos_id_);
  t.attention_mask.assign(t.input_ids.size(), 1);
  if (padding == Padding::kMaxLength) {
    t.input_ids.resize(max_length, pad_id_);
    t.attention_mask.resize(max_length, 0);
  }
  return t;
}

std::string T5Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::vector<int> v(ids.begin(), ids.end());
  std::string out;
  auto status = sp_->Decode(v, &out);
  if (!status.ok()) throw Error("T5 tokenizer: cannot decode: " + status.ToString());
  return out;
}

size_t T5Tokenizer::piece_count() const { return static_cast<size_t>(sp_->GetPieceSize()); }

}  // namespace foley::models
