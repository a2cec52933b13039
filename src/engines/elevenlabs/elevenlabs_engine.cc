#include "engines/elevenlabs/elevenlabs_engine.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>

#include "audio/audio_reader.h"
#include "engines/elevenlabs/api_error.h"
#include "engines/elevenlabs/elevenlabs_format.h"
#include "engines/elevenlabs/elevenlabs_request.h"
#include "engines/elevenlabs/elevenlabs_settings.h"
#include "common/http_client.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/log.h"

namespace foley::engines {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Belt and braces: a server that echoes the key must not get it into a message.
std::string scrub(std::string text, const std::string& key) {
  if (key.empty()) return text;
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) text.replace(at, key.size(), "<api key>");
  return text;
}

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string request_id_of(const HttpResponseHead& head) {
  std::string id = head.header("request-id");
  return id.empty() ? head.header("x-request-id") : id;
}

// "HTTP 422 invalid_parameters: <message> (param duration_seconds; request-id abc)"
std::string describe_http_error(int status, const ElevenLabsApiError& e, const std::string& request_id) {
  std::string out = "HTTP " + std::to_string(status);
  if (!e.code.empty()) out += " " + e.code;
  out += ": " + (e.message.empty() ? std::string("(no message)") : e.message);
  std::string extra;
  if (!e.param.empty()) extra = "param " + e.param;
  if (!request_id.empty()) extra += (extra.empty() ? "" : "; ") + std::string("request-id ") + request_id;
  if (!extra.empty()) out += " (" + extra + ")";
  return out;
}

