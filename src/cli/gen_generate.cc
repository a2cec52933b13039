#include "cli/gen_generate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "backends/elevenlabs_engine.h"
#include "backends/engine_factory.h"
#include "cache/index.h"
#include "cli/object_record.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/spec_pack.h"
#include "plan/canonical_key.h"
#include "plan/planner.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

int64_t build_id_from_env() {
  const char* v = std::getenv("FOLEY_BUILD_ID");
  return v ? std::atoll(v) : 0;
}

// Serialises generations of one key across processes (two ninja runs at once):
// the second waits, then finds the object and does nothing.
class KeyLock {
 public:
  explicit KeyLock(const fs::path& path) {
    fs::create_directories(path.parent_path());
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw Error::failure("cannot lock " + path.string());
  }
  ~KeyLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

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

}  // namespace

int run_generate_object(const fs::path& object) {
  // <cache>/objects/<k[0:2]>/<gen key>.<ext>: the key is the name up to its first dot.
  std::string name = object.filename().string();
  std::string key = name.substr(0, name.find('.'));
  if (key.size() != 32 || key.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error(object.string() + ": not an object path of the cache (<gen key>.<ext>)");
  return run_generate(fs::path(".foley") / "requests", key);
}

std::string generate_request(const GenRequest& req, const std::string& origin, const GenerateContext& ctx) {
  // The spec must describe exactly the object it names.
  std::string key = plan::compute_key("gen", req.key_fields);
  if (key != req.gen_key)
    throw Error(origin + ": gen_key " + req.gen_key + " does not match its fields (" + key +
                "); re-run `foley plan`");
  if (req.object_path != plan::object_path(req.cache_dir, req.gen_key, req.ext))
    throw Error(origin + ": object_path is not where the cache keeps " + req.gen_key);

  KeyLock lock(req.cache_dir / "locks" / (req.gen_key + ".lock"));
  // Holding the key's lock, no live process writes this object: temp files of
  // it are a killed writer's (foley-gen or the resident server, kill -9).
  sweep_orphaned_temps(req.object_path);
  // The index is opened only when needed, after the paid call: nothing slow
  // stands between a generate edge starting and its request leaving.
  std::unique_ptr<cache::Index> own_index;
  auto index = [&]() -> cache::Index& {
    if (ctx.index) return *ctx.index;
    if (!own_index) own_index = std::make_unique<cache::Index>(req.cache_dir);
    return *own_index;
  };

  std::error_code ec;
  if (fs::exists(req.object_path, ec)) {
    if (!index().find_object(req.gen_key)) {
      // Present on disk but unknown to the index (index lost): adopt it.
      index().record_object(object_record_for(req), 0);
    }
    index().record_hit(req.gen_key, ctx.build_id);
    return "foley-gen: " + cue_list(req) + " already cached (" + req.gen_key + ")\n";
  }

  auto engine = ctx.make_engine ? ctx.make_engine(req.engine) : backends::make_engine(req.engine);
  engine->validate(req);
  backends::GenerationResult result = engine->generate(req, req.object_path, {});
  engine->close();

  cache::ObjectRecord rec = object_record_for(req);
  rec.duration_seconds = result.duration_seconds;
  rec.generation_seconds = result.generation_seconds;
  rec.credits = result.credits;
  rec.credits_estimated = result.credits_estimated;
  rec.request_id = result.request_id;
  rec.attempts = result.attempts;
  rec.paid = result.paid;
  rec.pinned = result.paid;
  rec.details = result.details.is_null() ? nlohmann::json::object() : result.details;
  index().record_object(rec, ctx.build_id);

  char credits[64] = "";
  if (result.paid)
    std::snprintf(credits, sizeof credits, ", %.0f credits%s", result.credits,
                  result.credits_estimated ? " (estimated)" : "");
  char line[512];
  std::snprintf(line, sizeof line, " with %s in %.2f s (%.2f s of audio%s) -> %s\n", req.profile.c_str(),
                result.generation_seconds, result.duration_seconds, credits,
                req.object_path.filename().string().c_str());
  return "foley-gen: generated " + cue_list(req) + line;
}

int run_generate(const fs::path& spec_path, const std::string& entry) {
  const std::string origin = spec_origin(spec_path, entry);
  GenRequest req = GenRequest::from_json(nlohmann::json::parse(read_spec_text(spec_path, entry), nullptr, false),
                                         origin);
  GenerateContext ctx;
  ctx.build_id = build_id_from_env();
  std::string line = generate_request(req, origin, ctx);
  std::fputs(line.c_str(), stdout);
  return 0;
}

namespace {

// Open indexes the resident server reuses across calls (one connection each,
// used by one call at a time): an open costs a schema check, and closing the
// last connection checkpoints the WAL with three fsyncs.
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

IndexPool& index_pool() {
  static IndexPool* pool = new IndexPool;  // never destroyed: calls may outlive main's return
  return *pool;
}

}  // namespace

nlohmann::json serve_generate_call(const nlohmann::json& msg) {
  LogCapture capture;
  try {
    if (!msg.contains("spec") || !msg["spec"].is_string())
      throw Error("resident server: a generate call needs \"spec\"");
    const std::string origin = msg.value("origin", std::string("spec"));
    GenRequest req =
        GenRequest::from_json(nlohmann::json::parse(msg["spec"].get<std::string>(), nullptr, false), origin);
    if (req.engine != "elevenlabs")
      throw Error(origin + ": the resident server makes only API calls, not " + req.engine + " generations");
    GenerateContext ctx;
    ctx.build_id = msg.value("build_id", int64_t{0});
    // The key as the client's environment has it: the server was started by
    // some other client, perhaps in another shell.
    std::string env_key = msg.contains("env_key") && msg["env_key"].is_string() ? msg["env_key"].get<std::string>() : "";
    ctx.make_engine = [&](const std::string&) -> std::unique_ptr<backends::Engine> {
      backends::ElevenLabsDeps deps;
      deps.caller_env_key = env_key;
      return std::make_unique<backends::ElevenLabsEngine>(std::move(deps));
    };
    std::unique_ptr<cache::Index> index = index_pool().take(req.cache_dir);
    ctx.index = index.get();
    std::string line = generate_request(req, origin, ctx);
    index_pool().give_back(std::move(index));
    return {{"exit", 0}, {"stdout", line}, {"stderr", capture.take()}};
  } catch (const Error& e) {
    log_error(e.what());
    return {{"exit", e.exit_code()}, {"stderr", capture.take()}};
  } catch (const std::exception& e) {
    log_error(e.what());
    return {{"exit", 1}, {"stderr", capture.take()}};
  }
}

}  // namespace foley::cli
