#include "server/api_calls.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cache/index.h"
#include "common/error.h"
#include "common/log.h"
#include "common/progress_channel.h"
#include "engines/catalog.h"
#include "engines/elevenlabs/elevenlabs_engine.h"
#include "generate/generate_request.h"
#include "generate/team_cache.h"
#include "request/request_spec.h"

namespace foley::server {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Open indexes reused across calls (one connection each, used by one call at a
// time): an open costs a schema check, and closing the last connection
// checkpoints the WAL with three fsyncs.
class IndexPool {
 public:
  std::unique_ptr<cache::Index> take(const fs::path& cache_dir) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& free = free_[cache_dir];
      if (!free.empty()) {
        auto index = std::move(free.back());
        free.pop_back();
        return index;
      }
    }
    return std::make_unique<cache::Index>(cache_dir);
  }
  void give_back(std::unique_ptr<cache::Index> index) {
    std::lock_guard<std::mutex> lock(mu_);
    fs::path dir = index->cache_dir();
    free_[dir].push_back(std::move(index));
  }

 private:
  std::mutex mu_;
  std::map<fs::path, std::vector<std::unique_ptr<cache::Index>>> free_;
};

// A counting semaphore whose limit the latest prefetch sets.
class Slots {
 public:
  void set_limit(int limit) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = std::max(1, limit);
    cv_.notify_all();
  }
  void acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return used_ < limit_; });
    ++used_;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    --used_;
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int used_ = 0;
  int limit_ = 1;
};

// What one call of a build left for the others of the same build that want
// the same key: its summary line (it made the object) or its failure, with the
// messages it logged meanwhile (retry warnings, the error). Whoever asks next
// reports that outcome instead of sending the request again: one request per
// key and build, whether `foley build` handed it over or an edge made it.
struct CallOutcome {
  bool ok = false;
  int exit_code = 1;
  std::string line;      // the summary line (ok)
  std::string messages;  // the lines logged while it ran
  std::chrono::steady_clock::time_point at;
};

// A failure recorded earlier in this build, replayed to the next asker.
struct ReplayedFailure {
  int exit_code;
};

struct ApiState {
  IndexPool indexes;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Slots>> slots;  // by profile (one ninja pool each)
  std::map<std::string, CallOutcome> prefetched;        // gen key -> what a prefetch made, until a client takes it
  std::map<std::pair<int64_t, std::string>, CallOutcome> failed;  // (build id, gen key) -> a failed call

  Slots* slots_for(const std::string& profile, std::optional<int> depth) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = slots.find(profile);
    if (it == slots.end()) {
      if (!depth) return nullptr;  // no limit known: ninja's pool is the only one
      it = slots.emplace(profile, std::make_unique<Slots>()).first;
    }
    if (depth) it->second->set_limit(*depth);
    return it->second.get();
  }

  // Failures are kept for the rest of their build; builds end long before this.
  void record_failure(int64_t build_id, const std::string& key, CallOutcome outcome) {
    constexpr auto kKeep = std::chrono::hours(12);
    std::lock_guard<std::mutex> lock(mu);
    outcome.at = std::chrono::steady_clock::now();
    for (auto it = failed.begin(); it != failed.end();)
      it = outcome.at - it->second.at > kKeep ? failed.erase(it) : std::next(it);
    failed[{build_id, key}] = std::move(outcome);
  }
  std::optional<CallOutcome> failure_of(int64_t build_id, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = failed.find({build_id, key});
    if (it == failed.end()) return std::nullopt;
    return it->second;
  }
};

ApiState& state() {
  static ApiState* s = new ApiState;  // never destroyed: calls may outlive main's return
  return *s;
}

GenRequest parse_spec(const json& item, std::string* origin) {
  *origin = item.value("origin", std::string("spec"));
  if (!item.contains("spec") || !item["spec"].is_string())
    throw Error("resident server: a call needs \"spec\" (the request spec's text)");
  GenRequest req = GenRequest::from_json(json::parse(item["spec"].get<std::string>(), nullptr, false), *origin);
  if (!engines::engine_row(req.engine).via_server)
    throw Error(*origin + ": the resident server makes only API calls, not " + req.engine + " generations");
  return req;
}

