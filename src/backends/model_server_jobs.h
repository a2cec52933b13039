#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/audioldm2_generator.h"
#include "common/request_spec.h"

namespace foley::backends {

// One generate request inside the server: the connection thread that owns the
// client waits on it; the runner fills in events and the final message.
struct ServerJob {
  GenRequest request;
  GenerationParams params;
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

// Runs jobs one at a time on a worker thread, FIFO, keeping up to
// `max_models` loaded generators (least recently used evicted).
//
// Batching: jobs wait in a queue rather than running on their connection's
// thread, so a later version can take every queued job with the same batch
// key (model key, steps, scheduler, guidance, duration) and run them as one
// UNet batch; nothing outside this class would change.
class JobRunner {
 public:
  explicit JobRunner(GeneratorLoader loader, size_t max_models = 2);
  ~JobRunner();  // finishes the running job, fails queued ones, joins
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void submit(std::shared_ptr<ServerJob> job);

  // True while a job is queued or running.
  bool busy() const;

  // {"queued":N,"running":bool,"served":N,"failed":N,"models":[...]}.
  nlohmann::json status() const;

 private:
  void loop();
  void run(ServerJob& job);
  std::shared_ptr<Generator> model_for(const ModelKey& key);

  GeneratorLoader loader_;
  size_t max_models_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<ServerJob>> queue_;
  bool running_ = false;
  bool stopping_ = false;
  long long served_ = 0;
  long long failed_ = 0;
  std::list<std::pair<ModelKey, std::shared_ptr<Generator>>> models_;  // most recently used first
  std::thread worker_;
};

}  // namespace foley::backends
