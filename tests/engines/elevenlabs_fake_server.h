#pragma once
// Test support for the ElevenLabs engine tests: starts tools/fake_elevenlabs/server.py
// (fork/exec of python3) on a free port of 127.0.0.1, and fakes for the sleeper and clock.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/elevenlabs/clock.h"
#include "request/request_spec.h"

namespace foley::testing {

// A fresh directory under the system temp dir, removed at destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "foley-eleven-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The fake API server, running for the lifetime of this object.
class FakeElevenLabs {
 public:
  // `script`: the list of scripted responses; `key`: what xi-api-key must be.
  explicit FakeElevenLabs(const std::filesystem::path& dir, const nlohmann::json& script = nlohmann::json::array(),
                          const std::string& key = "test-key-123", double delay = 0.0)
      : log_path_(dir / "server-log.json") {
    auto key_file = dir / "expected-key";
    auto script_file = dir / "script.json";
    std::ofstream(key_file) << key;
    std::ofstream(script_file) << script.dump();
    std::string server = std::string(FOLEY_SOURCE_DIR) + "/tools/fake_elevenlabs/server.py";
    std::vector<std::string> args = {"python3", server, "--expect-key-file", key_file.string(), "--script",
                                     script_file.string(), "--log", log_path_.string(), "--delay",
                                     std::to_string(delay)};
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    port_ = std::atoi(line.c_str());
    if (port_ <= 0) {
      stop();
      throw std::runtime_error("the fake ElevenLabs server did not start (is python3 installed?)");
    }
  }
  ~FakeElevenLabs() { stop(); }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The server's request log (JSON Lines, see server.py), folded into
  // {"requests": [...], "max_concurrency": n, "violation_count": n}.
  nlohmann::json log() const {
    nlohmann::json out = {{"requests", nlohmann::json::array()}, {"max_concurrency", 0}, {"violation_count", 0}};
    std::ifstream in(log_path_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto r = nlohmann::json::parse(line);
      out["max_concurrency"] = std::max(out["max_concurrency"].get<int>(), r.at("max_concurrency").get<int>());
      out["violation_count"] = out["violation_count"].get<int>() + static_cast<int>(r.at("violations").size());
      out["requests"].push_back(std::move(r));
    }
    return out;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Records the waits asked for instead of sleeping.
class RecordingSleeper : public engines::Sleeper {
 public:
  void sleep(double seconds) override {
    std::lock_guard<std::mutex> lock(mutex_);
    waits_.push_back(seconds);
  }
  std::vector<double> waits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return waits_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<double> waits_;
};

// Always the same instant.
class FixedClock : public Clock {
 public:
  explicit FixedClock(std::time_t t) : now_(std::chrono::system_clock::from_time_t(t)) {}
  std::chrono::system_clock::time_point now() const override { return now_; }

 private:
  std::chrono::system_clock::time_point now_;
};

// Files in `dir` other than `keep` (temp files left behind, stray objects).
inline std::vector<std::string> other_files(const std::filesystem::path& dir, const std::string& keep = "") {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != keep) out.push_back(e.path().filename().string());
  return out;
}

// A request for one cue, with settings pointing at `base_url` and a key file.
inline GenRequest make_request(const std::string& base_url, const std::filesystem::path& key_file,
                               nlohmann::json key_fields = {}, nlohmann::json settings = {}) {
  GenRequest r;
  r.gen_key = "0123456789abcdef0123456789abcdef";
  r.engine = "elevenlabs";
  r.profile = "sfx-api";
  r.cues = {"ep1/door"};
  r.key_fields = {{"key_schema", 1}, {"engine", "elevenlabs"},  {"engine_version", "1"},
                  {"prompt", "a wooden door creaks open"},     {"duration", 2.0},
                  {"prompt_influence", 0.3},                   {"loop", false},
                  {"model_id", "eleven_text_to_sound_v2"},     {"output_format", "mp3_44100_128"}};
  for (auto& [k, v] : key_fields.items()) r.key_fields[k] = v;
  r.settings = {{"base_url", base_url},  {"tier", "pro"},          {"api_key_file", key_file.string()},
                {"max_attempts", 5},     {"backoff_seconds", 10},  {"jitter_seconds", 2},
                {"connect_timeout", 5},  {"timeout", 30},          {"stall_seconds", 10},
                {"credits_per_second", 40}, {"credits_per_generation", 100}};
  for (auto& [k, v] : settings.items()) r.settings[k] = v;
  return r;
}

}  // namespace foley::testing
