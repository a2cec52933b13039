#include "backends/model_server_jobs.h"

#include <chrono>

#include "backends/audioldm2_run.h"
#include "backends/model_server_protocol.h"
#include "common/log.h"

namespace foley::backends {

void ServerJob::push(nlohmann::json event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(event));
  cv_.notify_all();
}

void ServerJob::finish(nlohmann::json final_message) {
  std::lock_guard<std::mutex> lock(mu_);
  final_ = std::move(final_message);
  done_ = true;
  cv_.notify_all();
}

bool ServerJob::wait(std::chrono::milliseconds timeout, std::vector<nlohmann::json>& out,
                     nlohmann::json& final_message) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return done_ || !events_.empty(); });
  while (!events_.empty()) {
    out.push_back(std::move(events_.front()));
    events_.pop_front();
  }
  if (done_) final_message = final_;
  return done_;
}

JobRunner::JobRunner(GeneratorLoader loader, size_t max_models)
    : loader_(std::move(loader)), max_models_(max_models == 0 ? 1 : max_models), worker_([this] { loop(); }) {}

JobRunner::~JobRunner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  worker_.join();
  for (auto& job : queue_) job->finish({{"error", "model server is shutting down"}, {"kind", "failure"}});
}

void JobRunner::submit(std::shared_ptr<ServerJob> job) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(job));
  cv_.notify_all();
}

bool JobRunner::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_ || !queue_.empty();
}

nlohmann::json JobRunner::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [key, gen] : models_)
    models.push_back({{"model", key.model_dir.string()}, {"fingerprint", key.fingerprint}, {"device", key.device}});
  return {{"queued", queue_.size()}, {"running", running_}, {"served", served_}, {"failed", failed_},
          {"models", models}};
}

void JobRunner::loop() {
  for (;;) {
    std::shared_ptr<ServerJob> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_ = true;
    }
    run(*job);
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }
}

std::shared_ptr<Generator> JobRunner::model_for(const ModelKey& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = models_.begin(); it != models_.end(); ++it) {
      if (it->first.model_dir == key.model_dir && it->first.fingerprint == key.fingerprint &&
          it->first.device == key.device && it->first.threads == key.threads) {
        models_.splice(models_.begin(), models_, it);
        return models_.front().second;
      }
    }
    // Evict before loading: two full-size models rarely fit next to a third.
    while (models_.size() >= max_models_) models_.pop_back();
  }
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<Generator> gen = loader_(key);
  log_info("loaded " + key.str() + " in " +
           std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) + " s");
  std::lock_guard<std::mutex> lock(mu_);
  models_.emplace_front(key, gen);
  return gen;
}

void JobRunner::run(ServerJob& job) {
  nlohmann::json final_message;
  try {
    if (job.cancel.load()) throw GenerationCancelled();
    std::shared_ptr<Generator> gen = model_for(model_key_of(job.params));
    ProgressFn progress = [&job](double fraction, const std::string& what) {
      job.push({{"progress", fraction}, {"what", what}});
    };
    GenerationResult r = run_audioldm2_generation(*gen, job.params, job.out_path, progress, job.cancel,
                                                  [&job](const std::filesystem::path& temp) {
                                                    job.push({{"temp", temp.string()}});
                                                  });
    final_message = {{"result", result_to_json(r)}};
    log_info("generated " + job.request.gen_key + " (" + std::to_string(r.generation_seconds) + " s)");
    std::lock_guard<std::mutex> lock(mu_);
    served_++;
  } catch (const std::exception& e) {
    final_message = error_message(e);
    log_warning(job.request.gen_key + ": " + e.what());
    std::lock_guard<std::mutex> lock(mu_);
    failed_++;
  }
  job.finish(std::move(final_message));
}

}  // namespace foley::backends
