#include <catch2/catch.hpp>

#include "cache/stats_format.h"

using namespace foley::cache;

namespace {

// The value printed after "Label:" on the first line that starts with `label`
// (after indentation), or "" when absent.
std::string value_of(const std::string& text, const std::string& label, size_t from = 0) {
  size_t pos = text.find(label + ":", from);
  if (pos == std::string::npos) return "";
  size_t start = text.find_first_not_of(' ', pos + label.size() + 1);
  size_t end = text.find('\n', pos);
  return text.substr(start, end - start);
}

}  // namespace

TEST_CASE("format helpers") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(3 * 1024 * 1024) == "3.0 MiB");
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(42.4) == "42s");
  CHECK(format_duration(185) == "3m 05s");
  CHECK(format_duration(3723) == "1h 02m 03s");
  CHECK(format_ratio(0, 0) == "0 / 0");
  CHECK(format_ratio(9, 10) == "9 / 10 (90.00%)");
  CHECK(format_ratio(1, 3) == "1 / 3 (33.33%)");
}

TEST_CASE("format_stats shows totals, hit rates and the last build") {
  CacheStats st;
  st.cues = 12;
  st.objects = 40;
  st.bytes = 5 * 1024 * 1024;
  st.pinned = 3;
  st.paid = 2;
  st.hits = 45;
  st.misses = 5;
  st.credits_spent = 1200;
  st.credits_saved = 4000.5;
  st.generation_seconds = 125;
  st.generation_seconds_saved = 3723;
  BuildStats b;
  b.id = 7;
  b.hits = 3;
  b.misses = 1;
  b.generated = 1;
  b.credits_spent = 120;
  b.credits_saved = 360;
  b.generation_seconds_saved = 90;
  b.exit_code = 0;
  st.last_build = b;

  std::string text = format_stats(st, {"/proj/cache", 10 * 1024 * 1024});
  INFO(text);
  CHECK(value_of(text, "Cues") == "12");
  CHECK(value_of(text, "Objects") == "40");
  CHECK(value_of(text, "Cache size") == "5.0 MiB / 10.0 MiB (50%)");
  CHECK(value_of(text, "Pinned") == "3 (2 paid)");
  CHECK(value_of(text, "Requests") == "50");
  CHECK(value_of(text, "Hits") == "45 / 50 (90.00%)");
  CHECK(value_of(text, "Misses") == "5 / 50 (10.00%)");
  size_t last = text.find("Last build (#7, exit 0):");
  REQUIRE(last != std::string::npos);
  CHECK(value_of(text, "Hits", last) == "3 / 4 (75.00%)");
  CHECK(value_of(text, "Generated", last) == "1");
  CHECK(value_of(text, "Credits saved", last) == "360");
  CHECK(value_of(text, "Time saved", last) == "1m 30s");
  size_t credits = text.find("\nCredits:");
  REQUIRE(credits != std::string::npos);
  CHECK(value_of(text, "Spent", credits) == "1200");
  CHECK(value_of(text, "Saved by hits", credits) == "4000.50");
  size_t gen = text.find("Generation time:");
  REQUIRE(gen != std::string::npos);
  CHECK(value_of(text, "Spent", gen) == "2m 05s");
  CHECK(value_of(text, "Saved by hits", gen) == "1h 02m 03s");
  CHECK(value_of(text, "Cache directory") == "/proj/cache");
}

TEST_CASE("format_stats of an empty cache has no build section and no division by zero") {
  std::string text = format_stats(CacheStats{});
  CHECK(value_of(text, "Hits") == "0 / 0");
  CHECK(text.find("Last build") == std::string::npos);
  CHECK(text.find("nan") == std::string::npos);
  CHECK(text.find("Cache directory") == std::string::npos);
}
