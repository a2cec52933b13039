#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foley {

// Edit distance: insertions, deletions, substitutions and adjacent
// transpositions each cost 1; ASCII case is folded.
size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean `x`?)" for the closest candidate within a distance that
// scales with the word's length, or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "`a`, `b` or `c`": for messages listing the accepted values.
std::string one_of(const std::vector<std::string>& values);

}  // namespace foley
