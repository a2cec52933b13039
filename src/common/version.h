#pragma once

namespace foley {

// foley's version ("0.1.0"), from the project() of the top CMakeLists.txt.
const char* foley_version();

}  // namespace foley
