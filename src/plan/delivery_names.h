#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/cue.h"

namespace foley::plan {

// The four blocks of a UCS file name, CatID_FXName_CreatorID_SourceID, each
// free of `_` (the UCS file naming convention).
struct UcsName {
  std::string cat_id, category, subcategory;  // DOORWood, DOORS, WOOD
  std::string fx_name, creator_id, source_id;

  std::string stem() const { return cat_id + "_" + fx_name + "_" + creator_id + "_" + source_id; }
};

// What a cue's delivered file is called: `stem` + "." + format in
// out/<manifest>/ (a take of --all-takes: stem + "." + take + "." + format).
struct DeliveryName {
  std::string stem;            // the cue id, or the UCS name
  std::optional<UcsName> ucs;  // naming = "ucs"
};

// The names of `cues` (sorted by manifest and id, as the plan holds them), in
// their order. Under naming = "ucs": FXName is the cue's `fx_name`, else its
// id with `_` made a space, cut to 25 characters; CreatorID is `creator_id`,
// else "foley"; SourceID is `source_id`, else the project's name made a block
// (as FXName, at most 32 characters). UCS names that would be the same file in
// one folder (case ignored, as on macOS and Windows) are numbered in cue
// order: "Door Slam 01", "Door Slam 02".
std::vector<DeliveryName> delivery_names(const std::vector<manifest::Cue>& cues, const std::string& project_name);

// `text` made a UCS name block: `_` becomes a space, characters file systems
// refuse and control characters go, spaces collapse, leading and trailing
// spaces and dots go, cut to `max_chars` characters (never inside a UTF-8
// sequence); `fallback` when nothing is left.
std::string ucs_block(const std::string& text, size_t max_chars, const std::string& fallback);

}  // namespace foley::plan
