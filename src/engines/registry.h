#pragma once

#include <memory>
#include <string>

#include "engines/engine.h"

namespace foley::engines {

// The engine for a request's `engine` name. Throws foley::Error for an engine
// this build does not have.
std::unique_ptr<Engine> make_engine(const std::string& engine);

}  // namespace foley::engines
