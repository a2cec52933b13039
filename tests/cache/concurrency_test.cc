// Many processes writing one index at once, and processes killed mid-write.
// Children are fork()ed and open their own Index; they report through exit
// codes and stderr and leave with _exit so Catch2's state is never touched.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <numeric>
#include <set>

#include "cache/index.h"
#include "cache/sqlite_db.h"
#include "cache/test_util.h"
#include "common/error.h"

using namespace foley::cache;
using namespace foley::cache::testing;

namespace {

// Forks a child that runs `body` and exits with its result (1 and a message
// on stderr when it throws).
pid_t fork_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", ::getpid(), e.what());
    } catch (...) {
      std::fprintf(stderr, "child %d: unknown exception\n", ::getpid());
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return status;
}

std::string child_key(int child, int i) { return key_of("child" + std::to_string(child) + "/" + std::to_string(i)); }

}  // namespace

TEST_CASE("16 processes recording into one fresh index at once never fail and lose nothing") {
  constexpr int kChildren = 16;
  constexpr int kPerChild = 50;
  TempCacheDir dir;
  int gate[2];
  REQUIRE(::pipe(gate) == 0);

  std::vector<pid_t> pids;
  for (int c = 0; c < kChildren; ++c) {
    pids.push_back(fork_child([&, c] {
      ::close(gate[1]);
      char byte;
      while (::read(gate[0], &byte, 1) < 0) {
      }  // all children start together, on an index nobody created yet
      Index index(dir.path());
      int64_t build = index.begin_build();
      for (int i = 0; i < kPerChild; ++i) {
        ObjectRecord rec;
        rec.gen_key = child_key(c, i);
        rec.engine = "exec";
        rec.ext = "wav";
        rec.size = 100 + i;
        rec.checksum = key_of("bytes" + rec.gen_key);
        rec.credits = 1;
        rec.generation_seconds = 0.5;
        index.record_object(rec, build);
        index.record_cue_build({"ep" + std::to_string(c) + ":cue" + std::to_string(i), rec.gen_key,
                                key_of("render" + rec.gen_key), {{"i", i}}, 0, build});
        if (!index.record_hit(rec.gen_key, build)) return 3;
      }
      BuildStats done;
      done.exit_code = 0;
      BuildStats b = index.finish_build(build, done);
      return (b.generated == kPerChild && b.hits == kPerChild) ? 0 : 4;
    }));
  }
  ::close(gate[0]);
  ::close(gate[1]);  // opens the gate

  int failed = 0;
  for (pid_t pid : pids) {
    int status = wait_status(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  CHECK(failed == 0);

  Index index(dir.path());
  CHECK(index.integrity_check() == "ok");
  auto objects = index.list_objects();
  CHECK(objects.size() == kChildren * kPerChild);
  std::set<std::string> keys;
  for (const auto& o : objects) {
    keys.insert(o.gen_key);
    CHECK(o.hit_count == 1);
  }
  for (int c = 0; c < kChildren; ++c)
    for (int i = 0; i < kPerChild; ++i) CHECK(keys.count(child_key(c, i)) == 1);
  CacheStats st = index.stats();
  CHECK(st.cues == kChildren * kPerChild);
  CHECK(st.hits == kChildren * kPerChild);
  CHECK(st.misses == kChildren * kPerChild);
  CHECK(st.credits_spent == kChildren * kPerChild);
  CHECK(st.credits_saved == kChildren * kPerChild);
}

TEST_CASE("a process killed inside a transaction leaves a sound index with no partial rows") {
  TempCacheDir dir;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = fork_child([&] {
    ::close(ready[0]);
    Index index(dir.path());
    for (int i = 0; i < 5; ++i) {
      ObjectRecord rec;
      rec.gen_key = child_key(0, i);
      rec.engine = "exec";
      rec.ext = "wav";
      rec.checksum = key_of("x");
      index.record_object(rec);
    }
    // Now a transaction that never commits: rows and a counter bump, then death.
    Database db(Index::index_path(dir.path()).string());
    db.exec("BEGIN IMMEDIATE");
    for (int i = 5; i < 10; ++i) {
      Statement s(db,
                  "INSERT INTO objects (gen_key, engine, ext, size, checksum, created_at, last_used_at) "
                  "VALUES (?1, 'exec', 'wav', 1, 'x', 0, 0)");
      s.bind(1, child_key(0, i)).run();
    }
    db.exec("UPDATE counters SET value = value + 5 WHERE name = 'misses'");
    if (::write(ready[1], "x", 1) != 1) return 2;
    for (;;) ::pause();
  });
  ::close(ready[1]);
  char byte;
  REQUIRE(::read(ready[0], &byte, 1) == 1);  // the child is inside its transaction
  ::close(ready[0]);
  ::kill(pid, SIGKILL);
  int status = wait_status(pid);
  REQUIRE(WIFSIGNALED(status));

  Index index(dir.path());
  CHECK(index.integrity_check() == "ok");
  auto objects = index.list_objects();
  CHECK(objects.size() == 5);
  for (int i = 5; i < 10; ++i) CHECK_FALSE(index.find_object(child_key(0, i)));
  CHECK(index.stats().misses == 5);
  // The dead writer's lock is gone: writing works at once.
  ObjectRecord rec;
  rec.gen_key = child_key(1, 0);
  rec.engine = "exec";
  rec.ext = "wav";
  index.record_object(rec);
  CHECK(index.list_objects().size() == 6);
}

TEST_CASE("a writer killed at an arbitrary moment never leaves rows and counters out of step") {
  TempCacheDir dir;
  int progress[2];
  REQUIRE(::pipe(progress) == 0);
  pid_t pid = fork_child([&] {
    ::close(progress[0]);
    Index index(dir.path());
    for (int i = 0;; ++i) {
      ObjectRecord rec;
      rec.gen_key = child_key(2, i);
      rec.engine = "exec";
      rec.ext = "wav";
      rec.credits = 2;
      index.record_object(rec);
      index.record_hit(rec.gen_key);
      if (i == 20 && ::write(progress[1], "x", 1) != 1) return 2;
    }
  });
  ::close(progress[1]);
  char byte;
  REQUIRE(::read(progress[0], &byte, 1) == 1);
  ::close(progress[0]);
  ::kill(pid, SIGKILL);
  REQUIRE(WIFSIGNALED(wait_status(pid)));

  Index index(dir.path());
  CHECK(index.integrity_check() == "ok");
  auto objects = index.list_objects();
  CHECK(objects.size() > 20);
  CacheStats st = index.stats();
  // record_object and its counters are one transaction; so are record_hit and its.
  CHECK(st.misses == static_cast<int64_t>(objects.size()));
  CHECK(st.credits_spent == 2.0 * static_cast<double>(objects.size()));
  int64_t hit_rows = 0;
  for (const auto& o : objects) hit_rows += o.hit_count;
  CHECK(st.hits == hit_rows);
  CHECK(st.credits_saved == 2.0 * static_cast<double>(hit_rows));
}