// A call whose request had not left when it was told to stop (the server is
// stopping, or the build that handed it over went away).
struct CallCancelled {};

// Runs one generation with the server's hooks; returns its summary line.
// `cancelled` is asked once a request slot is free, just before the request
// would leave. `capture` holds what this call has logged so far: a failure
// keeps it for whoever asks for the same key later in the build.
std::string run_one(const GenRequest& req, const std::string& origin, const json& msg, Slots* slots,
                    bool prefetch, LogCapture& capture, const std::function<bool()>& cancelled = {}) {
  ApiState& st = state();
  generate::GenerateContext ctx;
  ctx.build_id = msg.value("build_id", int64_t{0});
  ctx.retry_unusable = msg.value("retry_unusable", false);
  // The key as the asker's environment has it: the server was started by some
  // other process, perhaps in another shell, and without the key.
  std::string env_key = msg.contains("env_key") && msg["env_key"].is_string() ? msg["env_key"].get<std::string>() : "";
  ctx.make_engine = [env_key, slots, cancelled](const std::string&) -> std::unique_ptr<engines::Engine> {
    engines::ElevenLabsDeps deps;
    deps.caller_env_key = env_key;
    deps.before_request = [slots, cancelled] {
      if (slots) slots->acquire();
      if (cancelled && cancelled()) {
        if (slots) slots->release();
        throw CallCancelled{};
      }
    };
    if (slots) deps.after_request = [slots] { slots->release(); };
    return std::make_unique<engines::ElevenLabsEngine>(std::move(deps));
  };
  const std::string key = req.gen_key;
  const int64_t build_id = ctx.build_id;
  // Plain ninja runs carry no build id: each run is its own build, and two
  // edges of one run never share a key, so there is nothing to remember.
  const bool remember = build_id != 0;
  if (prefetch) {
    ctx.record_hit = false;
    ctx.on_generated = [&st, &capture, key](const std::string& line) {
      std::lock_guard<std::mutex> lock(st.mu);
      st.prefetched[key] = {true, 0, line, capture.take(), {}};
    };
  }
  // Asked with the key's lock held, before anything is sent.
  ctx.take_prefetched = [&st, key, build_id, remember, prefetch]() -> std::optional<std::string> {
    if (remember)
      if (std::optional<CallOutcome> failure = st.failure_of(build_id, key)) {
        if (prefetch) return std::string();  // its edge reports it
        log_lines(failure->messages);
        throw ReplayedFailure{failure->exit_code};
      }
    if (prefetch) return std::nullopt;
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.prefetched.find(key);
    if (it == st.prefetched.end()) return std::nullopt;
    CallOutcome made = std::move(it->second);
    st.prefetched.erase(it);
    log_lines(made.messages);
    return made.line;
  };
  // A failure is recorded before the key's lock is released: another call of
  // this build waiting on that lock must find it and not pay again.
  bool recorded = false;
  ctx.on_failed = [&](const std::exception& e) {
    const Error* err = dynamic_cast<const Error*>(&e);
    log_error(e.what());
    if (remember) st.record_failure(build_id, key, {false, err ? err->exit_code() : 1, "", capture.text(), {}});
    recorded = true;
  };
  // The build that asked sees the call in its display (the attempt, the bytes
  // received), from the engine's first report on (the attempt, made just
  // before it waits for a slot of its pool), until this call ends.
  std::optional<ProgressReporter> reports;
  const std::string progress_socket =
      msg.contains("progress_socket") && msg["progress_socket"].is_string() ? msg["progress_socket"].get<std::string>()
                                                                             : "";
  if (!progress_socket.empty())
    ctx.progress = [&reports, &req, &progress_socket](double fraction, const std::string& what) {
      if (reports) return reports->progress(fraction, what);
      ProgressEvent identity;
      identity.key = req.gen_key;
      identity.cues = cue_names(req.cues);
      identity.engine = req.engine;
      identity.profile = req.profile;
      reports.emplace(identity, what, progress_socket);
    };
  // The pooled index goes back to the pool however the call ends.
  struct Lease {
    IndexPool& pool;
    std::unique_ptr<cache::Index> index;
    ~Lease() { pool.give_back(std::move(index)); }
  } lease{st.indexes, st.indexes.take(req.cache_dir)};
  ctx.index = lease.index.get();
  // The team cache of the edge that asked, with the credentials it sent
  // (a bare ninja run; `foley build` fetches and uploads for the whole build).
  std::unique_ptr<cache::remote::RemoteCache> remote = generate::team_cache_for_call(
      msg.value("remote", json()), msg.value("remote_env", json()), req.cache_dir, build_id);
  ctx.remote = remote.get();
  try {
    return generate::generate_request(req, origin, ctx);
  } catch (const CallCancelled&) {
    throw;
  } catch (const ReplayedFailure&) {
    throw;
  } catch (const std::exception& e) {
    const Error* err = dynamic_cast<const Error*>(&e);
    const int exit_code = err ? err->exit_code() : 1;
    if (!recorded) {  // failed before the key's lock was taken
      log_error(e.what());
      if (remember) st.record_failure(build_id, key, {false, exit_code, "", capture.text(), {}});
    }
    throw ReplayedFailure{exit_code};
  }
}

