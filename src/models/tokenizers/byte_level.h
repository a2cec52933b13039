#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foley::models {

// GPT-2's reversible byte → printable-character table: bytes that are
// printable Latin-1 map to themselves, the other 68 bytes map to U+0100…
// in byte order. Returns the UTF-8 encoding of the character for `byte`.
const std::string& byte_to_unicode(unsigned char byte);

// Maps every byte of `bytes` through byte_to_unicode and returns one UTF-8
// string per byte (the initial BPE symbols of a pre-token).
std::vector<std::string> byte_level_symbols(std::string_view bytes);

// Inverse of the mapping over a whole string of mapped characters; throws
// foley::Error on a character outside the table.
std::string byte_level_decode(std::string_view mapped);

}  // namespace foley::models
