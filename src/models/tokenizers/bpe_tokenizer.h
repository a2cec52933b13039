#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/tokenizers/added_tokens.h"
#include "models/tokenizers/tokenized_text.h"

namespace foley::models {

// Byte-level BPE (GPT-2 / RoBERTa) over vocab.json + merges.txt, with the
// RoBERTa template `<s> text </s>` (RobertaTokenizerFast, add_prefix_space
// false). Special-token strings that appear literally in the text are matched
// as their ids, as the Hugging Face tokenizer does.
class BpeTokenizer {
 public:
  // Reads `dir`/vocab.json, `dir`/merges.txt and, when present,
  // tokenizer_config.json (model_max_length, special tokens). Throws
  // foley::Error naming the file on a missing or malformed input.
  static BpeTokenizer load(const std::filesystem::path& dir);

  // Builds from in-memory tables (vocab: token → id; merges in rank order).
  BpeTokenizer(std::unordered_map<std::string, int64_t> vocab,
               std::vector<std::pair<std::string, std::string>> merges);

  // BPE ids of `text` without special tokens.
  std::vector<int64_t> encode_plain(std::string_view text) const;

  // `<s> ids </s>`, truncated so the total is at most max_length, then padded
  // with <pad> up to max_length when padding is kMaxLength.
  TokenizedText encode(std::string_view text, Padding padding, size_t max_length) const;

  // The pipeline's CLAP call: padding="max_length", truncation,
  // max_length = model_max_length.
  TokenizedText encode_for_clap(std::string_view text) const {
    return encode(text, Padding::kMaxLength, model_max_length_);
  }

  // Ids → text (byte-level decode), specials included verbatim.
  std::string decode(const std::vector<int64_t>& ids) const;

  int64_t token_id(const std::string& token) const;  // throws if absent
  size_t vocab_size() const { return vocab_.size(); }
  size_t model_max_length() const { return model_max_length_; }
  void set_model_max_length(size_t n) { model_max_length_ = n; }
  int64_t bos_id() const { return bos_id_; }
  int64_t eos_id() const { return eos_id_; }
  int64_t pad_id() const { return pad_id_; }

 private:
  std::vector<std::string> bpe(const std::string& mapped_word) const;
  void encode_segment(std::string_view text, std::vector<int64_t>& out) const;
  void set_default_added_tokens();

  std::unordered_map<std::string, int64_t> vocab_;
  std::unordered_map<int64_t, std::string> id_to_token_;
  // Pair key "a\x01b" → rank (lower merges first).
  std::unordered_map<std::string, int> merge_rank_;
  // Added (special) tokens matched literally in the input before BPE.
  std::vector<AddedToken> added_;
  size_t model_max_length_ = 512;
  int64_t bos_id_ = 0, eos_id_ = 2, pad_id_ = 1;
};

}  // namespace foley::models
