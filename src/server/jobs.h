#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/audioldm2/audioldm2_generator.h"
#include "server/memory_ledger.h"
#include "request/request_spec.h"
#include "request/result.h"

namespace foley::server {

// One generate request inside the server: the connection thread that owns the
// client waits on it; the runner fills in events and the final message.
struct ServerJob {
  GenRequest request;
  engines::AudioLdm2Request resolved;
  std::filesystem::path out_path;
  CancelFlag cancel{false};  // set when the client hangs up

  // Queues a message ({"temp"}, {"progress"}) for the client.
  void push(nlohmann::json event);
  // Records the final message ({"result"} or {"error"}); wakes the waiter.
  void finish(nlohmann::json final_message);
  // Waits up to `timeout` for events or the end; moves queued events into
  // `out` and returns true once the final message is available in `final_message`.
  bool wait(std::chrono::milliseconds timeout, std::vector<nlohmann::json>& out, nlohmann::json& final_message);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<nlohmann::json> events_;
  bool done_ = false;
  nlohmann::json final_;
};

// How the runner groups queued jobs into one batch. A request's settings
// `max_batch`, `batch_window` (seconds) and `memory_budget` (MiB) override
// these for the batch it starts.
struct BatchingOptions {
  int max_batch = 8;                  // requests per batch (1 = no batching)
  double batch_window_seconds = 0.0;  // after taking the compatible queued jobs, wait this long for more
  int64_t memory_budget_bytes = 0;    // 0 = no budget; else batches stay within it (MemoryLedger)
};

// Runs jobs on one worker thread, keeping up to `max_models` loaded
// generators (least recently used evicted).
//
// Batching: the worker takes the oldest queued job, loads its model, then
// takes every other queued job with the same model key and the same
// Generator::batch_key (steps, scheduler, latent length), oldest first, up to
// the batch limit (max_batch, and the memory budget by what this shape took
// before), optionally waiting batch_window for more to arrive, and runs them
// through one engines::run_audioldm2 call. Jobs that cannot join stay
// queued in order. Each job still gets its own file, progress, result and
// cancellation.
class JobRunner {
 public:
  explicit JobRunner(engines::GeneratorLoader loader, size_t max_models = 2, BatchingOptions batching = {});
  ~JobRunner();  // finishes the running batch, fails queued jobs, joins
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void submit(std::shared_ptr<ServerJob> job);

  // True while a job is queued or running.
  bool busy() const;

  // {"queued":N,"running":bool,"served":N,"failed":N,"models":[...],
  //  "batching":{"max_batch":..,"batch_window":..,"memory_budget_mib":..},
  //  "batches":{"count":N,"largest":N,"sizes":{"1":N,...}},
  //  "memory":{"kind":"peak_rss","baseline_mib":..,"shapes":[MemoryLedger rows]}}.
  nlohmann::json status() const;

 private:
  void loop();
  void run_batch(std::shared_ptr<ServerJob> first);
  // Moves compatible queued jobs into `batch` (caller holds mu_ through `lock`).
  void take_compatible(std::unique_lock<std::mutex>& lock, std::vector<std::shared_ptr<ServerJob>>& batch,
                       const engines::ModelKey& model, const std::string& key, const engines::Generator& gen, size_t limit);
  std::shared_ptr<engines::Generator> model_for(const engines::ModelKey& key);

  engines::GeneratorLoader loader_;
  size_t max_models_;
  BatchingOptions batching_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<ServerJob>> queue_;
  bool running_ = false;
  bool stopping_ = false;
  long long served_ = 0;
  long long failed_ = 0;
  long long batches_ = 0;
  std::map<int, long long> batch_sizes_;  // batch size -> batches of that size
  MemoryLedger memory_;
  std::list<std::pair<engines::ModelKey, std::shared_ptr<engines::Generator>>> models_;  // most recently used first
  std::thread worker_;
};

}  // namespace foley::server
