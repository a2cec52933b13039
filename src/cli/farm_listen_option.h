#pragma once

#include <string>

#include "server/farm_listener.h"

namespace foley::cli {

// `--tcp HOST:PORT` ("[::1]:0" for IPv6): where a farm server listens.
// Throws foley::Error (exit 2) naming the option for anything else.
server::FarmListen parse_farm_listen(const std::string& text);

}  // namespace foley::cli
