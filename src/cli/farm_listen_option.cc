#include "cli/farm_listen_option.h"

#include <cstdlib>

#include "common/error.h"

namespace foley::cli {

server::FarmListen parse_farm_listen(const std::string& text) {
  const size_t colon = text.rfind(':');
  auto bad = [&]() { return Error("--tcp " + text + ": expected HOST:PORT (a port 0..65535; 0 lets the kernel pick)"); };
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) throw bad();
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (end == port_text.c_str() || *end != '\0' || port < 0 || port > 65535) throw bad();
  server::FarmListen listen;
  listen.bind = host;
  listen.port = static_cast<int>(port);
  return listen;
}

}  // namespace foley::cli
