#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/tokenizers/bpe_tokenizer.h"
#include "models/tokenizers/t5_tokenizer.h"
#include "golden_util.h"

using foley::models::BpeTokenizer;
using foley::models::T5Tokenizer;
using Ids = std::vector<int64_t>;
namespace fet = foley::models::testing;

namespace {

struct EdgeCase {
  const char* name;
  std::string text;
  Ids clap;  // unpadded part of the CLAP ids (mask 1)
  Ids t5;
};

// Expected ids from the reference tokenizers (transformers 4.47.1,
// tokenizers 0.21.0: RobertaTokenizerFast / T5TokenizerFast loaded from
// tests/fixtures/tiny-audioldm2), called exactly as the pipeline calls them.
// Note NFD vs NFC: the byte-level BPE does not normalise (different ids),
// SentencePiece's NFKC rules do (same ids); full-width forms fold under NFKC.
const std::vector<EdgeCase> kCases = {
    {"empty", "",
     {0, 2},
     {1}},
    {"single space", " ",
     {0, 224, 2},
     {1}},
    {"whitespace runs", "  leading and   trailing  ",
     {0, 224, 532, 336, 261, 303, 224, 224, 552, 783, 224, 224, 2},
     {858, 16, 5, 3, 25, 48, 130, 5, 1}},
    {"tabs and newlines", "tabs\x09""and\x0a""newlines\x0a""\x0a""here",
     {0, 87, 605, 86, 201, 400, 202, 620, 90, 79, 260, 311, 202, 202, 75, 266, 72, 2},
     {43, 23, 63, 7, 3, 25, 4, 12, 838, 961, 106, 329, 522, 1}},
    {"NFD accent", "cafe\xcc""\x81""",
     {0, 766, 775, 140, 227, 2},
     {156, 1}},
    {"NFC accent", "caf\xc3""\xa9""",
     {0, 766, 516, 2},
     {156, 1}},
    {"accents, CJK, emoji", "\xce""\xa9""mega \xc3""\xbc""n\xc3""\xaf""c\xc3""\xb6""d\xc3""\xa9"" \xe9""\x9b""\xb7""\xe3""\x81""\x8c""\xe9""\x81""\xa0""\xe3""\x81""\x8f""\xe3""\x81""\xa7""\xe9""\xb3""\xb4""\xe3""\x81""\xa3""\xe3""\x81""\xa6""\xe3""\x81""\x84""\xe3""\x82""\x8b"" \xf0""\x9f""\x8e""\xbb""",
     {0, 142, 106, 80, 72, 74, 68, 444, 124, 81, 131, 111, 70, 131, 118, 71, 350, 224, 987, 733, 227, 848, 241, 294, 104, 169, 813, 294, 100, 750, 650, 240, 123, 2},
     {4, 2, 113, 44, 23, 4, 333, 12, 725, 100, 743, 16, 45, 4, 374, 74, 702, 691, 694, 354, 693, 220, 149, 102, 4, 2, 1}},
    {"contractions and digits", "don't STOP it's 42nd",
     {0, 71, 267, 10, 87, 647, 55, 50, 51, 224, 271, 10, 86, 224, 23, 21, 285, 2},
     {26, 134, 205, 9, 348, 986, 2, 987, 4, 210, 205, 7, 4, 360, 359, 25, 1}},
    {"special-token strings", "a <mask> b </s> c <pad>",
     {0, 68, 999, 269, 224, 2, 263, 224, 1, 2},
     {3, 4, 2, 22, 23, 670, 2, 52, 1, 27, 0, 1}},
    {"unicode spaces", "\xc2""\xa0""nbsp\xe3""\x80""\x80""ideo",
     {0, 130, 258, 81, 69, 86, 83, 163, 226, 226, 595, 82, 2},
     {4, 12, 63, 7, 117, 569, 203, 20, 1}},
    {"full width", "\xef""\xbc""\xa6""\xef""\xbc""\xb5""\xef""\xbc""\xac""\xef""\xbc""\xac"" \xef""\xbd""\x97""\xef""\xbd""\x89""\xef""\xbd""\x84""\xef""\xbd""\x94""\xef""\xbd""\x88"" \xef""\xbc""\x91""\xef""\xbc""\x92""\xef""\xbc""\x93""",
     {0, 175, 124, 103, 175, 124, 117, 175, 124, 109, 175, 124, 109, 224, 175, 125, 249, 175, 125, 235, 175, 125, 230, 175, 125, 246, 175, 125, 234, 224, 175, 124, 243, 175, 124, 244, 175, 124, 245, 2},
     {355, 2, 11, 16, 8, 365, 359, 991, 1}},
};

const BpeTokenizer& clap() {
  static const BpeTokenizer t = BpeTokenizer::load(fet::model_dir("tiny-audioldm2") / "tokenizer");
  return t;
}
const T5Tokenizer& t5() {
  static const T5Tokenizer t = T5Tokenizer::load(fet::model_dir("tiny-audioldm2") / "tokenizer_2");
  return t;
}

}  // namespace

