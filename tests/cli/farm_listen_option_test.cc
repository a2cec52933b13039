// `foley-gen serve --tcp HOST:PORT`: what a farm server listens on.
#include <catch2/catch.hpp>

#include "cli/farm_listen_option.h"
#include "common/error.h"

using foley::cli::parse_farm_listen;

TEST_CASE("--tcp HOST:PORT is parsed; anything else is bad input naming the option", "[farm]") {
  auto any = parse_farm_listen("0.0.0.0:0");
  CHECK(any.bind == "0.0.0.0");
  CHECK(any.port == 0);
  auto loopback = parse_farm_listen("127.0.0.1:7000");
  CHECK(loopback.bind == "127.0.0.1");
  CHECK(loopback.port == 7000);
  auto v6 = parse_farm_listen("[::1]:65535");
  CHECK(v6.bind == "::1");
  CHECK(v6.port == 65535);
  for (const char* bad : {"7000", ":7000", "host:", "host:port", "host:70000", "host:-1", "host:12x"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_farm_listen(bad), Catch::Contains("--tcp") && Catch::Contains("HOST:PORT"));
  }
}
