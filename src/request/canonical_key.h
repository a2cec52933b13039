#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace foley {

// Version of the canonical encoding below. Bump it whenever the bytes a key is
// computed from change meaning (a new field default, a new normalisation):
// every key changes with it, so nothing stale is ever served (docs/keys.md).
inline constexpr int kKeySchemaVersion = 1;

// The exact bytes hashed for a key (docs/keys.md): a header naming the schema
// version and the key's domain ("gen" or "render"), then every field of
// `fields` (a JSON object) sorted by name, each as `name=<typed value>\n`.
// Throws foley::Error for values that have no canonical form (objects, NaN).
std::string canonical_encoding(std::string_view domain, const nlohmann::json& fields);

// XXH3-128 of canonical_encoding(), as 32 hex characters.
std::string compute_key(std::string_view domain, const nlohmann::json& fields);

}  // namespace foley
