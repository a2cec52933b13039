#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"
#include "models/tokenizers/bpe_tokenizer.h"

using foley::models::BpeTokenizer;
using foley::models::Padding;
using Ids = std::vector<int64_t>;

namespace {

// A toy RoBERTa-style vocabulary: specials at 0..3 like RoBERTa, then single
// byte-level symbols and a few merged ones. "\xc4\xa0" is 'Ġ' (a space).
std::unordered_map<std::string, int64_t> toy_vocab() {
  return {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}, {"a", 4}, {"b", 5}, {"c", 6},
          {"ab", 7},  {"bc", 8},    {"\xc4\xa0", 9}, {"\xc4\xa0" "b", 10}, {"abc", 11}, {"<mask>", 12},
          {"\xc3\xa9", 13}, {"\xc3\x83", 14}, {"\xc2\xa9", 15}};
}

}  // namespace

TEST_CASE("BPE applies merges by rank, not left to right") {
  BpeTokenizer bc_first(toy_vocab(), {{"b", "c"}, {"a", "b"}});
  CHECK(bc_first.encode_plain("abc") == Ids{4, 8});  // a + bc
  BpeTokenizer ab_first(toy_vocab(), {{"a", "b"}, {"b", "c"}, {"ab", "c"}});
  CHECK(ab_first.encode_plain("abc") == Ids{11});  // ab, then ab + c
  CHECK(ab_first.encode_plain("ababc") == Ids{7, 11});
}

TEST_CASE("BPE maps a leading space to the byte-level 'G-dot' symbol") {
  BpeTokenizer tok(toy_vocab(), {{"\xc4\xa0", "b"}});
  CHECK(tok.encode_plain("a b") == Ids{4, 10});
  CHECK(tok.encode_plain("a  b") == Ids{4, 9, 10});
  // U+00E9 is the two bytes C3 A9, each mapped on its own: C3 → 'Ã', A9 → '©'.
  CHECK(tok.encode_plain("\xc3\xa9") == Ids{14, 15});
}

TEST_CASE("RoBERTa template, truncation and max-length padding") {
  BpeTokenizer tok(toy_vocab(), {{"a", "b"}});
  auto t = tok.encode("ab c", Padding::kMaxLength, 8);
  CHECK(t.input_ids == Ids{0, 7, 9, 6, 2, 1, 1, 1});
  CHECK(t.attention_mask == Ids{1, 1, 1, 1, 1, 0, 0, 0});

  auto empty = tok.encode("", Padding::kMaxLength, 5);
  CHECK(empty.input_ids == Ids{0, 2, 1, 1, 1});
  CHECK(empty.attention_mask == Ids{1, 1, 0, 0, 0});

  // Truncation keeps <s> and </s>: only the body is cut.
  auto cut = tok.encode("a b c a b c", Padding::kMaxLength, 5);
  CHECK(cut.input_ids == Ids{0, 4, 9, 5, 2});
  CHECK(cut.attention_mask == Ids{1, 1, 1, 1, 1});

  auto unpadded = tok.encode("c", Padding::kNone, 512);
  CHECK(unpadded.input_ids == Ids{0, 6, 2});
  CHECK(tok.encode_for_clap("c").size() == 512);
}

TEST_CASE("special-token strings in the text become their ids; <mask> strips the space before it") {
  BpeTokenizer tok(toy_vocab(), {});
  CHECK(tok.encode_plain("a</s>b") == Ids{4, 2, 5});
  CHECK(tok.encode_plain("a <mask>") == Ids{4, 12});
  CHECK(tok.encode_plain("a <pad>") == Ids{4, 9, 1});
}

TEST_CASE("decode inverts encode") {
  BpeTokenizer tok(toy_vocab(), {{"a", "b"}, {"\xc4\xa0", "b"}});
  CHECK(tok.decode(tok.encode_plain("ab b c\xc3\xa9")) == "ab b c\xc3\xa9");
  CHECK(tok.decode({0, 4, 2}) == "<s>a</s>");
  CHECK_THROWS_AS(tok.decode({999}), foley::Error);
}

TEST_CASE("load reads vocab.json, merges.txt and model_max_length; reports bad files") {
  // One folder per process: ctest runs this binary's ISA variants side by side.
  auto dir = std::filesystem::temp_directory_path() / ("foley-bpe-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  foley::write_file_atomic(dir / "vocab.json", R"({"<s>":0,"<pad>":1,"</s>":2,"a":3,"b":4,"ab":5})");
  foley::write_file_atomic(dir / "merges.txt", "#version: 0.2\na b\n");
  foley::write_file_atomic(dir / "tokenizer_config.json", R"({"model_max_length": 16})");
  auto tok = BpeTokenizer::load(dir);
  CHECK(tok.model_max_length() == 16);
  CHECK(tok.encode_for_clap("ab").input_ids == Ids{0, 5, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});

  foley::write_file_atomic(dir / "merges.txt", "#version: 0.2\na b c\n");
  CHECK_THROWS_WITH(BpeTokenizer::load(dir), Catch::Contains("merges.txt:2"));
  foley::write_file_atomic(dir / "vocab.json", "[1,2");
  CHECK_THROWS_WITH(BpeTokenizer::load(dir), Catch::Contains("vocab.json"));
  std::filesystem::remove(dir / "vocab.json");
  CHECK_THROWS_WITH(BpeTokenizer::load(dir), Catch::Contains("missing"));
  std::filesystem::remove_all(dir);
}
