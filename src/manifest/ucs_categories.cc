#include "manifest/ucs_categories.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "common/error.h"
#include "common/suggest.h"

namespace foley::manifest {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<UcsEntry> parse_table(const char* text) {
  std::vector<UcsEntry> rows;
  std::istringstream in(text);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {  // "CatID\tCategory\tSubCategory"
      header = false;
      continue;
    }
    UcsEntry e;
    std::istringstream fields(line);
    if (!std::getline(fields, e.cat_id, '\t') || !std::getline(fields, e.category, '\t') ||
        !std::getline(fields, e.subcategory, '\t'))
      throw Error::failure("the compiled-in UCS table has a malformed row: " + line);
    rows.push_back(std::move(e));
  }
  return rows;
}

// The list by its names, case folded: a lookup per cue costs no scan (plans
// read tens of thousands of cues).
struct UcsIndex {
  std::unordered_map<std::string, const UcsEntry*> by_cat_id;
  std::unordered_map<std::string, std::string> categories;                   // folded -> as listed
  std::unordered_map<std::string, const UcsEntry*> by_pair;                  // "category\tsubcategory"
  std::unordered_map<std::string, std::vector<const UcsEntry*>> by_subcategory;
};

const UcsIndex& ucs_index() {
  static const UcsIndex index = [] {
    UcsIndex x;
    for (const UcsEntry& e : ucs_entries()) {
      x.by_cat_id.emplace(lower(e.cat_id), &e);
      x.categories.emplace(lower(e.category), e.category);
      x.by_pair.emplace(lower(e.category) + "\t" + lower(e.subcategory), &e);
      x.by_subcategory[lower(e.subcategory)].push_back(&e);
    }
    return x;
  }();
  return index;
}

}  // namespace

const std::vector<UcsEntry>& ucs_entries() {
  static const std::vector<UcsEntry> rows = parse_table(detail::ucs_table_text());
  return rows;
}

const UcsEntry* find_ucs_cat_id(std::string_view cat_id) {
  const auto& by_cat_id = ucs_index().by_cat_id;
  auto it = by_cat_id.find(lower(cat_id));
  return it == by_cat_id.end() ? nullptr : it->second;
}

const std::vector<std::string>& ucs_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const UcsEntry& e : ucs_entries()) {
      if (v.empty() || std::find(v.begin(), v.end(), e.category) == v.end()) v.push_back(e.category);
      v.push_back(e.cat_id);
    }
    return v;
  }();
  return names;
}

std::optional<std::string> ucs_canonical(std::string_view written, std::string& problem) {
  problem.clear();
  const std::string_view text = trim(written);
  if (const UcsEntry* e = find_ucs_cat_id(text)) return e->cat_id;
  const UcsIndex& index = ucs_index();
  const std::string want = lower(text);
  if (auto it = index.categories.find(want); it != index.categories.end()) return it->second;
  // CATEGORY-SUBCATEGORY or CATEGORY/SUBCATEGORY: neither part holds - or /.
  if (size_t cut = text.find_first_of("-/"); cut != std::string_view::npos) {
    auto it = index.by_pair.find(lower(trim(text.substr(0, cut))) + "\t" + lower(trim(text.substr(cut + 1))));
    if (it != index.by_pair.end()) return it->second->cat_id;
    return std::nullopt;
  }
  auto it = index.by_subcategory.find(want);
  if (it == index.by_subcategory.end()) return std::nullopt;
  const std::vector<const UcsEntry*>& owners = it->second;
  if (owners.size() == 1) return owners[0]->cat_id;
  if (owners.size() > 1) {
    std::vector<std::string> pairs;
    for (size_t i = 0; i < owners.size() && i < 4; ++i)
      pairs.push_back(owners[i]->category + "-" + owners[i]->subcategory);
    const std::string listed = owners.size() > pairs.size()
                                   ? "e.g. " + one_of(pairs) + ", of " + std::to_string(owners.size())
                                   : one_of(pairs);
    problem = "`" + std::string(text) + "` is a UCS subcategory of " + std::to_string(owners.size()) +
              " categories: write it with its category (" + listed + ") or as a CatID (e.g. `" +
              owners[0]->cat_id + "`)";
  }
  return std::nullopt;
}

std::optional<std::string> ucs_cat_id_for(const std::string& canonical, std::string& problem) {
  problem.clear();
  if (const UcsEntry* e = find_ucs_cat_id(canonical)) return e->cat_id;
  const UcsIndex& index = ucs_index();
  if (auto misc = index.by_pair.find(lower(canonical) + "\tmisc"); misc != index.by_pair.end())
    return misc->second->cat_id;
  if (index.categories.count(lower(canonical)) != 0) {
    std::vector<std::string> ids;
    for (const UcsEntry& e : ucs_entries())
      if (e.category == canonical && ids.size() < 4) ids.push_back(e.cat_id);
    problem = "UCS category `" + canonical + "` has no MISC subcategory to name the file by: set a CatID, e.g. " +
              one_of(ids);
  } else {
    problem = "UCS file names start with a UCS CatID, and category `" + canonical +
              "` is foley's own: set a UCS category or CatID (e.g. `FOLEY`, `DOORWood`)";
  }
  return std::nullopt;
}

}  // namespace foley::manifest
