#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "manifest/lock_file.h"

using namespace foley::manifest;

TEST_CASE("foley.lock round-trips its picks") {
  std::map<std::string, TakePick> picks;
  picks["ep1:door"] = TakePick{2, "0123456789abcdef0123456789abcdef", {}};
  picks["s1/ep2:bell"] = TakePick{0, "fedcba9876543210fedcba9876543210", {}};
  Diagnostics diags;
  std::map<std::string, TakePick> read = parse_lock(lock_text(picks), "foley.lock", diags);
  CHECK(diags.empty());
  REQUIRE(read.size() == 2);
  CHECK(read.at("ep1:door").take == 2);
  CHECK(read.at("ep1:door").gen_key == "0123456789abcdef0123456789abcdef");
  CHECK(read.at("ep1:door").where.str() == "foley.lock:4:8");
  CHECK(read.at("s1/ep2:bell").take == 0);
}

TEST_CASE("a malformed foley.lock is reported with line and field") {
  Diagnostics diags;
  parse_lock("version = 1\n[picks.\"ep1:door\"]\ntake = -1\ngen_key = \"xyz\"\ncolour = 3\n", "foley.lock", diags);
  const std::string text = diags.str();
  CHECK(text.find("foley.lock:3:8: field \"picks.\"ep1:door\".take\": expected a take index") != std::string::npos);
  CHECK(text.find("foley.lock:4:11: field \"picks.\"ep1:door\".gen_key\": expected 32 lowercase hex") !=
        std::string::npos);
  CHECK(text.find("foley.lock:5:1: field \"picks.\"ep1:door\".colour\": unknown key") != std::string::npos);

  Diagnostics version;
  parse_lock("version = 2\n", "foley.lock", version);
  CHECK(version.str().find("reads foley.lock version 1") != std::string::npos);
  Diagnostics missing;
  parse_lock("[picks.\"ep1:door\"]\ntake = 1\n", "foley.lock", missing);
  CHECK(missing.str().find("missing: a pick names the gen key") != std::string::npos);
}

TEST_CASE("write_lock writes foley.lock beside foley.toml; an absent lock has no picks") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("foley-lock-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Diagnostics diags;
  CHECK(read_lock(dir, diags).empty());
  write_lock(dir, {{"ep1:door", TakePick{1, std::string(32, 'a'), {}}}});
  std::map<std::string, TakePick> read = read_lock(dir, diags);
  CHECK(diags.empty());
  CHECK(read.at("ep1:door").take == 1);
  std::filesystem::remove_all(dir);
}
