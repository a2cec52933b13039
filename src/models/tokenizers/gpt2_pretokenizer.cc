#include "models/tokenizers/gpt2_pretokenizer.h"

#include <utf8proc.h>

#include "common/error.h"

namespace foley::models {
namespace {

enum class CharClass { kLetter, kNumber, kSpace, kOther };

bool is_white_space(char32_t c) {
  // Unicode White_Space property (what \s matches in Oniguruma's Unicode mode).
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

CharClass classify(char32_t c) {
  if (is_white_space(c)) return CharClass::kSpace;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kNumber;
    default:
      return CharClass::kOther;
  }
}

// Length in code points of the contraction at `i` ('s 't 're 've 'm 'll 'd), or 0.
size_t contraction_length(const std::vector<char32_t>& cps, size_t i) {
  if (cps[i] != U'\'' || i + 1 >= cps.size()) return 0;
  char32_t a = cps[i + 1];
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 >= cps.size()) return 0;
  char32_t b = cps[i + 2];
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

}  // namespace

std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  size_t offset = 0;
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p + offset, left, &cp);
    if (n <= 0 || cp < 0)
      throw Error("text is not valid UTF-8 (byte offset " + std::to_string(offset) + ")");
    out.push_back(static_cast<char32_t>(cp));
    offset += static_cast<size_t>(n);
    left -= n;
  }
  return out;
}

std::vector<std::string> gpt2_pretokenize(std::string_view text) {
  std::vector<char32_t> cps = decode_utf8(text);
  std::vector<CharClass> cls(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) cls[i] = classify(cps[i]);

  // Byte offset of every code point, to cut the original UTF-8 string.
  std::vector<size_t> byte_at(cps.size() + 1, 0);
  {
    size_t off = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
      byte_at[i] = off;
      char32_t c = cps[i];
      off += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    byte_at[cps.size()] = off;
  }

  std::vector<std::string> pieces;
  const size_t n = cps.size();
  size_t i = 0;
  while (i < n) {
    size_t end = i;
    if (size_t c = contraction_length(cps, i); c > 0) {
      end = i + c;
    } else {
      // " ?X+" for X in {letter, number, other}: an optional ASCII space
      // followed by a run of one class (other = not space, letter, number).
      size_t start = (cps[i] == U' ' && i + 1 < n && cls[i + 1] != CharClass::kSpace) ? i + 1 : i;
      if (cls[start] != CharClass::kSpace) {
        CharClass run = cls[start];
        end = start;
        while (end < n && cls[end] == run) ++end;
      } else {
        // Whitespace: \s+(?!\S) keeps the last space for the next word unless
        // the run reaches the end of the text; \s+ takes a lone space.
        size_t j = i;
        while (j < n && cls[j] == CharClass::kSpace) ++j;
        if (j == n || j - i == 1)
          end = j;
        else
          end = j - 1;
      }
    }
    pieces.emplace_back(text.substr(byte_at[i], byte_at[end] - byte_at[i]));
    i = end;
  }
  return pieces;
}

}  // namespace foley::models
