// Spec packs: the line format, lookups that must not confuse one entry with
// another, torn lines, and errors that name the pack and the entry.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "request/spec_pack.h"

namespace fs = std::filesystem;
using namespace foley;

TEST_CASE("a pack is one line an entry, and lookups match whole names only") {
  std::string pack;
  append_spec_entry(pack, "ab12", "{\"x\":1}\n");
  append_spec_entry(pack, "ab123", "{\"x\":2}\n");
  append_spec_entry(pack, "ab2:ep 1:door", "{\"x\":3}\n");
  CHECK(pack == "ab12\t{\"x\":1}\nab123\t{\"x\":2}\nab2:ep 1:door\t{\"x\":3}\n");
  CHECK(find_spec_entry(pack, "ab12") == "{\"x\":1}\n");
  CHECK(find_spec_entry(pack, "ab123") == "{\"x\":2}\n");
  CHECK(find_spec_entry(pack, "ab2:ep 1:door") == "{\"x\":3}\n");
  CHECK(find_spec_entry(pack, "ab1").empty());   // a prefix of a name is not that name
  CHECK(find_spec_entry(pack, "x\":1}").empty());  // text inside a spec is never a name
  CHECK(find_spec_entry(pack, "").empty());
  CHECK(spec_pack_name("ab2:ep 1:door") == "ab.specs");
  CHECK_THROWS_AS(spec_pack_name("a"), Error);
}

TEST_CASE("names and texts that would break the line format are refused") {
  std::string pack;
  CHECK_THROWS_AS(append_spec_entry(pack, "a\tb", "{}\n"), Error);
  CHECK_THROWS_AS(append_spec_entry(pack, "a\nb", "{}\n"), Error);
  CHECK_THROWS_AS(append_spec_entry(pack, "", "{}\n"), Error);
  CHECK_THROWS_AS(append_spec_entry(pack, "ab", "{}"), Error);         // no newline
  CHECK_THROWS_AS(append_spec_entry(pack, "ab", "{}\n{}\n"), Error);   // two lines
  CHECK(pack.empty());
}

TEST_CASE("a torn last line is not a spec") {
  CHECK(find_spec_entry("ab\t{\"x\":1}\ncd\t{\"x\":", "cd").empty());
  CHECK(find_spec_entry("ab\t{\"x\":1}\ncd\t{\"x\":", "ab") == "{\"x\":1}\n");
}

TEST_CASE("read_spec_text reads a standalone file, a pack, or a pack chosen from its directory") {
  std::string tmpl = (fs::temp_directory_path() / "foley-pack-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  fs::path dir = tmpl;
  std::string pack;
  append_spec_entry(pack, "0badc0de", "{\"k\":\"v\"}\n");
  std::ofstream(dir / "0b.specs") << pack;
  std::ofstream(dir / "one.json") << "{\"alone\":true}\n";

  CHECK(read_spec_text(dir / "one.json", "") == "{\"alone\":true}\n");
  CHECK(read_spec_text(dir / "0b.specs", "0badc0de") == "{\"k\":\"v\"}\n");
  CHECK(read_spec_text(dir, "0badc0de") == "{\"k\":\"v\"}\n");
  try {
    read_spec_text(dir, "0bfeed");
    FAIL("a missing entry must throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("0b.specs: no spec entry 0bfeed") != std::string::npos);
  }
  try {
    read_spec_text(dir, "ffee");
    FAIL("a missing pack must throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("ff.specs: no such spec pack") != std::string::npos);
  }
  CHECK(spec_origin(dir / "0b.specs", "0badc0de") == (dir / "0b.specs").string() + " [0badc0de]");
  fs::remove_all(dir);
}

TEST_CASE("an object path names its gen key; anything else is refused with the path") {
  CHECK(object_gen_key("cache/objects/0b/0ba523e4afbcfacaf1fb421271281797.wav") == "0ba523e4afbcfacaf1fb421271281797");
  CHECK(object_gen_key("/abs/0ba523e4afbcfacaf1fb421271281797.tar.gz") == "0ba523e4afbcfacaf1fb421271281797");
  for (const char* bad : {"cache/objects/0b/door.wav", "0BA523E4AFBCFACAF1FB421271281797.wav",
                          "0ba523e4afbcfacaf1fb42127128179.wav", ""}) {
    INFO(bad);
    CHECK_THROWS_WITH(object_gen_key(bad), Catch::Contains("not an object path of the cache"));
  }
}
