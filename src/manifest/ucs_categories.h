#pragma once

// The Universal Category System (UCS) list, version 8.2.1, and how a cue's
// `category` is read against it. The list itself is data
// (data/ucs_categories.tsv, compiled in), not code.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foley::manifest {

inline constexpr const char* kUcsVersion = "8.2.1";

// One row of the list: DOORWood = DOORS / WOOD.
struct UcsEntry {
  std::string cat_id;       // "DOORWood": its case is part of the standard
  std::string category;     // "DOORS"
  std::string subcategory;  // "WOOD"
};

// Every row, in the list's order (parsed once).
const std::vector<UcsEntry>& ucs_entries();

// The row of a CatID, compared without case; nullptr when there is none.
const UcsEntry* find_ucs_cat_id(std::string_view cat_id);

// Reads a category against the UCS list, without case: a CatID ("folycloth"),
// a category ("Foley"), a category and subcategory ("DOORS-WOOD",
// "doors / wood"), or a subcategory that only one category has ("forest").
// Returns the canonical form (a CatID as the list spells it, or a category in
// capitals), or nullopt with `problem` set: a subcategory several categories
// share lists them; anything else is "" (not a UCS name at all).
std::optional<std::string> ucs_canonical(std::string_view written, std::string& problem);

// The CatID a UCS file name starts with, for a canonical category: a CatID as
// it is, a category its MISC subcategory. nullopt with `problem` otherwise
// (foley's own categories, a category without MISC).
std::optional<std::string> ucs_cat_id_for(const std::string& canonical, std::string& problem);

// Every category and CatID, for "did you mean".
const std::vector<std::string>& ucs_names();

}  // namespace foley::manifest

namespace foley::manifest::detail {
const char* ucs_table_text();  // data/ucs_categories.tsv, as compiled in
}  // namespace foley::manifest::detail
