// The old pipeline's slug rules (pipeline-anchors §2.2), checked on its own
// examples, on SHA-256 test vectors, and against a Python implementation of
// the rules run over a corpus (Python's own lower() and re, as the old
// pipeline used them).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/legacy_slug.h"
#include "common/subprocess.h"

using foley::cli::legacy_shared_name;
using foley::cli::legacy_slug;
using foley::cli::sha256_hex;

TEST_CASE("legacy slug: the old pipeline's examples") {
  CHECK(legacy_slug("SFX: PHONE BUZZING") == "sfx_phone-buzzing");
  CHECK(legacy_slug("BEAT") == "beat");
  CHECK(legacy_slug("SFX: DOOR OPENS, BELL CHIMES") == "sfx_door-opens-bell-chimes");
  CHECK(legacy_slug("") == "");
  CHECK(legacy_slug("--!!--") == "");
  CHECK(legacy_slug("  -- hello -- world --  ") == "hello-world");
  CHECK(legacy_slug("A:B") == "a-b");          // only colon-space is the category separator
  CHECK(legacy_slug("X:  Y") == "x_-y");       // ": " then a space
  CHECK(legacy_slug("snake_case_KEY") == "snake_case_key");
}

TEST_CASE("legacy slug: shared names per backend") {
  CHECK(legacy_shared_name("SFX: DOOR OPENS", "elevenlabs") == "sfx_door-opens.mp3");
  CHECK(legacy_shared_name("SFX: DOOR OPENS", "audioldm2") == "sfx_door-opens.audioldm2.mp3");
  CHECK(legacy_shared_name("BEAT", "stableaudio") == "beat.stableaudio.mp3");
}

TEST_CASE("sha256: FIPS 180-4 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("legacy slug: long keys are cut at 180 and get a SHA-256 suffix") {
  std::string key = "SFX: ";
  for (int i = 0; i < 12; ++i) key += "RAIN ON A TIN ROOF, ";
  std::string slug = legacy_slug(key);
  CHECK(slug.size() <= 180 + 9);
  CHECK(slug.substr(slug.size() - 9, 1) == "_");
  // Computed with Python's hashlib over the uncut slug.
  CHECK(slug.substr(slug.size() - 8) == "dc7707aa");
  CHECK(slug.substr(0, 20) == "sfx_rain-on-a-tin-ro");
  // The cut lands right after a '-': it is stripped before the suffix.
  CHECK(slug.find("-_") == std::string::npos);
}

TEST_CASE("legacy slug: agrees with Python's lower() and re over a corpus") {
  std::vector<std::string> corpus = {
      "SFX: DINER DOOR OPENS, BELL CHIMES", "AMBIENCE: CAFÉ — LATE-NIGHT CROWD (distant)",
      "MUSIC: INTRO STING #2", "BEAT", "VINTAGE FILTER: ON", "\u212aNOCK: \u0130stanbul", "ÄÖÜ: ßtraße",
      "SFX:NO SPACE", "SFX: : double", "  leading and trailing  ", "日本語: テスト", "a__b--c  d",
      "ALL CAPS 123: 456 789", "-SFX: DASH-", "tab\there: newline\nthere", "emoji 🎵: music"};
  std::string long_key = "AMBIENCE: ";
  for (int i = 0; i < 30; ++i) long_key += "WIND HOWLS " + std::to_string(i) + ", ";
  corpus.push_back(long_key);
  corpus.push_back(std::string(179, 'x') + "--" + std::string(10, 'y'));
  corpus.push_back(std::string(181, 'z'));

  auto dir = std::filesystem::temp_directory_path();
  auto in = dir / ("foley-slug-corpus-" + std::to_string(::getpid()) + ".json");
  std::ofstream(in) << nlohmann::json(corpus).dump();
  const char* script = R"PY(
import hashlib, json, re, sys
def slug(text):
    if not text:
        return ""
    s = text.lower().replace(": ", "_")
    s = re.sub(r"[^a-z0-9_]+", "-", s)
    s = re.sub(r"-{2,}", "-", s).strip("-")
    if len(s) > 180:
        s = s[:180].rstrip("-") + "_" + hashlib.sha256(s.encode()).hexdigest()[:8]
    return s
print(json.dumps([slug(t) for t in json.load(open(sys.argv[1], encoding="utf-8"))]))
)PY";
  auto result = foley::run_subprocess({"python3", "-c", script, in.string()}, true);
  std::filesystem::remove(in);
  REQUIRE(result.exit_code == 0);
  auto expected = nlohmann::json::parse(result.output);
  REQUIRE(expected.size() == corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    INFO("key: " << corpus[i]);
    CHECK(legacy_slug(corpus[i]) == expected[i].get<std::string>());
  }
}
