#pragma once

#include <string>
#include <string_view>

namespace foley::plan {

// The prompt as it enters a key: Unicode NFC (utf8proc), every run of Unicode
// whitespace collapsed to one ASCII space, leading/trailing whitespace removed.
// So "Door  slam\n" and "Door slam" share a key, and "é" typed as e + U+0301
// matches the precomposed "é". Throws foley::Error on invalid UTF-8.
std::string normalize_prompt(std::string_view text);

}  // namespace foley::plan
