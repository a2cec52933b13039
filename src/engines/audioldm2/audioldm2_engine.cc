#include "engines/audioldm2/audioldm2_engine.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "engines/audioldm2/audioldm2_progress.h"
#include "engines/audioldm2/audioldm2_run.h"
#include "engines/audioldm2/audioldm2_signals.h"
#include "ipc/connect.h"
#include "ipc/launcher.h"
#include "common/file_lock.h"
#include "common/log.h"

namespace foley::engines {
namespace {

double idle_timeout_of(const GenRequest& r) {
  if (r.settings.is_object()) {
    auto it = r.settings.find("idle_timeout");
    if (it != r.settings.end() && it->is_number() && it->get<double>() >= 0) return it->get<double>();
  }
  return 600.0;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

}  // namespace

AudioLdm2EngineOptions AudioLdm2EngineOptions::defaults() {
  AudioLdm2EngineOptions o;
  o.use_server = !ipc::server_disabled(ipc::ServerUse::kModels);
  o.interactive_progress = stderr_is_terminal();
  return o;
}

AudioLdm2Engine::AudioLdm2Engine(AudioLdm2EngineOptions options) : options_(std::move(options)) {
  if (!options_.loader) options_.loader = pipeline_generator_loader();
}

void AudioLdm2Engine::validate(const GenRequest& request) const { resolve_audioldm2_request(request); }

GenerationResult AudioLdm2Engine::generate_in_process(const AudioLdm2Request& request,
                                                      const std::filesystem::path& out_path,
                                                      const ProgressFn& progress, const CancelFlag& cancel) {
  const ModelKey& key = request.model;
  if (!loaded_ || !loaded_key_ || key < *loaded_key_ || *loaded_key_ < key) {
    loaded_.reset();
    loaded_ = options_.loader(key);
    loaded_key_ = std::make_unique<ModelKey>(key);
  }
  AudioLdm2Run run{&request, out_path, progress, &cancel, {}};
  AudioLdm2RunOutcome outcome = std::move(run_audioldm2(*loaded_, {run}).front());
  if (outcome.error) std::rethrow_exception(outcome.error);
  return outcome.result;
}

GenerationResult AudioLdm2Engine::generate(const GenRequest& request, const std::filesystem::path& out_path,
                                           const ProgressFn& progress) {
  const AudioLdm2Request resolved = resolve_audioldm2_request(request);
  const models::GenerationParams& params = resolved.params;
  const std::string cues = audioldm2_cues_of(request);
  CancelFlag cancel{false};
  std::optional<ScopedSignalCancel> signals;
  if (options_.handle_signals) signals.emplace(cancel);

  ProgressFn terminal = terminal_progress("audioldm2 " + cues, options_.interactive_progress);
  ProgressFn show = [&](double fraction, const std::string& what) {
    if (progress) progress(fraction, what);
    if (terminal) terminal(fraction, what);
  };

  try {
    if (options_.use_server && !request.cache_dir.empty()) {
      ipc::ModelServerClientOptions client_options;
      client_options.cache_dir = request.cache_dir;
      client_options.idle_timeout_seconds = idle_timeout_of(request);
      client_options.start_timeout_seconds = options_.start_timeout_seconds;
      client_options.launch = options_.launch;
      if (!client_options.launch) {
        double idle = client_options.idle_timeout_seconds;
        client_options.launch = [idle, cache = request.cache_dir](const ipc::ServerPaths& paths) {
          ipc::spawn_detached(ipc::default_server_command(cache, idle), paths.log);
        };
      }
      ipc::ModelServerClient client(client_options);
      ipc::ServerAttempt attempt = client.generate(request, out_path, show, cancel);
      if (attempt.outcome == ipc::ServerAttempt::Outcome::kDone) {
        log_verbose("audioldm2: " + cues + ": " + std::to_string(params.steps) + " steps " + params.scheduler +
                    " on " + resolved.model.device + " in " + seconds_text(attempt.result.generation_seconds) +
                    " (resident server pid " + std::to_string(attempt.server_pid) + ")");
        return attempt.result;
      }
      log_warning("audioldm2: " + attempt.reason + "; generating " + cues + " in-process");
    }
    // In-process generations of one cache run one at a time: the gpu pool lets
    // ninja start max_batch clients, and each would load its own copy of the
    // model (gigabytes for a full-size one) without the server.
    std::optional<FileLock> one_at_a_time;
    if (!request.cache_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(request.cache_dir, ec);
      const std::filesystem::path lock_path = request.cache_dir / "in-process.lock";
      one_at_a_time.emplace(FileLock::try_for(lock_path, 0.2));
      while (!one_at_a_time->valid()) {
        if (cancel.load()) throw GenerationCancelled();
        one_at_a_time.emplace(FileLock::try_for(lock_path, 0.2));
      }
    }
    GenerationResult r = generate_in_process(resolved, out_path, show, cancel);
    log_verbose("audioldm2: " + cues + ": " + std::to_string(params.steps) + " steps " + params.scheduler + " on " +
                resolved.model.device + " in " + seconds_text(r.generation_seconds) + " (in-process)");
    return r;
  } catch (const GenerationCancelled&) {
    if (terminal) terminal(1.0, "done");
    if (signals && signals->signal() != 0) {
      log_warning("audioldm2: " + cues + ": interrupted; nothing was written");
      signals->restore_and_reraise();
    }
    throw;
  } catch (...) {
    if (terminal) terminal(1.0, "done");
    throw;
  }
}

void AudioLdm2Engine::close() {
  loaded_.reset();
  loaded_key_.reset();
}

}  // namespace foley::engines
