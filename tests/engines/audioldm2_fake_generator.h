#pragma once
// A fake, slow AudioLDM 2 for the engine and model-server tests: a sine whose
// pitch follows the seed, one sleep per "step", cancellable between steps.
// Also the helpers those tests share (requests, temp dirs, forked servers).

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engines/audioldm2/audioldm2_generator.h"
#include "server/resident_server.h"
#include "ipc/client.h"
#include "ipc/launcher.h"
#include "request/request_spec.h"

namespace foley::testing {

namespace fs = std::filesystem;

struct FakeModel {
  int step_ms = 1;       // sleep per step
  fs::path step_marker;  // when set, a line is appended per step (tests wait for it)
  fs::path load_log;     // when set, a line is appended per load
};

inline void append_line(const fs::path& file, const std::string& line) {
  if (file.empty()) return;
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string text = line + "\n";
  ssize_t ignored = ::write(fd, text.data(), text.size());
  (void)ignored;
  ::close(fd);
}

inline int count_lines(const fs::path& file) {
  std::ifstream in(file);
  int n = 0;
  std::string line;
  while (std::getline(in, line)) n++;
  return n;
}

class FakeGenerator : public engines::Generator {
 public:
  explicit FakeGenerator(FakeModel m) : m_(std::move(m)) {}
  // One cue after another, each failing (cancelled) on its own.
  std::vector<models::CueOutcome> generate(const std::vector<models::Cue>& cues) override {
    std::vector<models::CueOutcome> out(cues.size());
    for (size_t i = 0; i < cues.size(); ++i) {
      try {
        out[i].waveform = sine(cues[i]);
      } catch (...) {
        out[i].error = std::current_exception();
      }
    }
    return out;
  }

 private:
  tensor::Tensor sine(const models::Cue& cue) const {
    const models::GenerationParams& p = cue.params;
    for (int64_t i = 1; i <= p.steps; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(m_.step_ms));
      if (cue.progress) cue.progress(i, p.steps);  // throws once the request is cancelled
      append_line(m_.step_marker, std::to_string(i));
    }
    size_t n = static_cast<size_t>(p.duration_s.value_or(10.24) * 16000.0);
    double freq = 200.0 + static_cast<double>(p.seed % 1000);
    std::vector<float> samples(n);
    for (size_t i = 0; i < n; ++i) samples[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * freq * i / 16000.0));
    return tensor::Tensor::from_vector(samples);
  }

  FakeModel m_;
};

inline engines::GeneratorLoader fake_loader(FakeModel m) {
  return [m](const engines::ModelKey& key) -> std::shared_ptr<engines::Generator> {
    if (key.model_dir == "/missing/model") throw Error("model folder /missing/model does not exist");
    append_line(m.load_log, std::to_string(::getpid()));
    return std::make_shared<FakeGenerator>(m);
  };
}

// A launcher that forks a server with the fake model (no exec), logging each launch.
inline ipc::ServerLauncher fake_launcher(const fs::path& cache, FakeModel m, const fs::path& launch_log,
                                              double idle_timeout = 60.0) {
  return [=](const ipc::ServerPaths& paths) {
    append_line(launch_log, "launch");
    ipc::fork_detached(
        [=] {
          server::ModelServerOptions o;
          o.cache_dir = cache;
          o.idle_timeout_seconds = idle_timeout;
          server::ModelServer server(o, fake_loader(m));
          return server.run();
        },
        paths.log);
  };
}

// A private temp directory (short, so the socket path fits), removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/foley-srv.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline GenRequest fake_request(const fs::path& cache, uint64_t seed, int steps = 4, double duration = 0.25) {
  GenRequest r;
  char key[33];
  std::snprintf(key, sizeof key, "%016llx%016llx", 0xabcdull, static_cast<unsigned long long>(seed));
  r.gen_key = key;
  r.engine = "audioldm2";
  r.profile = "local";
  r.key_fields = {{"engine", "audioldm2"}, {"engine_version", 1},      {"model_fingerprint", "f00d"},
                  {"prompt", "rain on a tin roof"}, {"negative_prompt", "low quality"}, {"duration", duration},
                  {"seed", seed}, {"steps", steps}, {"guidance", 3.5}, {"scheduler", "ddim"}};
  r.settings = {{"model", "/fake/model"}, {"device", "cpu"}, {"threads", 0}, {"idle_timeout", 60.0}};
  r.ext = "wav";
  r.cache_dir = cache;
  r.object_path = cache / "objects" / r.gen_key.substr(0, 2) / (r.gen_key + ".wav");
  r.cues = {"test:cue" + std::to_string(seed)};
  return r;
}

// True while `pid` runs (a zombie counts as gone: init may reap it late).
inline bool process_alive(long long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

// Polls `pred` every 10 ms for up to `seconds`; its final value.
template <typename Pred>
bool eventually(Pred pred, double seconds = 20.0) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// Files in the cache's object tree whose name starts with ".tmp-".
inline int temp_files_under(const fs::path& dir) {
  int n = 0;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return 0;
  for (auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(".tmp-", 0) == 0) n++;
  return n;
}

// Stops the server of `cache` if one runs (end of a test).
inline void stop_server(const fs::path& cache) {
  ipc::ModelServerClientOptions o;
  o.cache_dir = cache;
  ipc::ModelServerClient client(o);
  auto status = client.status();
  if (!status) return;
  long long pid = status->value("pid", 0LL);
  client.stop();
  eventually([&] { return !process_alive(pid); }, 10.0);
}

}  // namespace foley::testing
