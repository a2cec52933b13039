#include <catch2/catch.hpp>

#include "manifest/engine_rules.h"

using namespace foley::manifest;

namespace {

RawSetting setting(nlohmann::json value) { return RawSetting{std::move(value), {"foley.toml", 5, 1}, {"foley.toml", 5, 9}}; }

}  // namespace

TEST_CASE("exec settings: defaults filled, placeholders checked", "[manifest][engines]") {
  Diagnostics d;
  EngineContext ctx{"/proj", "synth", {"foley.toml", 1, 1}};
  nlohmann::json s = validate_engine_settings(
      "exec", {{"command", setting({"sh", "-c", "{ gen {out} {prompt}; } || exit 1"})}}, ctx, d);
  CHECK(d.empty());
  CHECK(s["shell"] == false);
  CHECK(s["ext"] == "wav");
  CHECK(s["version"] == "1");
  CHECK(s["max_duration"] == 3600.0);

  Diagnostics bad;
  validate_engine_settings("exec", {{"command", setting({"gen", "{out}", "{seconds}"})}}, ctx, bad);
  REQUIRE(bad.size() == 1);
  CHECK(bad.items()[0].message.find("unknown placeholder `{seconds}`") != std::string::npos);
  CHECK(bad.items()[0].field == "engines.synth.command");
  CHECK(bad.items()[0].where.str() == "foley.toml:5:9");
}

TEST_CASE("integers are accepted as numbers, numbers are not integers", "[manifest][engines]") {
  Diagnostics d;
  EngineContext ctx{"/proj", "api", {"foley.toml", 1, 1}};
  nlohmann::json s = validate_engine_settings("elevenlabs", {{"timeout", setting(60)}, {"max_attempts", setting(2.5)}},
                                              ctx, d);
  CHECK(s["timeout"].is_number_float());
  CHECK(s["timeout"] == 60.0);
  REQUIRE(d.size() == 1);
  CHECK(d.items()[0].field == "engines.api.max_attempts");
  CHECK(d.items()[0].message == "expected an integer");
}

TEST_CASE("duration rules per engine", "[manifest][engines]") {
  EngineProfile eleven{"api", "elevenlabs", nlohmann::json::object(), std::nullopt, {}};
  DurationRule r = duration_rule(eleven);
  CHECK_FALSE(r.required);
  CHECK(r.accepts(0.5));
  CHECK(r.accepts(30));
  CHECK_FALSE(r.accepts(0.49));
  CHECK_FALSE(r.accepts(30.01));

  EngineProfile local{"local", "audioldm2", nlohmann::json::object(), std::nullopt, {}};
  r = duration_rule(local);
  CHECK(r.required);
  CHECK_FALSE(r.accepts(0));
  CHECK(r.accepts(150));
  CHECK_FALSE(r.accepts(150.5));

  EngineProfile exec{"synth", "exec", {{"max_duration", 12.0}}, std::nullopt, {}};
  r = duration_rule(exec);
  CHECK(r.accepts(12));
  CHECK_FALSE(r.accepts(12.5));
  CHECK_FALSE(r.accepts(std::nan("")));
}
