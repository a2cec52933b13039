#include <catch2/catch.hpp>

#include <fstream>

#include "cache/index.h"
#include "cache/object_store.h"
#include "cache/test_util.h"
#include "cache/verify.h"

using namespace foley::cache;
using namespace foley::cache::testing;
namespace fs = std::filesystem;

namespace {

void flip_byte(const fs::path& p, size_t offset) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x01));
}

}  // namespace

TEST_CASE("verify passes a healthy cache") {
  TempCacheDir dir;
  Index index(dir.path());
  ObjectStore store(dir.path());
  for (int i = 0; i < 3; ++i) index.record_object(store_object(store, key_of("ok" + std::to_string(i)), "audio"));
  auto report = verify(index, store);
  CHECK(report.checked == 3);
  CHECK(report.ok == 3);
  CHECK(report.clean());
  CHECK(index.list_objects().size() == 3);
}

TEST_CASE("verify quarantines a flipped byte and a truncated object, reports unknown files") {
  TempCacheDir dir;
  Index index(dir.path());
  ObjectStore store(dir.path());
  std::string good = key_of("good"), flipped = key_of("flipped"), truncated = key_of("truncated"),
              paid = key_of("paid"), unknown = key_of("unknown");
  index.record_object(store_object(store, good, std::string(1000, 'g')));
  index.record_object(store_object(store, flipped, std::string(1000, 'f')));
  index.record_object(store_object(store, truncated, std::string(1000, 't')));
  index.record_object(store_object(store, paid, std::string(1000, 'p'), 250, true));
  foley::write_file_atomic(store.path_for(unknown, "wav"), "not indexed");

  flip_byte(store.path_for(flipped, "wav"), 500);
  fs::resize_file(store.path_for(truncated, "wav"), 600);
  flip_byte(store.path_for(paid, "wav"), 0);

  auto report = verify(index, store);
  CHECK(report.checked == 4);
  CHECK(report.ok == 1);
  REQUIRE(report.issues.size() == 3);
  REQUIRE(report.unknown.size() == 1);
  CHECK(report.unknown[0] == store.path_for(unknown, "wav"));
  CHECK_FALSE(report.clean());

  for (const auto& issue : report.issues) {
    INFO(issue.message());
    CHECK_FALSE(fs::exists(store.path_for(issue.gen_key, "wav")));
    CHECK(fs::exists(issue.quarantined_to));
    CHECK(issue.quarantined_to.parent_path() == dir.path() / "quarantine");
    CHECK(issue.row_removed);
    CHECK_FALSE(index.find_object(issue.gen_key));
    if (issue.gen_key == flipped) CHECK(issue.kind == VerifyIssue::Kind::kChecksumMismatch);
    if (issue.gen_key == truncated) {
      CHECK(issue.kind == VerifyIssue::Kind::kTruncated);
      CHECK(issue.actual_size == 600);
      CHECK(issue.expected_size == 1000);
    }
  }
  auto paid_issue = std::find_if(report.issues.begin(), report.issues.end(),
                                 [&](const VerifyIssue& i) { return i.gen_key == paid; });
  REQUIRE(paid_issue != report.issues.end());
  CHECK(paid_issue->paid);
  CHECK_THAT(paid_issue->message(), Catch::Contains("paid object " + paid) &&
                                        Catch::Contains("is corrupt") &&
                                        Catch::Contains("regenerating will cost 250 credits"));
  CHECK(report.paid_credits_lost() == 250);
  CHECK_THAT(report.summary(), Catch::Contains("regenerating will cost 250 credits") &&
                                   Catch::Contains("unknown object"));

  // The good object is untouched, and a second run finds nothing new to repair.
  CHECK(index.find_object(good));
  auto again = verify(index, store);
  CHECK(again.checked == 1);
  CHECK(again.issues.empty());
}

TEST_CASE("verify without repair only reports") {
  TempCacheDir dir;
  Index index(dir.path());
  ObjectStore store(dir.path());
  std::string k = key_of("bad");
  index.record_object(store_object(store, k, "abcdef"));
  flip_byte(store.path_for(k, "wav"), 2);
  auto report = verify(index, store, VerifyOptions{.repair = false});
  REQUIRE(report.issues.size() == 1);
  CHECK(report.issues[0].quarantined_to.empty());
  CHECK(fs::exists(store.path_for(k, "wav")));
  CHECK(index.find_object(k));
}

TEST_CASE("verify drops the rows of objects whose file is gone") {
  TempCacheDir dir;
  Index index(dir.path());
  ObjectStore store(dir.path());
  std::string k = key_of("gone");
  index.record_object(store_object(store, k, "abc", 30, true));
  fs::remove(store.path_for(k, "wav"));
  auto report = verify(index, store);
  REQUIRE(report.issues.size() == 1);
  CHECK(report.issues[0].kind == VerifyIssue::Kind::kMissing);
  CHECK_THAT(report.issues[0].message(), Catch::Contains("is missing") && Catch::Contains("30 credits"));
  CHECK_FALSE(index.find_object(k));
}
