#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace foley {

// Member `name` of a spec object as a T. Throws foley::Error naming `origin`
// (the spec's file and entry) when it is missing or of another type.
template <typename T>
T spec_field(const nlohmann::json& j, const char* name, const std::string& origin) {
  auto it = j.find(name);
  if (it == j.end()) throw Error(origin + ": missing field \"" + name + "\"");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(origin + ": field \"" + name + "\" has the wrong type");
  }
}

}  // namespace foley
