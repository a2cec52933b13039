#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/file_lock.h"

namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("foley-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}

}  // namespace

TEST_CASE("FileLock::any_of hands out at most `count` slots and waits for a free one", "[file_lock]") {
  const fs::path dir = fresh_dir("slots");
  auto a = foley::FileLock::any_of(dir, "engine_sfx", 2);
  auto b = foley::FileLock::any_of(dir, "engine_sfx", 2);
  REQUIRE(a.valid());
  REQUIRE(b.valid());

  std::atomic<bool> got_third{false};
  std::thread t([&] {
    auto c = foley::FileLock::any_of(dir, "engine_sfx", 2);
    got_third = c.valid();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(got_third.load());  // both slots held: the third waits
  b.release();
  t.join();
  CHECK(got_third.load());

  // Another pool's slots are its own; a name is made safe for a file name.
  auto other = foley::FileLock::any_of(dir, "engine_../x y", 1);
  CHECK(other.valid());
  CHECK(fs::exists(dir / "engine____x_y.0"));
  fs::remove_all(dir);
}

TEST_CASE("FileLock::any_of slots are shared with other processes and freed when one dies", "[file_lock]") {
  const fs::path dir = fresh_dir("slots-proc");
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto held = foley::FileLock::any_of(dir, "pool", 1);
    ::pause();  // killed below while holding the only slot
    ::_exit(0);
  }
  // Wait until the child holds the slot: a non-blocking try then fails.
  bool busy = false;
  for (int i = 0; i < 200 && !busy; ++i) {
    if (fs::exists(dir / "pool.0") && !foley::FileLock(dir / "pool.0", /*wait=*/false).valid()) busy = true;
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(busy);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto mine = foley::FileLock::any_of(dir, "pool", 1);  // returns once the kernel dropped the dead child's lock
  CHECK(mine.valid());
  fs::remove_all(dir);
}
