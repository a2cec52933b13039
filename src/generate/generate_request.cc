#include "generate/generate_request.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cache/kept_answers.h"
#include "cache/pending_record.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/log.h"
#include "common/prompt_text.h"
#include "engines/catalog.h"
#include "engines/registry.h"
#include "generate/object_record.h"
#include "generate/team_cache.h"
#include "request/canonical_key.h"
#include "request/request_spec.h"

namespace foley::generate {
namespace fs = std::filesystem;

namespace {

std::string cue_list(const GenRequest& r) {
  std::string s;
  for (const auto& c : r.cues) s += (s.empty() ? "" : ",") + c;
  return s;
}

// Removes <dir>/.tmp-XXXXXX.<object name> files (TempFile's names) of one object.
void sweep_orphaned_temps(const fs::path& object) {
  const std::string suffix = "." + object.filename().string();
  std::error_code ec;
  for (fs::directory_iterator it(object.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_temp_name(name) && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::error_code rm;
      if (fs::remove(it->path(), rm)) log_verbose("removed " + it->path().string() + ", left by a killed writer");
    }
  }
}

std::string credits_text(const cache::ObjectRecord& call) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f credits%s", call.credits,
                call.credits_estimated ? " (estimated: the answer had no character-cost)" : "");
  return text;
}

std::string request_name(const GenRequest& r) {
  return (r.cues.size() == 1 ? "cue " : "cues ") + cue_list(r) + " (gen key " + r.gen_key + ")";
}

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where and when a farm node runs a generation: its host, the GPUs the
// scheduler gave the step, the start time (the end is added when it ends).
nlohmann::json where_now() {
  char host[256] = "";
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  const char* devices = std::getenv("CUDA_VISIBLE_DEVICES");
  const char* step = std::getenv("SLURM_STEP_ID");
  const char* job = std::getenv("SLURM_JOB_ID");
  nlohmann::json w = {{"host", host}, {"cuda_visible_devices", devices ? devices : ""}, {"started_at", unix_ms()}};
  if (job && step) w["slurm_step"] = std::string(job) + "." + step;
  return w;
}

constexpr const char* kRetryHint =
    "`foley build --retry-unusable` (or FOLEY_RETRY_UNUSABLE=1 for ninja) pays for one more request";

}  // namespace

