#include "cli/legacy_slug.h"

#include <array>
#include <cstdint>

namespace foley::cli {
namespace {

constexpr size_t kMaxSlugLength = 180;

constexpr std::array<uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<uint32_t, 8>& h, const unsigned char* block) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(block[4 * i]) << 24) | (uint32_t(block[4 * i + 1]) << 16) | (uint32_t(block[4 * i + 2]) << 8) |
           uint32_t(block[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRoundConstants[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

bool slug_char(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Lower-cases ASCII and the two non-ASCII code points whose Python lower-case
// contains ASCII letters; every other non-ASCII byte is left for the
// substitution step, which turns it into "-" anyway.
std::string python_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x84 &&
        static_cast<unsigned char>(s[i + 2]) == 0xAA) {  // U+212A KELVIN SIGN
      out += 'k';
      i += 2;
    } else if (c == 0xC4 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xB0) {  // U+0130
      out += "i\xCC\x87";  // "i" + U+0307 COMBINING DOT ABOVE
      i += 1;
    } else {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string data(bytes);
  uint64_t bit_length = static_cast<uint64_t>(bytes.size()) * 8;
  data += static_cast<char>(0x80);
  while (data.size() % 64 != 56) data += '\0';
  for (int i = 7; i >= 0; --i) data += static_cast<char>((bit_length >> (8 * i)) & 0xff);
  for (size_t off = 0; off < data.size(); off += 64)
    compress(h, reinterpret_cast<const unsigned char*>(data.data() + off));
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint32_t word : h)
    for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(word >> shift) & 0xf];
  return out;
}

std::string legacy_slug(std::string_view effect_key) {
  std::string lowered = python_lower(effect_key);
  std::string joined;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (lowered[i] == ':' && i + 1 < lowered.size() && lowered[i + 1] == ' ') {
      joined += '_';
      ++i;
    } else {
      joined += lowered[i];
    }
  }
  // Runs outside [a-z0-9_] become one "-", and runs of "-" collapse: together, no "--" survives.
  std::string slug;
  for (char ch : joined) {
    if (slug_char(static_cast<unsigned char>(ch))) {
      slug += ch;
    } else if (slug.empty() || slug.back() != '-') {
      slug += '-';
    }
  }
  size_t b = slug.find_first_not_of('-');
  if (b == std::string::npos) return "";
  slug = slug.substr(b, slug.find_last_not_of('-') - b + 1);
  if (slug.size() > kMaxSlugLength) {
    std::string suffix = sha256_hex(slug).substr(0, 8);
    slug.resize(kMaxSlugLength);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    slug += "_" + suffix;
  }
  return slug;
}

std::string legacy_shared_name(std::string_view effect_key, std::string_view backend) {
  std::string slug = legacy_slug(effect_key);
  if (backend == "elevenlabs") return slug + ".mp3";
  return slug + "." + std::string(backend) + ".mp3";
}

}  // namespace foley::cli
