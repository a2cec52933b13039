#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/tokenizers/added_tokens.h"
#include "models/tokenizers/tokenized_text.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace foley::models {

// The Flan-T5 tokenizer: SentencePiece (spiece.model) followed by `</s>`,
// no BOS, pad id 0 (T5TokenizerFast as the AudioLDM 2 pipeline uses it).
// Special-token strings in the text (</s>, <pad>, <extra_id_N>, …) are
// matched first and the text between them is encoded piece by piece, which
// is what the fast tokenizer does.
class T5Tokenizer {
 public:
  // Reads `dir`/spiece.model and, when present, tokenizer_config.json
  // (model_max_length, 128 in the official checkpoints). Throws
  // foley::Error naming the file.
  static T5Tokenizer load(const std::filesystem::path& dir);

  T5Tokenizer(T5Tokenizer&&) noexcept;
  T5Tokenizer& operator=(T5Tokenizer&&) noexcept;
  ~T5Tokenizer();

  // Ids of `text` without the final `</s>`.
  std::vector<int64_t> encode_plain(std::string_view text) const;

  // ids + `</s>`, truncated to at most max_length (the `</s>` kept), then
  // padded with pad id / mask 0 up to max_length when padding is kMaxLength.
  TokenizedText encode(std::string_view text, Padding padding, size_t max_length) const;

  // The pipeline's prompt call: padding=True (none for one prompt),
  // truncation at model_max_length.
  TokenizedText encode_prompt(std::string_view text) const {
    return encode(text, Padding::kNone, model_max_length_);
  }
  // The pipeline's negative/empty-prompt call: padded or truncated to the
  // positive prompt's length.
  TokenizedText encode_negative(std::string_view text, size_t prompt_length) const {
    return encode(text, Padding::kMaxLength, prompt_length);
  }

  std::string decode(const std::vector<int64_t>& ids) const;

  size_t model_max_length() const { return model_max_length_; }
  int64_t eos_id() const { return eos_id_; }
  int64_t pad_id() const { return pad_id_; }
  size_t piece_count() const;

 private:
  T5Tokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::vector<AddedToken> added_;
  size_t model_max_length_ = 128;
  int64_t eos_id_ = 1, pad_id_ = 0;
};

}  // namespace foley::models
