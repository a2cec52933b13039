#include <catch2/catch.hpp>

#include "report/report_html.h"
#include "report/report_json.h"

using namespace foley::report;

namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

Report two_cue_report() {
  Report r;
  r.project = "demo <&>";
  CueRow door;
  door.id = "door";
  door.qualified_id = "ep1:door";
  door.manifest = "ep1";
  door.category = "sfx";
  door.tags = {"wood", "it's \"old\""};
  door.prompt = "a door <script>alert(1)</script>";
  door.engine = "exec";
  door.profile = "synth";
  door.status = {false, "changed: prompt", 12.0};
  door.delivered = {"out/ep1/door creak#1.wav", true, 2.5, -20.0, -1.5};
  Take a{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cache/objects/aa/a.wav", true, false, 0.21, 0.0, false, 2.5, {}};
  Take b{"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cache/objects/bb/b.wav", true, true, 0.43, 0.0, false, 2.5, {}};
  door.takes = {a, b};
  door.images = {"img/b-spectrogram-v1.png", "img/b-waveform-v1.png"};
  CueRow rain;
  rain.id = "rain";
  rain.qualified_id = "amb:rain";
  rain.manifest = "amb";
  rain.category = "ambience";
  rain.status = {true, "", std::nullopt};
  rain.delivered = {"out/amb/rain.flac", false, std::nullopt, std::nullopt, std::nullopt};
  r.manifests = {{"amb", {rain}}, {"ep1", {door}}};
  r.summary.cues = 2;
  r.summary.stale = 1;
  r.summary.hits = 1;
  r.summary.misses = 3;
  return r;
}

}  // namespace

TEST_CASE("html_escape and url_path make text and file names safe in a page") {
  CHECK(html_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(url_path("../ep1/door creak#1.wav") == "../ep1/door%20creak%231.wav");
  CHECK(url_path("caf\xc3\xa9?.wav") == "caf%C3%A9%3F.wav");
}

TEST_CASE("the page has one row per cue, one player per delivered file, filters and no remote reference") {
  const std::string page = render_html(two_cue_report(), "/p", "/p/out/report");
  CHECK(count(page, "<tr class=\"cue\"") == 2);
  CHECK(count(page, "<audio ") == 1);  // rain is not delivered yet
  CHECK(page.find("src=\"../ep1/door%20creak%231.wav\"") != std::string::npos);
  CHECK(page.find("not delivered yet") != std::string::npos);
  // Escaped prompt and tags; the tags ride as JSON for the filter script.
  CHECK(page.find("<script>alert") == std::string::npos);
  CHECK(page.find("a door &lt;script&gt;") != std::string::npos);
  CHECK(page.find("data-tags=\"[&quot;wood&quot;,&quot;it&#39;s \\&quot;old\\&quot;&quot;]\"") != std::string::npos);
  // Filters list every manifest, category, tag and both states.
  for (const char* option : {">amb<", ">ep1<", ">ambience<", ">sfx<", ">wood<", ">fresh<", ">stale<"})
    CHECK(page.find(std::string("<option value=\"") + std::string(option).substr(1, std::string(option).size() - 2)) !=
          std::string::npos);
  // Status, reason, loudness, true peak, cost.
  CHECK(page.find("changed: prompt") != std::string::npos);
  CHECK(page.find("-20.0 LUFS") != std::string::npos);
  CHECK(page.find("-1.5 dBTP") != std::string::npos);
  CHECK(page.find("~12 to build") != std::string::npos);
  CHECK(page.find("1 / 4 (25.00%)") != std::string::npos);
  // Two takes: both listed with their scores, the picked one marked.
  CHECK(count(page, "<li class=\"take") == 2);
  CHECK(page.find("<li class=\"take picked\" data-gen-key=\"bbbb") != std::string::npos);
  CHECK(page.find("score 0.430") != std::string::npos);
  // Self-contained: nothing refers to a network.
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find("//cdn") == std::string::npos);
}

TEST_CASE("the JSON export carries the same rows, takes and summary") {
  nlohmann::json j = report_json(two_cue_report());
  REQUIRE(j["manifests"].size() == 2);
  const auto& door = j["manifests"][1]["cues"][0];
  CHECK(door["cue"] == "ep1:door");
  CHECK(door["status"]["reason"] == "changed: prompt");
  CHECK(door["delivered"]["integrated_lufs"] == -20.0);
  CHECK(door["takes"].size() == 2);
  CHECK(door["takes"][1]["picked"] == true);
  CHECK(door["takes"][1]["score"] == 0.43);
  CHECK(j["manifests"][0]["cues"][0]["delivered"]["duration_seconds"].is_null());
  CHECK(j["summary"]["hit_rate"] == 0.25);
}
