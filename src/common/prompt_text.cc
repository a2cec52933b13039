#include "common/prompt_text.h"

#include <cstdint>
#include <cstdio>

namespace foley {
namespace {

// Decodes one UTF-8 sequence at text[i]; returns its length, 0 when invalid
// (overlong, surrogate, beyond U+10FFFF, truncated).
size_t decode(std::string_view text, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = b(0);
  size_t n;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

bool is_space(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_zero_width(uint32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0xFEFF || cp == 0x180E || cp == 0x034F;
}

std::string code_point_name(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

}  // namespace

std::string prompt_problem(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  bool visible = false;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t n = decode(text, i, &cp);
    if (n == 0) return "is not valid UTF-8 (at byte " + std::to_string(i) + ")";
    ++chars;
    if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
      return "contains the control character " + code_point_name(cp) + " at character " + std::to_string(chars);
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
      return "contains the bidirectional control " + code_point_name(cp) + " at character " +
             std::to_string(chars) + " (it reorders how the text reads)";
    if (cp == 0x2028 || cp == 0x2029)
      return "contains the line or paragraph separator " + code_point_name(cp) + " at character " +
             std::to_string(chars) + "; use a newline";
    if (!is_space(cp) && !is_zero_width(cp)) visible = true;
    i += n;
  }
  if (!visible) return "must not be empty (it holds only whitespace or invisible characters)";
  if (chars > max_chars)
    return "is " + std::to_string(chars) + " characters long; this engine takes at most " + std::to_string(max_chars);
  return "";
}

std::string escaped_for_message(std::string_view text) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace foley
