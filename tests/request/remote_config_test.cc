#include <catch2/catch.hpp>

#include <cstdlib>

#include "common/error.h"
#include "request/remote_config.h"

using namespace foley;
using nlohmann::json;

TEST_CASE("remote settings: each name checked, credentials refused in URLs") {
  CHECK(remote_setting_problem("url", "http://cache.local:8080/foley") == "");
  CHECK(remote_setting_problem("url", "s3://bucket/prefix") == "");
  CHECK(remote_setting_problem("url", "https://user:pw@host/x").find("user or password") != std::string::npos);
  CHECK(remote_setting_problem("url", "https://token@host/x").find("user or password") != std::string::npos);
  CHECK(remote_setting_problem("url", "http://host/a b") != "");
  CHECK(remote_setting_problem("url", "http://") == "names no host");
  CHECK(remote_setting_problem("endpoint", "s3://x") == "must start with http:// or https://");
  CHECK(remote_setting_problem("mode", "read-only") == "");
  CHECK(remote_setting_problem("mode", "ro") != "");
  CHECK(remote_setting_problem("data_timeout", 0.5) == "");
  CHECK(remote_setting_problem("data_timeout", 0) != "");
  CHECK(remote_setting_problem("request_timeout", "60") != "");
  CHECK(remote_setting_problem("parallel", 0) != "");
  CHECK(remote_setting_problem("max_object_size", 1.5) != "");
  CHECK(remote_setting_problem("region", "eu-west-1") == "");
  CHECK(remote_setting_problem("region", "eu west") != "");
  CHECK(remote_setting_problem("password", "x") == "unknown field");
  CHECK(remote_setting_problem("ca_file", "ca.pem") == "");
  CHECK(remote_setting_problem("ca_file", 3) != "");
}

TEST_CASE("remote settings round-trip through .foley/remote.json") {
  RemoteConfig c;
  apply_remote_setting(c, "url", "s3://b/p", "/root");
  apply_remote_setting(c, "endpoint", "http://127.0.0.1:9000", "/root");
  apply_remote_setting(c, "mode", "read-only", "/root");
  apply_remote_setting(c, "token_file", "keys/s3", "/proj");
  apply_remote_setting(c, "data_timeout", 2.5, "/root");
  apply_remote_setting(c, "ca_file", "certs/ca.pem", "/proj");
  CHECK(c.token_file == "/proj/keys/s3");
  CHECK(c.ca_file == "/proj/certs/ca.pem");
  RemoteConfig back = remote_config_from_json(remote_config_to_json(c), "remote.json");
  CHECK(back.url == "s3://b/p");
  CHECK(back.is_s3());
  CHECK(back.read_only());
  CHECK(back.endpoint == "http://127.0.0.1:9000");
  CHECK(back.token_file == "/proj/keys/s3");
  CHECK(back.ca_file == "/proj/certs/ca.pem");
  CHECK(back.data_timeout == 2.5);
  CHECK(back.request_timeout == 60.0);
  json bad = remote_config_to_json(c);
  bad["url"] = "http://u:p@h/";
  CHECK_THROWS_AS(remote_config_from_json(bad, "remote.json"), Error);
  json s3_without_endpoint = {{"url", "s3://b"}};
  CHECK_THROWS_WITH(remote_config_from_json(s3_without_endpoint, "remote.json"),
                    Catch::Contains("needs `endpoint`"));
}

TEST_CASE("FOLEY_REMOTE_URL and FOLEY_REMOTE_MODE override the files") {
  std::optional<RemoteConfig> c;
  ::setenv("FOLEY_REMOTE_URL", "http://ci-cache/foley", 1);
  ::setenv("FOLEY_REMOTE_MODE", "read-only", 1);
  apply_remote_environment(c);
  REQUIRE(c);
  CHECK(c->url == "http://ci-cache/foley");
  CHECK(c->read_only());
  ::setenv("FOLEY_REMOTE_URL", "off", 1);
  apply_remote_environment(c);
  CHECK_FALSE(c);
  ::setenv("FOLEY_REMOTE_URL", "http://me:pw-planted-42@h/", 1);
  CHECK_THROWS_WITH(apply_remote_environment(c), !Catch::Contains("pw-planted-42"));
  ::unsetenv("FOLEY_REMOTE_URL");
  ::setenv("FOLEY_REMOTE_MODE", "sometimes", 1);
  CHECK_THROWS_AS(apply_remote_environment(c), Error);
  ::unsetenv("FOLEY_REMOTE_MODE");
}