TEST_CASE("tokenizer edge cases match the Hugging Face tokenizers") {
  REQUIRE(clap().model_max_length() == 512);
  REQUIRE(t5().model_max_length() == 128);
  for (const auto& c : kCases) {
    INFO(c.name);
    auto a = clap().encode_for_clap(c.text);
    REQUIRE(a.size() == 512);
    Ids expected_ids = c.clap, expected_mask(c.clap.size(), 1);
    expected_ids.resize(512, 1);
    expected_mask.resize(512, 0);
    CHECK(a.input_ids == expected_ids);
    CHECK(a.attention_mask == expected_mask);
    auto b = t5().encode_prompt(c.text);
    CHECK(b.input_ids == c.t5);
    CHECK(b.attention_mask == Ids(c.t5.size(), 1));
  }
}

TEST_CASE("very long prompts are truncated: CLAP at 512 with </s>, T5 at 128 with </s>") {
  std::string xs(600, 'x');
  auto a = clap().encode_for_clap(xs);
  REQUIRE(a.size() == 512);
  CHECK(a.input_ids[0] == 0);
  CHECK(a.input_ids[510] == 91);
  CHECK(a.input_ids[511] == 2);
  CHECK(a.attention_mask == Ids(512, 1));
  auto b = t5().encode_prompt(xs);
  REQUIRE(b.size() == 128);
  CHECK(Ids(b.input_ids.begin(), b.input_ids.begin() + 3) == Ids{4, 188, 188});
  CHECK(b.input_ids[126] == 188);
  CHECK(b.input_ids[127] == 1);

  std::string words;
  for (int i = 0; i < 400; ++i) words += i ? " thunder" : "thunder";
  auto w = clap().encode_for_clap(words);
  CHECK(Ids(w.input_ids.begin(), w.input_ids.begin() + 4) == Ids{0, 379, 386, 503});
  int64_t real = 0;
  for (auto m : w.attention_mask) real += m;
  CHECK(real == 403);  // not truncated: 401 BPE tokens + <s> </s>
  auto t = t5().encode_prompt(words);
  REQUIRE(t.size() == 128);
  CHECK(t.input_ids[126] == 75);
  CHECK(t.input_ids[127] == 1);
}

TEST_CASE("the negative prompt is padded or truncated to the prompt's T5 length") {
  auto cut = t5().encode_negative("low quality, noise", 3);
  CHECK(cut.input_ids == Ids{77, 268, 1});
  CHECK(cut.attention_mask == Ids{1, 1, 1});
  auto padded = t5().encode_negative("low quality, noise", 12);
  CHECK(padded.input_ids == Ids{77, 268, 34, 543, 19, 249, 1, 0, 0, 0, 0, 0});
  CHECK(padded.attention_mask == Ids{1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0});
  auto empty = t5().encode_negative("", 5);
  CHECK(empty.input_ids == Ids{1, 0, 0, 0, 0});
  CHECK(empty.attention_mask == Ids{1, 0, 0, 0, 0});
}

TEST_CASE("tokenizers decode back to the text") {
  std::string text = "a dog barking in the rain, caf\xc3\xa9 \xe9\x9b\xa8";
  CHECK(clap().decode(clap().encode_plain(text)) == text);
  CHECK(t5().decode(t5().encode_plain("a dog barking in the rain")) == "a dog barking in the rain");
}
