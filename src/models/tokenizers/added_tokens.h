#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace foley::models {

// A token the Hugging Face tokenizers match literally in the raw text before
// the model runs (special tokens such as <s>, </s>, <pad>, <mask>, <extra_id_0>).
struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool lstrip = false;  // absorbs the whitespace on its left
  bool rstrip = false;  // absorbs the whitespace on its right
};

// Reads the added tokens of a tokenizer folder: tokenizer.json's
// "added_tokens" when present, else tokenizer_config.json's
// "added_tokens_decoder"; empty when neither exists. Throws foley::Error
// naming the file when it is malformed.
std::vector<AddedToken> load_added_tokens(const std::filesystem::path& dir);

// Splits `text` at every leftmost-longest occurrence of an added token:
// calls on_segment for each piece of plain text (possibly empty) and on_token
// for each match, in order, honouring lstrip/rstrip.
void split_on_added_tokens(std::string_view text, const std::vector<AddedToken>& tokens,
                           const std::function<void(std::string_view)>& on_segment,
                           const std::function<void(const AddedToken&)>& on_token);

}  // namespace foley::models
