#include "plan/delivery_names.h"

#include <map>
#include <string_view>

#include "manifest/field_checks.h"
#include "manifest/ucs_categories.h"

namespace foley::plan {
namespace {

constexpr const char* kDefaultCreatorId = "foley";

std::string folded(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first `max_chars` UTF-8 characters of `s`.
std::string cut(const std::string& s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max_chars) return s.substr(0, i);
  }
  return s;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '.')) s.pop_back();
  size_t start = s.find_first_not_of(" .");
  return start == std::string::npos ? std::string() : s.substr(start);
}

}  // namespace

std::string ucs_block(const std::string& text, size_t max_chars, const std::string& fallback) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos) continue;
    if (c == '_' || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += c;
  }
  out = trimmed(cut(trimmed(out), max_chars));
  return out.empty() ? fallback : out;
}

std::vector<DeliveryName> delivery_names(const std::vector<manifest::Cue>& cues, const std::string& project_name) {
  std::vector<DeliveryName> names(cues.size());
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_file;  // (manifest, folded stem) -> cues
  for (size_t i = 0; i < cues.size(); ++i) {
    const manifest::Cue& cue = cues[i];
    names[i].stem = cue.id;
    if (cue.render.naming != "ucs" || cue.ucs_cat_id.empty()) continue;
    UcsName u;
    u.cat_id = cue.ucs_cat_id;
    if (const manifest::UcsEntry* e = manifest::find_ucs_cat_id(u.cat_id)) {
      u.category = e->category;
      u.subcategory = e->subcategory;
    }
    u.fx_name = cue.fx_name ? *cue.fx_name : ucs_block(cue.id, manifest::kUcsFxNameChars, cue.id);
    u.creator_id = cue.render.creator_id.value_or(kDefaultCreatorId);
    u.source_id = cue.render.source_id ? *cue.render.source_id
                                       : ucs_block(project_name, manifest::kUcsIdChars, kDefaultCreatorId);
    names[i].stem = u.stem();
    names[i].ucs = std::move(u);
    by_file[{cue.manifest, folded(names[i].stem)}].push_back(i);
  }
  for (auto& [file, same] : by_file) {
    if (same.size() < 2) continue;
    const size_t width = std::to_string(same.size()).size() < 2 ? 2 : std::to_string(same.size()).size();
    for (size_t n = 0; n < same.size(); ++n) {
      std::string number = std::to_string(n + 1);
      number.insert(0, width - number.size(), '0');
      UcsName& u = *names[same[n]].ucs;
      const size_t room = manifest::kUcsFxNameChars - 1 - number.size();
      u.fx_name = trimmed(cut(u.fx_name, room)) + " " + number;
      names[same[n]].stem = u.stem();
    }
  }
  return names;
}

}  // namespace foley::plan
