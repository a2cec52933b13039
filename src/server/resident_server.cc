#include "server/resident_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "engines/audioldm2/audioldm2_params.h"
#include "server/api_calls.h"
#include "server/jobs.h"
#include "ipc/farm_auth.h"
#include "ipc/farm_registry.h"
#include "ipc/protocol.h"
#include "common/file_lock.h"
#include "ipc/socket.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/log.h"

namespace foley::server {
namespace {

// How long a new server waits for the cache's server lock before concluding that another one runs. A server
// killed a moment ago holds it a little past its main thread: the lock goes with the file table, which its other
// threads keep until they have exited (the main thread shows as a zombie meanwhile).
constexpr double kLockWaitSeconds = 2.0;

using SteadyClock = std::chrono::steady_clock;
using nlohmann::json;

std::atomic<int> g_stop_signal{0};
void on_stop_signal(int sig) { g_stop_signal.store(sig); }

// State the connection threads share with the accept loop.
struct ServerState {
  ModelServer* server = nullptr;
  const CallHandler* call_handler = nullptr;
  JobRunner* runner = nullptr;
  const ipc::ServerPaths* paths = nullptr;
  std::filesystem::path cache_dir;
  std::string listening_on;  // the socket's path, or host:port on a farm
  std::string farm_secret;   // a farm's server: every connection proves it knows this
  SteadyClock::time_point started = SteadyClock::now();
  std::atomic<int> active{0};
  std::atomic<long long> calls_served{0}, calls_failed{0}, prefetched{0}, prefetch_failed{0};
  std::atomic<double> idle_timeout{600.0};
  std::mutex mu;
  SteadyClock::time_point last_activity = SteadyClock::now();
  std::set<std::shared_ptr<ServerJob>> jobs;

