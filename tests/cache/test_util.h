#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "cache/index.h"
#include "cache/object_store.h"
#include "common/atomic_file.h"
#include "common/hash.h"

namespace foley::cache::testing {

// A fresh, empty cache directory under the system temp dir, removed afterwards.
class TempCacheDir {
 public:
  TempCacheDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("foley-cache-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempCacheDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A clock the test advances by hand (Unix ms); it must outlive the Index.
struct FakeClock {
  class Reader : public Clock {
   public:
    explicit Reader(std::shared_ptr<int64_t> ms) : ms_(std::move(ms)) {}
    std::chrono::system_clock::time_point now() const override {
      return std::chrono::system_clock::time_point(std::chrono::milliseconds(*ms_));
    }

   private:
    std::shared_ptr<int64_t> ms_;
  };
  std::shared_ptr<int64_t> now = std::make_shared<int64_t>(1'700'000'000'000);
  Reader clock{now};
  void advance(int64_t ms) { *now += ms; }
};

inline IndexOptions options_with(const FakeClock& c) {
  IndexOptions o;
  o.clock = &c.clock;
  return o;
}

inline std::string key_of(const std::string& seed) { return xxh3_128(seed).hex(); }

// Writes `bytes` as the object file of `gen_key` and returns a matching record.
inline ObjectRecord store_object(const ObjectStore& store, const std::string& gen_key, const std::string& bytes,
                                 double credits = 0.0, bool paid = false) {
  ObjectRecord rec;
  rec.gen_key = gen_key;
  rec.engine = paid ? "elevenlabs" : "exec";
  rec.profile = "default";
  rec.ext = "wav";
  rec.request = {{"prompt", "door " + gen_key.substr(0, 4)}};
  rec.size = static_cast<int64_t>(bytes.size());
  rec.checksum = xxh3_128(bytes).hex();
  rec.credits = credits;
  rec.paid = paid;
  rec.generation_seconds = 2.5;
  write_file_atomic(store.path_for(gen_key, rec.ext), bytes);
  return rec;
}

}  // namespace foley::cache::testing
