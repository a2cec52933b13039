#pragma once

// Whether this run may pay again for a key whose last paid answer came back
// unusable (kept in cache/quarantine): `foley build --retry-unusable` sets the
// variable for every process of the build, and a user may set it for ninja.

namespace foley {

inline constexpr const char* kRetryUnusableVariable = "FOLEY_RETRY_UNUSABLE";

// FOLEY_RETRY_UNUSABLE is set to something other than "" or "0".
bool retry_unusable_from_env();

}  // namespace foley