  void touch() {
    std::lock_guard<std::mutex> lock(mu);
    last_activity = SteadyClock::now();
  }
  double idle_seconds() {
    std::lock_guard<std::mutex> lock(mu);
    return std::chrono::duration<double>(SteadyClock::now() - last_activity).count();
  }
  void cancel_all() {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& job : jobs) job->cancel.store(true);
  }
};

// True when the peer has closed its end (a cancelled client).
bool peer_gone(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;
  char buf[256];
  ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

void serve_generate(ServerState& st, int fd, const json& msg, bool& stop_after) {
  auto job = std::make_shared<ServerJob>();
  try {
    if (!msg.contains("request") || !msg.contains("out_path") || !msg["out_path"].is_string())
      throw Error("resident server: a generate request needs \"request\" and \"out_path\"");
    job->request = GenRequest::from_json(msg["request"], "model server request");
    job->resolved = engines::resolve_audioldm2_request(job->request);
    job->out_path = msg["out_path"].get<std::string>();
    if (!job->out_path.is_absolute()) throw Error("resident server: out_path must be absolute");
    if (st.farm_secret.empty() && msg.contains("idle_timeout") && msg["idle_timeout"].is_number() && msg["idle_timeout"].get<double>() >= 0)
      st.idle_timeout.store(msg["idle_timeout"].get<double>());
  } catch (const std::exception& e) {
    ipc::send_all(fd, ipc::protocol_line(ipc::error_message(e)));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.jobs.insert(job);
  }
  bool connected = ipc::send_all(fd, ipc::protocol_line({{"accepted", true}, {"pid", ::getpid()}}));
  // A farm's requests come from another host: its log shows what it took.
  if (!st.farm_secret.empty()) log_info("accepted " + job->request.gen_key);
  st.runner->submit(job);
  json final_message;
  for (;;) {
    std::vector<json> events;
    bool done = job->wait(std::chrono::milliseconds(100), events, final_message);
    for (const auto& e : events)
      if (connected) connected = ipc::send_all(fd, ipc::protocol_line(e));
    if (done) break;
    if (connected && peer_gone(fd)) connected = false;
    if (!connected && !job->cancel.load()) {
      log_info("client of " + job->request.gen_key + " hung up: cancelling");
      job->cancel.store(true);
    }
  }
  if (connected) ipc::send_all(fd, ipc::protocol_line(final_message));
  std::lock_guard<std::mutex> lock(st.mu);
  st.jobs.erase(job);
}

void serve_connection(ServerState& st, int raw_fd) {
  ipc::UniqueFd fd(raw_fd);
  ipc::LineReader reader(fd.get());
  std::string line;
  const bool allowed = st.farm_secret.empty() || authenticate_client(fd.get(), reader, st.farm_secret);
  if (allowed && reader.read_line(line, 10000) == ipc::LineReader::Status::kLine) {
    json msg = json::parse(line, nullptr, false);
    std::string op = msg.is_object() ? msg.value("op", std::string()) : std::string();
    bool stop_after = false;
    if (op == "generate") {
      serve_generate(st, fd.get(), msg, stop_after);
    } else if ((op == "call" || op == "prefetch") && st.call_handler != nullptr && *st.call_handler) {
      // Run to the end even if the client hangs up: a paid answer is kept (a
      // prefetch stops starting new calls then).
      if (ipc::send_all(fd.get(), ipc::protocol_line({{"accepted", true}, {"pid", ::getpid()}}))) {
        // When to start no new request: the server is stopping (so `foley
        // server stop` does not wait for a whole build), or, for a hand-over,
        // its build went away. A call whose client hangs up still runs.
        const int raw = fd.get();
        ModelServer* server = st.server;
        const bool handover = op == "prefetch";
        json reply = (*st.call_handler)(msg, [raw, server, handover] {
          return server->stop_requested() || g_stop_signal.load() != 0 || (handover && peer_gone(raw));
        });
        if (op == "prefetch") {
          st.prefetched.fetch_add(reply.value("prefetched", 0LL));
          st.prefetch_failed.fetch_add(reply.value("failed", 0LL));
        } else {
          (reply.value("exit", 1) == 0 ? st.calls_served : st.calls_failed).fetch_add(1);
        }
        ipc::send_all(fd.get(), ipc::protocol_line({{"done", reply}}));
      }
    } else if (op == "status") {
      json status = st.runner->status();
      status["pid"] = ::getpid();
      status["cache_dir"] = st.cache_dir.string();
      status[st.farm_secret.empty() ? "socket" : "listen"] = st.listening_on;
      status["protocol"] = ipc::kProtocolVersion;
      status["calls_served"] = st.calls_served.load();
      status["calls_failed"] = st.calls_failed.load();
      status["prefetched"] = st.prefetched.load();
      status["prefetch_failed"] = st.prefetch_failed.load();
      status["uptime_seconds"] = std::chrono::duration<double>(SteadyClock::now() - st.started).count();
      status["idle_timeout"] = st.idle_timeout.load();
      status["idle_seconds"] = st.active.load() > 1 ? 0.0 : st.idle_seconds();
      ipc::send_all(fd.get(), ipc::protocol_line({{"status", status}}));
    } else if (op == "stop") {
      ipc::send_all(fd.get(), ipc::protocol_line({{"stopping", true}}));
      st.server->request_stop();
    } else {
      ipc::send_all(fd.get(), ipc::protocol_line({{"error", "resident server: unknown request " + line.substr(0, 200)},
                                        {"kind", "input"}}));
    }
  }
  st.touch();
  st.active.fetch_sub(1);
}

}  // namespace

ModelServer::ModelServer(ModelServerOptions options, engines::GeneratorLoader loader)
    : options_(std::move(options)), loader_(std::move(loader)), paths_(ipc::server_paths(options_.cache_dir)) {}

int ModelServer::run(bool handle_signals) {
  const bool farm = options_.farm.has_value();
  std::optional<FileLock> alive;
  ipc::UniqueFd listener;
  struct stat own {};
  std::string listening_on, farm_secret;
  std::optional<ipc::FarmServer> registered;
  if (farm) {
    farm_secret = ipc::read_farm_secret(options_.cache_dir);
    int port = 0;
    listener = ipc::listen_tcp(options_.farm->bind, options_.farm->port, &port);
    registered = farm_server_identity(*options_.farm, port);
    listening_on = registered->host + ":" + std::to_string(port);
  } else {
    ensure_private_dirs(paths_);
    alive.emplace(FileLock::try_for(paths_.dir / "server.lock", kLockWaitSeconds));
    if (!alive->valid()) {
      log_info("a resident server already runs for " + options_.cache_dir.string());
      return 0;
    }
    // Nobody else holds the lock, so a socket left there is a dead server's.
    ::unlink(paths_.socket.c_str());
    listener = ipc::listen_unix(paths_.socket);
    ::chmod(paths_.socket.c_str(), 0600);
    ::stat(paths_.socket.c_str(), &own);
    write_file_atomic(paths_.pid_file, json({{"pid", ::getpid()}, {"socket", paths_.socket.string()}}).dump() + "\n");
    listening_on = paths_.socket.string();
  }

  struct sigaction old_int {}, old_term {}, old_pipe {};
  if (handle_signals) {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ign, &old_pipe);
  }
  log_info("resident server " + std::to_string(::getpid()) + " listening on " + listening_on +
           (registered ? " (farm server " + registered->id + ", CUDA_VISIBLE_DEVICES=" + registered->gpus + ")" : ""));
  // Registered only once it listens: a client never finds an entry it cannot reach.
  if (registered) ipc::register_farm_server(options_.cache_dir, *registered);

