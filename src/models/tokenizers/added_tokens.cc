#include "models/tokenizers/added_tokens.h"

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::models {
namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::vector<AddedToken> load_added_tokens(const std::filesystem::path& dir) {
  std::vector<AddedToken> found;
  auto add = [&](const nlohmann::json& t, int64_t id) {
    AddedToken a;
    a.content = t.at("content").get<std::string>();
    a.id = id;
    a.lstrip = t.value("lstrip", false);
    a.rstrip = t.value("rstrip", false);
    found.push_back(a);
  };
  std::filesystem::path path;
  try {
    if (path = dir / "tokenizer.json"; std::filesystem::exists(path)) {
      auto j = nlohmann::json::parse(read_file(path));
      if (j.contains("added_tokens"))
        for (const auto& t : j["added_tokens"]) add(t, t.at("id").get<int64_t>());
    } else if (path = dir / "tokenizer_config.json"; std::filesystem::exists(path)) {
      auto j = nlohmann::json::parse(read_file(path));
      if (j.contains("added_tokens_decoder"))
        for (const auto& [id, t] : j["added_tokens_decoder"].items()) add(t, std::stoll(id));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": malformed added tokens: " + e.what());
  } catch (const std::logic_error& e) {  // std::stoll on a non-numeric key
    throw Error(path.string() + ": malformed added token id: " + e.what());
  }
  return found;
}

void split_on_added_tokens(std::string_view text, const std::vector<AddedToken>& tokens,
                           const std::function<void(std::string_view)>& on_segment,
                           const std::function<void(const AddedToken&)>& on_token) {
  size_t seg_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    const AddedToken* match = nullptr;
    for (const auto& a : tokens) {
      if (!a.content.empty() && text.substr(i, a.content.size()) == a.content &&
          (!match || a.content.size() > match->content.size()))
        match = &a;
    }
    if (!match) {
      ++i;
      continue;
    }
    size_t seg_end = i;
    if (match->lstrip)
      while (seg_end > seg_start && is_ascii_space(text[seg_end - 1])) --seg_end;
    on_segment(text.substr(seg_start, seg_end - seg_start));
    on_token(*match);
    i += match->content.size();
    if (match->rstrip)
      while (i < text.size() && is_ascii_space(text[i])) ++i;
    seg_start = i;
  }
  on_segment(text.substr(seg_start));
}

}  // namespace foley::models