json run_call(const json& msg, const std::function<bool()>& stopping) {
  LogCapture capture;
  try {
    std::string origin;
    GenRequest req = parse_spec(msg, &origin);
    std::string line =
        run_one(req, origin, msg, state().slots_for(req.profile, std::nullopt), false, capture, stopping);
    return {{"exit", 0}, {"stdout", line}, {"stderr", capture.take()}};
  } catch (const CallCancelled&) {
    return {{"cancelled", true}};  // nothing was sent: the client makes the call itself
  } catch (const ReplayedFailure& f) {
    return {{"exit", f.exit_code}, {"stderr", capture.take()}};
  } catch (const Error& e) {
    log_error(e.what());
    return {{"exit", e.exit_code()}, {"stderr", capture.take()}};
  } catch (const std::exception& e) {
    log_error(e.what());
    return {{"exit", 1}, {"stderr", capture.take()}};
  }
}

json run_prefetch(const json& msg, const std::function<bool()>& client_gone) {
  if (!msg.contains("calls") || !msg["calls"].is_array() || !msg.contains("depth") || !msg["depth"].is_number_integer())
    return {{"exit", 2}, {"stderr", "resident server: a prefetch needs \"calls\" and \"depth\"\n"}};
  const json& calls = msg["calls"];
  const int depth = std::max(1, msg["depth"].get<int>());
  std::atomic<size_t> next{0};
  std::atomic<int> made{0}, failed{0};
  auto worker = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= calls.size() || client_gone()) return;
      std::string origin = "prefetch";
      std::string lines;
      {
        // What this call logs (retry warnings, its error) goes to the edge
        // that picks it up, which prints it in the build's output.
        LogCapture capture;
        try {
          GenRequest req = parse_spec(calls[i], &origin);
          Slots* slots = state().slots_for(req.profile, depth);
          if (!run_one(req, origin, msg, slots, true, capture, client_gone).empty()) made.fetch_add(1);
        } catch (const CallCancelled&) {
          return;  // nothing was sent; the temp file is gone with the engine
        } catch (const ReplayedFailure&) {
          failed.fetch_add(1);  // recorded for this build: its edge reports it and sends nothing
        } catch (const std::exception& e) {
          failed.fetch_add(1);
          log_error(e.what());
        }
        lines = capture.take();
      }
      if (!lines.empty()) log_verbose("prefetch of " + origin + ":\n" + lines);
    }
  };
  // Two workers more than the pool's depth: while one checks and commits the
  // answer it got, another's request is already in flight (the slots keep the
  // requests in flight at `depth`).
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min<int>(depth + 2, static_cast<int>(calls.size())); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return {{"exit", 0}, {"prefetched", made.load()}, {"failed", failed.load()}};
}

}  // namespace

json serve_api_call(const json& msg, const std::function<bool()>& client_gone) {
  if (msg.value("op", std::string()) == "prefetch") return run_prefetch(msg, client_gone);
  return run_call(msg, client_gone);
}

}  // namespace foley::server
