#include <catch2/catch.hpp>

#include "common/error.h"
#include "common/subprocess.h"

TEST_CASE("run_subprocess passes arguments verbatim, without a shell") {
  auto r = foley::run_subprocess({"printf", "%s|", "a b", "$HOME", "'q'"}, true);
  CHECK(r.exit_code == 0);
  CHECK(r.output == "a b|$HOME|'q'|");
}

TEST_CASE("run_subprocess reports exit codes and missing programs") {
  CHECK(foley::run_subprocess({"false"}, true).exit_code == 1);
  CHECK_THROWS_WITH(foley::run_subprocess({"foley-no-such-program-xyz"}, true),
                    Catch::Contains("cannot run foley-no-such-program-xyz"));
}
