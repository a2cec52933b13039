#include "models/tokenizers/byte_level.h"

#include <array>
#include <unordered_map>

#include "common/error.h"

namespace foley::models {
namespace {

std::string encode_utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

struct Tables {
  std::array<std::string, 256> forward;
  std::unordered_map<std::string, unsigned char> backward;
  Tables() {
    int next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(next++);
      forward[b] = encode_utf8(cp);
      backward[forward[b]] = static_cast<unsigned char>(b);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const std::string& byte_to_unicode(unsigned char byte) { return tables().forward[byte]; }

std::vector<std::string> byte_level_symbols(std::string_view bytes) {
  std::vector<std::string> out;
  out.reserve(bytes.size());
  for (char c : bytes) out.push_back(byte_to_unicode(static_cast<unsigned char>(c)));
  return out;
}

std::string byte_level_decode(std::string_view mapped) {
  std::string out;
  size_t i = 0;
  while (i < mapped.size()) {
    auto lead = static_cast<unsigned char>(mapped[i]);
    size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : 3;
    auto it = tables().backward.find(std::string(mapped.substr(i, len)));
    if (it == tables().backward.end())
      throw Error("byte-level BPE: character at byte " + std::to_string(i) + " of \"" + std::string(mapped) +
                  "\" is not in the byte table");
    out += static_cast<char>(it->second);
    i += len;
  }
  return out;
}

}  // namespace foley::models
