#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foley::models {

// Splits UTF-8 text exactly like the GPT-2 / RoBERTa byte-level
// pre-tokenizer regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// implemented by hand over utf8proc's Unicode categories (\s is the Unicode
// White_Space property, as in Oniguruma). The pieces concatenate back to the
// input. Throws foley::Error on invalid UTF-8.
std::vector<std::string> gpt2_pretokenize(std::string_view text);

// Decodes UTF-8 into code points; throws foley::Error naming the byte offset
// of the first invalid sequence.
std::vector<char32_t> decode_utf8(std::string_view text);

}  // namespace foley::models