// What a decoder said about an answer, without the temp file's name (a path
// that no longer exists once the message is read) and without libsndfile's
// "File does not exist or is not a regular file", which it reports for bytes
// in no format it knows.
std::string decoder_complaint(std::string what, const std::string& temp_path) {
  if (size_t at = what.find(temp_path); at != std::string::npos) {
    size_t end = at + temp_path.size();
    if (what.compare(end, 2, ": ") == 0) end += 2;
    what.erase(0, end);
  }
  if (what.find("does not exist") != std::string::npos || what.find("not a regular file") != std::string::npos)
    return "no audio format libsndfile or libmpg123 reads";
  return what;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

ElevenLabsEngine::ElevenLabsEngine(ElevenLabsDeps deps)
    : sleeper_(deps.sleeper ? deps.sleeper : &real_sleeper()),
      clock_(deps.clock ? deps.clock : &real_clock()),
      random_(deps.random ? std::move(deps.random) : real_uniform_random()),
      caller_env_key_(std::move(deps.caller_env_key)),
      before_request_(std::move(deps.before_request)),
      after_request_(std::move(deps.after_request)) {}

void ElevenLabsEngine::validate(const GenRequest& request) const {
  const std::string ctx = elevenlabs_request_context(request);
  ElevenLabsCall call = parse_elevenlabs_call(request);
  ElevenLabsSettings settings = parse_elevenlabs_settings(request.settings, ctx);
  warn_elevenlabs_tier(call, settings.tier, ctx);
}

GenerationResult ElevenLabsEngine::generate(const GenRequest& request, const std::filesystem::path& out_path,
                                            const ProgressFn& progress) {
  const std::string ctx = elevenlabs_request_context(request);
  const ElevenLabsCall call = parse_elevenlabs_call(request);
  const ElevenLabsSettings settings = parse_elevenlabs_settings(request.settings, ctx);
  warn_elevenlabs_tier(call, settings.tier, ctx);
  const std::string key = resolve_elevenlabs_api_key(settings, request.profile, caller_env_key_);
  const HttpRequest http = elevenlabs_http_request(call, settings, key);
  const RetryPolicy& policy = settings.retry;
  auto report = [&](double f, const std::string& what) {
    if (progress) progress(f, what);
  };

  TempFile tmp(out_path);
  GenerationResult result;
  result.paid = true;
  nlohmann::json history = nlohmann::json::array();
  std::string last_failure;

  for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    if (attempt > 1) tmp.truncate();
    report(0.0, "ElevenLabs request, attempt " + std::to_string(attempt) + "/" + std::to_string(policy.max_attempts));
    std::string error_body;
    auto t0 = std::chrono::steady_clock::now();
    if (before_request_) before_request_();
    // The profile's pool across processes: the resident server, ninja's direct
    // edges and other builds of this cache share these slots.
    std::optional<FileLock> pool_slot;
    if (settings.pool_depth > 0)
      pool_slot = FileLock::any_of(request.cache_dir / "locks" / "pools", settings.pool_name, settings.pool_depth);
    HttpResult r;
    uint64_t received = 0, reported = 0;
    try {
      r = http_perform(http, [&](const HttpResponseHead& head, std::string_view chunk) {
        if (head.status == 200) {
          tmp.write(chunk);
          // What `foley build` shows while the audio streams in, every 16 KiB.
          received += chunk.size();
          if (received - reported >= 16384) {
            reported = received;
            char text[64];
            std::snprintf(text, sizeof text, "%.0f KiB received", static_cast<double>(received) / 1024.0);
            report(0.5, text);
          }
        } else if (error_body.size() < kMaxErrorBody) {
          error_body.append(chunk.substr(0, kMaxErrorBody - error_body.size()));
        }
      });
    } catch (...) {
      pool_slot.reset();
      if (after_request_) after_request_();
      throw;
    }
    pool_slot.reset();
    if (after_request_) after_request_();
    result.generation_seconds += seconds_since(t0);
    result.attempts = attempt;
    const int status = r.head.status;
    const std::string request_id = request_id_of(r.head);
    nlohmann::json entry = {{"attempt", attempt}, {"status", status}};
    if (!request_id.empty()) entry["request_id"] = request_id;
    double delay = 0.0;

    if (r.error) {
      entry["error"] = transport_failure_name(r.error->kind);
      history.push_back(entry);
      last_failure = transport_failure_name(r.error->kind) + " (" + r.error->message + ")";
      if (status != 0) last_failure += " after HTTP " + std::to_string(status);
      if (!r.error->retryable())
        throw Error::failure(scrub(ctx + ": ElevenLabs request to " + settings.base_url + " failed: " + last_failure, key));
      delay = policy.backoff_delay(attempt, random_());
    } else if (status == 200 && r.body_bytes == 0) {
      entry["error"] = "empty body";
      history.push_back(entry);
      last_failure = "HTTP 200 with an empty body";
      delay = policy.backoff_delay(attempt, random_());
    } else if (status == 200) {
      history.push_back(entry);
      report(0.9, "checking the downloaded audio");
      result.request_id = request_id;
      if (auto cost = parse_number(r.head.header("character-cost"))) {
        result.credits = *cost;
        result.credits_estimated = false;
      } else {
        result.credits = call.duration_seconds ? settings.credits_per_second * *call.duration_seconds
                                                : settings.credits_per_generation;
        result.credits_estimated = true;
      }
      result.details = {{"model_id", call.model_id},
                        {"output_format", call.output_format},
                        {"requested_duration", call.duration_seconds ? nlohmann::json(*call.duration_seconds)
                                                                     : nlohmann::json("auto")},
                        {"bytes", r.body_bytes},
                        {"base_url", settings.base_url},
                        {"attempt_history", history}};
      std::string answer;  // the bytes as they came, kept if they turn out unusable
      try {
        answer = read_file(tmp.path());
        if (auto raw = elevenlabs_raw_layout(call.output_format)) {
          std::string wav = audio::wrap_pcm_as_wav(answer, raw->sample_rate, raw->encoding);
          tmp.truncate();
          tmp.write(wav);
        }
        audio::AudioInfo info = audio::probe_audio(tmp.path());
        if (info.frames <= 0) throw Error("no audio frames");
        result.duration_seconds = info.duration_seconds;
      } catch (const Error& e) {
        // Not retried: the body arrived whole and was charged, so a second
        // call would most likely be charged for the same. The generate step
        // keeps the bytes and records the cost.
        const std::string reason = decoder_complaint(e.what(), tmp.path().string());
        throw UnusableAnswer(
            scrub(ctx + " (gen key " + request.gen_key + "): the ElevenLabs answer (" +
                      std::to_string(r.body_bytes) + " bytes, " + call.output_format +
                      (request_id.empty() ? "" : ", request-id " + request_id) + ") is not valid audio: " + reason,
                  key),
            result, std::move(answer), scrub(reason, key));
      }
      tmp.commit();
      report(1.0, "done");
      return result;
    } else {
      ElevenLabsApiError api = parse_elevenlabs_api_error(error_body);
      std::string rid = request_id.empty() ? api.request_id : request_id;
      if (!api.code.empty()) entry["code"] = api.code;
      history.push_back(entry);
      last_failure = describe_http_error(status, api, rid);
      if (api.quota_exceeded)
        throw Error::failure(scrub(ctx + ": ElevenLabs quota exhausted, no credits left for this generation: " +
                                       last_failure,
                                   key));
      if (status == 401)
        throw Error(scrub(ctx + ": ElevenLabs refused the API key (from ELEVENLABS_API_KEY or api_key_file): " +
                              last_failure,
                          key));
      if (status == 422)
        throw Error(scrub(ctx + ": ElevenLabs rejected the request: " + last_failure, key));
      if (status != 429 && status < 500)
        throw Error::failure(scrub(ctx + ": ElevenLabs request failed: " + last_failure, key));
      delay = policy.delay_after_rate_limit(r.head.header("retry-after"), attempt, random_(), *clock_);
    }

    if (attempt == policy.max_attempts) break;
    log_warning(scrub(ctx + ": ElevenLabs attempt " + std::to_string(attempt) + "/" +
                          std::to_string(policy.max_attempts) + " failed: " + last_failure + "; retrying in " +
                          num(delay) + " s",
                      key));
    sleeper_->sleep(delay);
  }
  throw Error::failure(scrub(ctx + ": ElevenLabs generation failed after " + std::to_string(policy.max_attempts) +
                                 " attempt(s); last: " + last_failure,
                             key));
}

}  // namespace foley::engines
