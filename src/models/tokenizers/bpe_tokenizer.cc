#include "models/tokenizers/bpe_tokenizer.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "models/tokenizers/byte_level.h"
#include "models/tokenizers/gpt2_pretokenizer.h"

namespace foley::models {
namespace {

std::string pair_key(const std::string& a, const std::string& b) { return a + '\x01' + b; }

// Length in bytes of the UTF-8 sequence starting with `lead`.
size_t utf8_len(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

nlohmann::json parse_json_file(const std::filesystem::path& path) {
  std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
}

}  // namespace

BpeTokenizer::BpeTokenizer(std::unordered_map<std::string, int64_t> vocab,
                           std::vector<std::pair<std::string, std::string>> merges)
    : vocab_(std::move(vocab)) {
  for (const auto& [tok, id] : vocab_) id_to_token_[id] = tok;
  for (size_t r = 0; r < merges.size(); ++r) {
    // The first occurrence of a pair keeps its rank (duplicates are ignored).
    merge_rank_.emplace(pair_key(merges[r].first, merges[r].second), static_cast<int>(r));
  }
  auto find = [&](const char* t, int64_t fallback) {
    auto it = vocab_.find(t);
    return it == vocab_.end() ? fallback : it->second;
  };
  bos_id_ = find("<s>", 0);
  eos_id_ = find("</s>", 2);
  pad_id_ = find("<pad>", 1);
  set_default_added_tokens();
}

void BpeTokenizer::set_default_added_tokens() {
  added_.clear();
  for (const char* t : {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}) {
    auto it = vocab_.find(t);
    if (it == vocab_.end()) continue;
    added_.push_back({t, it->second, std::string(t) == "<mask>", false});
  }
}

BpeTokenizer BpeTokenizer::load(const std::filesystem::path& dir) {
  auto vocab_path = dir / "vocab.json";
  auto merges_path = dir / "merges.txt";
  if (!std::filesystem::exists(vocab_path))
    throw Error(vocab_path.string() + ": missing (a byte-level BPE tokenizer needs vocab.json and merges.txt)");
  std::unordered_map<std::string, int64_t> vocab;
  try {
    const nlohmann::json j = parse_json_file(vocab_path);
    for (const auto& [tok, id] : j.items()) vocab[tok] = id.get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(vocab_path.string() + ": expected an object of token → id: " + e.what());
  }

  std::vector<std::pair<std::string, std::string>> merges;
  std::istringstream in(read_file(merges_path));
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
    auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      throw Error(merges_path.string() + ":" + std::to_string(line_no) + ": expected two symbols separated by a space");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }

  BpeTokenizer tok(std::move(vocab), std::move(merges));
  if (auto added = load_added_tokens(dir); !added.empty()) tok.added_ = std::move(added);
  for (const auto& a : tok.added_) tok.id_to_token_.emplace(a.id, a.content);
  if (auto cfg = dir / "tokenizer_config.json"; std::filesystem::exists(cfg)) {
    auto j = parse_json_file(cfg);
    // transformers writes a huge sentinel when no limit is known; keep 512 then.
    if (j.contains("model_max_length") && j["model_max_length"].is_number()) {
      double m = j["model_max_length"].get<double>();
      if (m >= 1 && m < 1e9) tok.model_max_length_ = static_cast<size_t>(m);
    }
  }
  return tok;
}

std::vector<std::string> BpeTokenizer::bpe(const std::string& mapped_word) const {
  std::vector<std::string> symbols;
  for (size_t i = 0; i < mapped_word.size();) {
    size_t n = utf8_len(static_cast<unsigned char>(mapped_word[i]));
    symbols.push_back(mapped_word.substr(i, n));
    i += n;
  }
  while (symbols.size() > 1) {
    int best = INT_MAX;
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = merge_rank_.find(pair_key(symbols[i], symbols[i + 1]));
      if (it != merge_rank_.end() && it->second < best) {
        best = it->second;
        best_at = i;
      }
    }
    if (best == INT_MAX) break;
    // Merge every occurrence of the best pair, left to right.
    const std::string a = symbols[best_at], b = symbols[best_at + 1];
    std::vector<std::string> merged;
    merged.reserve(symbols.size());
    for (size_t i = 0; i < symbols.size();) {
      if (i + 1 < symbols.size() && symbols[i] == a && symbols[i + 1] == b) {
        merged.push_back(a + b);
        i += 2;
      } else {
        merged.push_back(symbols[i]);
        ++i;
      }
    }
    symbols = std::move(merged);
  }
  return symbols;
}

void BpeTokenizer::encode_segment(std::string_view text, std::vector<int64_t>& out) const {
  for (const std::string& piece : gpt2_pretokenize(text)) {
    std::string mapped;
    for (char c : piece) mapped += byte_to_unicode(static_cast<unsigned char>(c));
    for (const std::string& sym : bpe(mapped)) {
      auto it = vocab_.find(sym);
      // Like tokenizers' BPE without an unk token: a symbol outside the
      // vocabulary is dropped (cannot happen with a full byte alphabet).
      if (it != vocab_.end()) out.push_back(it->second);
    }
  }
}

std::vector<int64_t> BpeTokenizer::encode_plain(std::string_view text) const {
  std::vector<int64_t> out;
  split_on_added_tokens(
      text, added_, [&](std::string_view segment) { encode_segment(segment, out); },
      [&](const AddedToken& token) { out.push_back(token.id); });
  return out;
}

TokenizedText BpeTokenizer::encode(std::string_view text, Padding padding, size_t max_length) const {
  if (max_length < 2) throw Error("BPE tokenizer: max_length " + std::to_string(max_length) + " leaves no room for <s> </s>");
  std::vector<int64_t> body = encode_plain(text);
  if (body.size() > max_length - 2) body.resize(max_length - 2);
  TokenizedText t;
  t.input_ids.reserve(max_length);
  t.input_ids.push_back(bos_id_);
  t.input_ids.insert(t.input_ids.end(), body.begin(), body.end());
  t.input_ids.push_back(eos_id_);
  t.attention_mask.assign(t.input_ids.size(), 1);
  if (padding == Padding::kMaxLength) {
    t.input_ids.resize(max_length, pad_id_);
    t.attention_mask.resize(max_length, 0);
  }
  return t;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string mapped;
  std::string out;
  for (int64_t id : ids) {
    auto it = id_to_token_.find(id);
    if (it == id_to_token_.end()) throw Error("BPE tokenizer: id " + std::to_string(id) + " is not in the vocabulary");
    bool special = std::any_of(added_.begin(), added_.end(), [&](const AddedToken& a) { return a.id == id; });
    if (special) {
      out += byte_level_decode(mapped);
      mapped.clear();
      out += it->second;
    } else {
      mapped += it->second;
    }
  }
  out += byte_level_decode(mapped);
  return out;
}

int64_t BpeTokenizer::token_id(const std::string& token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) throw Error("BPE tokenizer: token \"" + token + "\" is not in the vocabulary");
  return it->second;
}

}  // namespace foley::models
