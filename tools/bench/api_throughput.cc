// API throughput benchmark: N generations through ElevenLabsEngine on
// C threads against the fake API server answering after a fixed delay. Prints
// the wall time against the ideal N × delay / C. Built and run by
// api_throughput.sh; the server must already be running.
//
// usage: api_throughput <base_url> <key_file> <objects_dir> [requests=200] [concurrency=10] [delay=0.2]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engines/elevenlabs/elevenlabs_engine.h"
#include "common/error.h"
#include "common/log.h"

using namespace foley;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s base_url key_file objects_dir [requests] [concurrency] [delay]\n", argv[0]);
    return 2;
  }
  const std::string base_url = argv[1];
  const std::filesystem::path key_file = argv[2];
  const std::filesystem::path objects = argv[3];
  const int requests = argc > 4 ? std::atoi(argv[4]) : 200;
  const int concurrency = argc > 5 ? std::atoi(argv[5]) : 10;
  const double delay = argc > 6 ? std::atof(argv[6]) : 0.2;
  set_log_level(LogLevel::kQuiet);

  engines::ElevenLabsEngine engine;
  std::atomic<int> next{0}, failures{0};
  std::mutex mutex;
  double http_seconds = 0, call_seconds = 0;
  auto worker = [&] {
    for (int i = next++; i < requests; i = next++) {
      GenRequest r;
      char key[33];
      std::snprintf(key, sizeof key, "%032x", i);
      r.gen_key = key;
      r.engine = "elevenlabs";
      r.profile = "bench";
      r.cues = {"bench/cue" + std::to_string(i)};
      r.key_fields = {{"prompt", "benchmark cue " + std::to_string(i)}, {"duration", 1.0},
                      {"prompt_influence", 0.3}, {"loop", false},
                      {"model_id", "eleven_text_to_sound_v2"}, {"output_format", "mp3_44100_128"}};
      r.settings = {{"base_url", base_url}, {"tier", "pro"}, {"api_key_file", key_file.string()},
                    {"max_attempts", 1}, {"timeout", 30}, {"stall_seconds", 10}};
      try {
        auto c0 = std::chrono::steady_clock::now();
        auto result = engine.generate(r, objects / (std::string(key) + ".mp3"), nullptr);
        double call = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
        std::lock_guard<std::mutex> lock(mutex);
        http_seconds += result.generation_seconds;
        call_seconds += call;
      } catch (const Error& e) {
        ++failures;
        std::fprintf(stderr, "request %d failed: %s\n", i, e.what());
      }
    }
  };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double ideal = requests * delay / concurrency;
  std::printf("requests=%d concurrency=%d delay=%.3fs wall=%.3fs ideal=%.3fs overhead=%.1f%% failures=%d\n",
              requests, concurrency, delay, wall, ideal, 100.0 * (wall - ideal) / ideal, failures.load());
  int done = requests - failures.load();
  if (done > 0)
    std::printf("per request: %.1f ms in HTTP (delay included), %.1f ms checking and committing the object\n",
                1000 * http_seconds / done, 1000 * (call_seconds - http_seconds) / done);
  return failures.load() == 0 ? 0 : 1;
}
