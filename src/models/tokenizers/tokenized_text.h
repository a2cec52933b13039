#pragma once

#include <cstdint>
#include <vector>

namespace foley::models {

// Token ids and attention mask of one text, as a tokenizer returns them to
// the pipeline (1 = real token, 0 = padding). Both have the same length.
struct TokenizedText {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> attention_mask;

  size_t size() const { return input_ids.size(); }
};

// How a call pads: kNone leaves the sequence as is ("longest" for a single
// text), kMaxLength pads with the tokenizer's pad id up to max_length.
enum class Padding { kNone, kMaxLength };

}  // namespace foley::models
