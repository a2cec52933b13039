#include "server/jobs.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engines/audioldm2/audioldm2_run.h"
#include "ipc/protocol.h"
#include "common/log.h"

namespace foley::server {

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

namespace {

using SteadyClock = std::chrono::steady_clock;

bool same_model(const engines::ModelKey& a, const engines::ModelKey& b) {
  return a.model_dir == b.model_dir && a.fingerprint == b.fingerprint && a.device == b.device && a.threads == b.threads;
}

// The batching options for a batch `request` starts: the server's, with the
// request's settings (max_batch, batch_window, memory_budget in MiB) on top.
BatchingOptions batching_for(const GenRequest& request, BatchingOptions o) {
  if (!request.settings.is_object()) return o;
  const auto& s = request.settings;
  if (auto it = s.find("max_batch"); it != s.end() && it->is_number_integer() && it->get<long long>() >= 1)
    o.max_batch = static_cast<int>(std::min<long long>(it->get<long long>(), 256));
  if (auto it = s.find("batch_window"); it != s.end() && it->is_number() && it->get<double>() >= 0)
    o.batch_window_seconds = std::min(it->get<double>(), 10.0);
  if (auto it = s.find("memory_budget"); it != s.end() && it->is_number() && it->get<double>() >= 0)
    o.memory_budget_bytes = static_cast<int64_t>(it->get<double>() * 1024.0 * 1024.0);
  return o;
}

std::string mib_text(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

JobRunner::JobRunner(engines::GeneratorLoader loader, size_t max_models, BatchingOptions batching)
    : loader_(std::move(loader)),
      max_models_(max_models == 0 ? 1 : max_models),
      batching_(batching),
      worker_([this] { loop(); }) {}

JobRunner::~JobRunner() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  worker_.join();
  for (auto& job : queue_) job->finish({{"error", "the resident server is shutting down"}, {"kind", "failure"}});
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
  nlohmann::json sizes = nlohmann::json::object();
  int largest = 0;
  for (const auto& [size, count] : batch_sizes_) {
    sizes[std::to_string(size)] = count;
    largest = std::max(largest, size);
  }
  return {{"queued", queue_.size()},
          {"running", running_},
          {"served", served_},
          {"failed", failed_},
          {"models", models},
          {"batching",
           {{"max_batch", batching_.max_batch},
            {"batch_window", batching_.batch_window_seconds},
            {"memory_budget_mib", static_cast<double>(batching_.memory_budget_bytes) / (1024.0 * 1024.0)}}},
          {"batches", {{"count", batches_}, {"largest", largest}, {"sizes", sizes}}},
          {"memory",
           {{"kind", "peak_rss"},
            {"baseline_mib", static_cast<double>(memory_.baseline()) / (1024.0 * 1024.0)},
            {"shapes", memory_.to_json()}}}};
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
    run_batch(std::move(job));
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }
}

std::shared_ptr<engines::Generator> JobRunner::model_for(const engines::ModelKey& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = models_.begin(); it != models_.end(); ++it) {
      if (same_model(it->first, key)) {
        models_.splice(models_.begin(), models_, it);
        return models_.front().second;
      }
    }
    // Evict before loading: two full-size models rarely fit next to a third.
    while (models_.size() >= max_models_) models_.pop_back();
  }
  auto start = SteadyClock::now();
  std::shared_ptr<engines::Generator> gen = loader_(key);
  log_info("loaded " + key.str() + " in " +
           std::to_string(std::chrono::duration<double>(SteadyClock::now() - start).count()) + " s");
  std::lock_guard<std::mutex> lock(mu_);
  models_.emplace_front(key, gen);
  memory_.set_baseline(current_rss_bytes());
  return gen;
}