namespace {

// generate_request's work once the key's lock is held.
std::string generate_locked(const GenRequest& req, const std::string& origin, const GenerateContext& ctx) {
  // Holding the key's lock, no live process writes this object: temp files of
  // it are a killed writer's (foley-gen or the resident server, kill -9).
  sweep_orphaned_temps(req.object_path);
  if (ctx.take_prefetched)
    if (std::optional<std::string> line = ctx.take_prefetched()) return *line;
  // The index is opened only when needed, after the paid call: nothing slow
  // stands between a generate edge starting and its request leaving.
  std::unique_ptr<cache::Index> own_index;
  const bool farm_node = !ctx.pending_dir.empty();
  auto index = [&]() -> cache::Index& {
    if (farm_node) throw Error::failure(origin + ": a farm node does not open the index (its host keeps it)");
    if (ctx.index) return *ctx.index;
    if (!own_index) own_index = std::make_unique<cache::Index>(req.cache_dir);
    return *own_index;
  };

  std::error_code ec;
  if (fs::exists(req.object_path, ec)) {
    if (!ctx.record_hit) return "";
    if (farm_node) {
      cache::PendingRecord present{cache::PendingRecord::Kind::kPresent, object_record_for(req), "", where_now()};
      cache::write_pending_record(cache::pending_record_path(ctx.pending_dir, req.gen_key), present);
      return "foley-gen: " + cue_list(req) + " already cached (" + req.gen_key + ")\n";
    }
    if (!index().find_object(req.gen_key)) {
      // Present on disk but unknown to the index (index lost): adopt it.
      index().record_object(object_record_for(req), 0);
    }
    // `foley build` counted this hit before ninja ran (it knows which cues it
    // renders); only a bare ninja run (no build id) counts it here. Such an edge
    // runs on a present object when its link in the project is new or removed.
    if (ctx.build_id == 0) index().record_hit(req.gen_key, 0);
    return "foley-gen: " + cue_list(req) + " already cached (" + req.gen_key + ")\n";
  }

  // The manifest's prompt rule again, before anything is spent: a hand-made
  // or stale spec is held to it too.
  if (auto it = req.key_fields.find("prompt"); it != req.key_fields.end() && it->is_string()) {
    std::string problem = prompt_problem(it->get<std::string>(), engines::engine_row(req.engine).max_prompt_chars);
    if (!problem.empty()) throw Error(origin + ": prompt " + problem);
  }
  // What a teammate or a CI runner generated (or paid for) is not generated again.
  if (ctx.remote && fetch_from_team_cache(req, *ctx.remote, index(), ctx.build_id)) {
    std::string line = "foley-gen: " + cue_list(req) + " fetched from the team cache (" + req.gen_key + ")\n";
    if (ctx.on_generated) ctx.on_generated(line);
    return line;
  }
  // A paid answer that came back unusable is not paid for again unasked.
  if (!ctx.retry_unusable) {
    std::vector<cache::KeptAnswer> kept = cache::kept_answers(req.cache_dir, req.gen_key);
    if (!kept.empty()) {
      const cache::KeptAnswer& last = kept.back();
      std::string paid = credits_text(last.call);
      if (kept.size() > 1) {
        double total = 0;
        for (const auto& k : kept) total += k.call.credits;
        char all[96];
        std::snprintf(all, sizeof all, "; %zu such answers, %.0f credits in all", kept.size(), total);
        paid += all;
      }
      throw Error::failure(origin + ": " + request_name(req) + ": not requested again: an earlier answer was paid (" +
                           paid + (last.call.request_id.empty() ? "" : ", request-id " + last.call.request_id) +
                           ") but unusable (" + last.reason + "); its bytes are kept in " + last.bytes_path.string() +
                           "; " + kRetryHint);
    }
  }
  auto engine = ctx.make_engine ? ctx.make_engine(req.engine) : engines::make_engine(req.engine);
  engine->validate(req);
  GenerationResult result;
  nlohmann::json where = farm_node ? where_now() : nlohmann::json();
  cache::FarmRunningMarker running(farm_node ? fs::path(cache::kFarmRunningDir) / (req.gen_key + ".json") : fs::path(),
                        {{"cues", req.cues}, {"gen_key", req.gen_key}, {"profile", req.profile}, {"where", where}});
  try {
    result = engine->generate(req, req.object_path, ctx.progress);
  } catch (const UnusableAnswer& bad) {
    engine->close();
    cache::ObjectRecord call;
    call.gen_key = req.gen_key;
    call.engine = req.engine;
    call.profile = req.profile;
    call.ext = req.ext;
    call.request = req.key_fields;
    call.generation_seconds = bad.result.generation_seconds;
    call.credits = bad.result.credits;
    call.credits_estimated = bad.result.credits_estimated;
    call.request_id = bad.result.request_id;
    call.attempts = bad.result.attempts;
    call.paid = bad.result.paid;
    call.details = bad.result.details.is_null() ? nlohmann::json::object() : bad.result.details;
    cache::KeptAnswer kept = cache::keep_unusable_answer(req.cache_dir, call, bad.bytes, bad.reason);
    index().record_unusable_answer(kept.call, bad.reason, kept.bytes_path.string(), ctx.build_id);
    throw Error::failure(std::string(bad.what()) + ". It was paid (" + credits_text(kept.call) +
                         "), recorded in the ledger, and its bytes are kept in " + kept.bytes_path.string() +
                         "; this key is not requested again unless asked: " + kRetryHint);
  }
  engine->close();

  cache::ObjectRecord rec = generated_object_record(req, result);
  if (!farm_node) {
    index().record_object(rec, ctx.build_id);
    if (ctx.remote) upload_to_team_cache(req, *ctx.remote, index());
  }

  char credits[64] = "";
  if (result.paid)
    std::snprintf(credits, sizeof credits, ", %.0f credits%s", result.credits,
                  result.credits_estimated ? " (estimated)" : "");
  char line[512];
  std::snprintf(line, sizeof line, " with %s in %.2f s (%.2f s of audio%s) -> %s\n", req.profile.c_str(),
                result.generation_seconds, result.duration_seconds, credits,
                req.object_path.filename().string().c_str());
  std::string summary = "foley-gen: generated " + cue_list(req) + line;
  if (farm_node) {
    where["finished_at"] = unix_ms();
    summary.pop_back();
    summary += " on " + where.value("host", std::string("?")) + " (CUDA_VISIBLE_DEVICES=" +
               where.value("cuda_visible_devices", std::string()) + ")\n";
    cache::write_pending_record(cache::pending_record_path(ctx.pending_dir, req.gen_key),
                                {cache::PendingRecord::Kind::kGenerated, rec, summary, where});
  }
  if (ctx.on_generated) ctx.on_generated(summary);
  return summary;
}

}  // namespace

std::string generate_request(const GenRequest& req, const std::string& origin, const GenerateContext& ctx) {
  // The spec must describe exactly the object it names.
  std::string key = compute_key("gen", req.key_fields);
  if (key != req.gen_key)
    throw Error(origin + ": gen_key " + req.gen_key + " does not match its fields (" + key +
                "); re-run `foley plan`");
  if (req.object_path != cache_object_path(req.cache_dir, req.gen_key, req.ext))
    throw Error(origin + ": object_path is not where the cache keeps " + req.gen_key);

  // Serialises generations of one key across processes (two ninja runs at
  // once): the second waits, then finds the object and does nothing.
  const fs::path lock_path = req.cache_dir / "locks" / (req.gen_key + ".lock");
  fs::create_directories(lock_path.parent_path());
  FileLock lock(lock_path, /*wait=*/true);
  if (!lock.valid()) throw Error::failure("cannot lock " + lock_path.string());
  try {
    return generate_locked(req, origin, ctx);
  } catch (const std::exception& e) {
    // Still holding the key's lock: whoever waits on it sees the failure recorded.
    if (ctx.on_failed) ctx.on_failed(e);
    throw;
  }
}

}  // namespace foley::generate