  JobRunner runner(loader_, options_.max_models, options_.batching);
  ServerState st;
  st.server = this;
  st.call_handler = &options_.call_handler;
  st.runner = &runner;
  st.paths = &paths_;
  st.cache_dir = options_.cache_dir;
  st.listening_on = listening_on;
  st.farm_secret = farm_secret;
  st.idle_timeout.store(options_.idle_timeout_seconds);
  // Connection threads with their "finished" flags; finished ones are joined as we go.
  std::list<std::pair<std::thread, std::shared_ptr<std::atomic<bool>>>> threads;
  std::optional<FileLock> start_lock_held;

  // The cache folder this server serves: when it is deleted (or replaced by
  // another folder of the same name), the server has nothing left to serve
  // and would only hold deleted files open.
  struct stat cache_at_start {};
  const bool cache_known = ::stat(options_.cache_dir.c_str(), &cache_at_start) == 0;
  int ticks = 0;
  bool cache_gone = false;

  for (;;) {
    if (stop_.load() || g_stop_signal.load() != 0) break;
    if (cache_known && ++ticks % 10 == 0) {
      struct stat cache_now {};
      if (::stat(options_.cache_dir.c_str(), &cache_now) != 0 || cache_now.st_ino != cache_at_start.st_ino ||
          cache_now.st_dev != cache_at_start.st_dev) {
        log_info("cache folder " + options_.cache_dir.string() + " is gone: exiting");
        cache_gone = true;
        break;
      }
    }
    if (!farm && st.active.load() == 0 && !runner.busy() && st.idle_seconds() >= st.idle_timeout.load()) {
      // Under the start lock, so no client decides to start a server while this one is half gone.
      start_lock_held.emplace(paths_.lock, /*wait=*/false);
      if (start_lock_held->valid()) {
        log_info("idle for " + std::to_string(st.idle_timeout.load()) + " s: exiting");
        break;
      }
      start_lock_held.reset();
    }
    pollfd p{listener.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, 100);
    if (rc > 0 && (p.revents & POLLIN)) {
      int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        st.active.fetch_add(1);
        auto finished = std::make_shared<std::atomic<bool>>(false);
        threads.emplace_back(std::thread([&st, fd, finished] {
                               serve_connection(st, fd);
                               finished->store(true);
                             }),
                             finished);
      }
    }
    for (auto it = threads.begin(); it != threads.end();) {
      if (it->second->load()) {
        it->first.join();
        it = threads.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Stop accepting: the socket (or the registry entry) goes first, so new
  // clients start a new server (or go elsewhere).
  if (registered) {
    ipc::unregister_farm_server(options_.cache_dir, registered->id);
  } else {
    struct stat now;
    if (::stat(paths_.socket.c_str(), &now) == 0 && now.st_ino == own.st_ino && now.st_dev == own.st_dev)
      ::unlink(paths_.socket.c_str());
    ::unlink(paths_.pid_file.c_str());
  }
  listener.reset();
  if (stop_.load() || g_stop_signal.load() != 0 || cache_gone) st.cancel_all();
  alive.reset();
  start_lock_held.reset();
  for (auto& t : threads) t.first.join();
  if (handle_signals) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGPIPE, &old_pipe, nullptr);
  }
  log_info("resident server " + std::to_string(::getpid()) + " stopped");
  return 0;
}

BatchingOptions batching_from_environment(BatchingOptions o) {
  auto number = [](const char* name) -> std::optional<double> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(v, &end);
    if (end == v || *end != '\0' || !std::isfinite(d) || d < 0) {
      log_warning(std::string("ignoring ") + name + "=" + v + ": not a number >= 0");
      return std::nullopt;
    }
    return d;
  };
  if (auto v = number("FOLEY_SERVER_MAX_BATCH"); v && *v >= 1) o.max_batch = static_cast<int>(std::min(*v, 256.0));
  if (auto v = number("FOLEY_SERVER_BATCH_WINDOW")) o.batch_window_seconds = std::min(*v, 10.0);
  if (auto v = number("FOLEY_SERVER_MEMORY_BUDGET")) o.memory_budget_bytes = static_cast<int64_t>(*v * 1024 * 1024);
  return o;
}

int run_model_server(const std::filesystem::path& cache_dir, double idle_timeout_seconds,
                     std::optional<FarmListen> farm) {
  ModelServerOptions options;
  // A farm's server runs on a compute node, which never holds the API key.
  if (!farm) options.call_handler = serve_api_call;
  options.farm = std::move(farm);
  options.batching = batching_from_environment();
  options.cache_dir = std::filesystem::absolute(cache_dir);
  options.idle_timeout_seconds = idle_timeout_seconds;
  ModelServer server(options, engines::pipeline_generator_loader());
  return server.run();
}

}  // namespace foley::server
