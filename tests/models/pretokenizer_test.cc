#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/error.h"
#include "models/tokenizers/byte_level.h"
#include "models/tokenizers/gpt2_pretokenizer.h"

using foley::models::gpt2_pretokenize;
using V = std::vector<std::string>;

// Expected splits were produced by Python's `regex` module with the GPT-2
// pattern ('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+),
// the reference our hand-written matcher must reproduce.
TEST_CASE("pre-tokenizer matches the GPT-2 regex on ASCII text") {
  CHECK(gpt2_pretokenize("") == V{});
  CHECK(gpt2_pretokenize("Hello world") == V{"Hello", " world"});
  CHECK(gpt2_pretokenize("123 4.5 1st") == V{"123", " 4", ".", "5", " 1", "st"});
  CHECK(gpt2_pretokenize("don't STOP") == V{"don", "'t", " STOP"});
  CHECK(gpt2_pretokenize("I'm sure it's they'll we've") ==
        V{"I", "'m", " sure", " it", "'s", " they", "'ll", " we", "'ve"});
  CHECK(gpt2_pretokenize("''s") == V{"''", "s"});
}

TEST_CASE("pre-tokenizer keeps the last space of a whitespace run for the next word") {
  CHECK(gpt2_pretokenize("a   b") == V{"a", "  ", " b"});
  CHECK(gpt2_pretokenize("a \tb") == V{"a", " ", "\t", "b"});
  CHECK(gpt2_pretokenize("  leading") == V{" ", " leading"});
  CHECK(gpt2_pretokenize("trailing  ") == V{"trailing", "  "});
  CHECK(gpt2_pretokenize("x\n\ny") == V{"x", "\n", "\n", "y"});
  CHECK(gpt2_pretokenize("a\xe2\x80\x94" "b!!  ?") == V{"a", "\xe2\x80\x94", "b", "!!", " ", " ?"});
}

TEST_CASE("pre-tokenizer uses Unicode letter, number and space classes") {
  CHECK(gpt2_pretokenize("caf\xc3\xa9 cr\xc3\xa8me") == V{"caf\xc3\xa9", " cr\xc3\xa8me"});
  // CJK ideographs and kana are letters (Lo).
  CHECK(gpt2_pretokenize("\xe9\x9b\xa8\xe3\x81\xae\xe9\x9f\xb3 rain") == V{"\xe9\x9b\xa8\xe3\x81\xae\xe9\x9f\xb3", " rain"});
  // NBSP and the ideographic space are White_Space, not letters or "other".
  CHECK(gpt2_pretokenize("\xc2\xa0nbsp\xe3\x80\x80ideo") == V{"\xc2\xa0", "nbsp", "\xe3\x80\x80", "ideo"});
  // A combining accent (Mn) is not a letter: NFD text splits differently from NFC.
  CHECK(gpt2_pretokenize("e\xcc\x81") == V{"e", "\xcc\x81"});
  CHECK(gpt2_pretokenize("\xc3\xa9") == V{"\xc3\xa9"});
  // Roman numeral (Nl), vulgar fraction (No), Arabic-Indic digit (Nd).
  CHECK(gpt2_pretokenize("\xe2\x85\xab \xc2\xbd \xd9\xa3") == V{"\xe2\x85\xab", " \xc2\xbd", " \xd9\xa3"});
}

TEST_CASE("pre-tokenizer pieces concatenate back to the input") {
  std::string text = "  The   sound of\ta door\n\n creaking... 42x, caf\xc3\xa9 \xe9\x9b\xa8  ";
  std::string joined;
  for (const auto& p : gpt2_pretokenize(text)) joined += p;
  CHECK(joined == text);
}

TEST_CASE("pre-tokenizer rejects invalid UTF-8 with its offset") {
  CHECK_THROWS_WITH(gpt2_pretokenize("ab\xff"), Catch::Contains("byte offset 2"));
  CHECK_THROWS_AS(gpt2_pretokenize("\xc3"), foley::Error);
}

TEST_CASE("byte-level table follows GPT-2's bytes_to_unicode") {
  using foley::models::byte_to_unicode;
  CHECK(byte_to_unicode(' ') == "\xc4\xa0");   // U+0120 'Ġ'
  CHECK(byte_to_unicode('\n') == "\xc4\x8a");  // U+010A 'Ċ'
  CHECK(byte_to_unicode('A') == "A");
  CHECK(byte_to_unicode(0xE9) == "\xc3\xa9");  // printable Latin-1 maps to itself
  CHECK(byte_to_unicode(0xAD) == "\xc5\x83");  // soft hyphen is the 68th remapped byte: U+0143
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string mapped;
  for (int b = 0; b < 256; ++b) mapped += byte_to_unicode(static_cast<unsigned char>(b));
  CHECK(foley::models::byte_level_decode(mapped) == all);
}