void JobRunner::take_compatible(std::unique_lock<std::mutex>&, std::vector<std::shared_ptr<ServerJob>>& batch,
                                const engines::ModelKey& model, const std::string& key, const engines::Generator& gen, size_t limit) {
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < limit;) {
    bool joins = false;
    if (same_model((*it)->resolved.model, model)) {
      try {
        joins = gen.batch_key((*it)->resolved.params) == key;
      } catch (const std::exception&) {
        joins = false;  // it fails on its own turn, with its own message
      }
    }
    if (joins) {
      batch.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

void JobRunner::run_batch(std::shared_ptr<ServerJob> first) {
  std::vector<std::shared_ptr<ServerJob>> batch{first};
  std::shared_ptr<engines::Generator> gen;
  std::string key;
  try {
    if (first->cancel.load()) throw GenerationCancelled();
    gen = model_for(first->resolved.model);
    key = gen->batch_key(first->resolved.params);
  } catch (const std::exception& e) {
    log_warning(first->request.gen_key + ": " + e.what());
    {
      std::lock_guard<std::mutex> lock(mu_);
      failed_++;
    }
    first->finish(ipc::error_message(e));
    return;
  }
  const engines::ModelKey model = first->resolved.model;
  const BatchingOptions options = batching_for(first->request, batching_);
  {
    std::unique_lock<std::mutex> lock(mu_);
    const size_t limit =
        static_cast<size_t>(memory_.batch_limit(key, options.max_batch, options.memory_budget_bytes));
    take_compatible(lock, batch, model, key, *gen, limit);
    if (options.batch_window_seconds > 0 && batch.size() < limit) {
      // Requests that arrive together (ninja starting several clients) come
      // a few milliseconds apart: give them a moment to join.
      auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                         std::chrono::duration<double>(options.batch_window_seconds));
      while (batch.size() < limit && !stopping_) {
        size_t queued = queue_.size();
        if (!cv_.wait_until(lock, deadline, [&] { return stopping_ || queue_.size() > queued; })) break;
        take_compatible(lock, batch, model, key, *gen, limit);
      }
    }
  }

  std::vector<engines::AudioLdm2Run> runs;
  runs.reserve(batch.size());
  for (auto& job : batch) {
    ServerJob* j = job.get();
    engines::AudioLdm2Run r;
    r.request = &j->resolved;
    r.out_path = j->out_path;
    r.cancel = &j->cancel;
    r.progress = [j](double fraction, const std::string& what) { j->push({{"progress", fraction}, {"what", what}}); };
    r.on_temp = [j](const std::filesystem::path& temp) { j->push({{"temp", temp.string()}}); };
    runs.push_back(std::move(r));
  }
  reset_peak_rss();
  auto start = SteadyClock::now();
  std::vector<engines::AudioLdm2RunOutcome> outcomes;
  try {
    outcomes = engines::run_audioldm2(*gen, runs);
  } catch (const std::exception& e) {  // the batch as a whole failed (e.g. out of memory)
    outcomes.assign(runs.size(), {});
    for (auto& o : outcomes) o.error = std::make_exception_ptr(Error::failure(e.what()));
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const int64_t peak = peak_rss_bytes();

  // Counters first, then the answers: a client that has its answer finds it
  // counted in the server's status.
  int served = 0, failed = 0;
  std::vector<nlohmann::json> finals(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    ServerJob& job = *batch[i];
    nlohmann::json& final_message = finals[i];
    try {
      if (outcomes[i].error) std::rethrow_exception(outcomes[i].error);
      final_message = {{"result", ipc::result_to_json(outcomes[i].result)}};
      log_info("generated " + job.request.gen_key + " (" + std::to_string(outcomes[i].result.generation_seconds) +
               " s, batch of " + std::to_string(batch.size()) + ")");
      served++;
    } catch (const std::exception& e) {
      final_message = ipc::error_message(e);
      log_warning(job.request.gen_key + ": " + e.what());
      failed++;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    served_ += served;
    failed_ += failed;
    batches_++;
    batch_sizes_[static_cast<int>(batch.size())]++;
    if (peak > 0) memory_.record(key, static_cast<int>(batch.size()), peak);
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i]->finish(std::move(finals[i]));
  log_info("batch of " + std::to_string(batch.size()) + " [" + key + "] in " + std::to_string(seconds) +
           " s; peak RSS " + mib_text(peak) + " (" + mib_text(std::max<int64_t>(0, peak - memory_.baseline())) +
           " above the loaded model)");
}

}  // namespace foley::server
