#include "cli/gen_client.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/progress_channel.h"
#include "common/log.h"
#include "engines/catalog.h"
#include "ipc/client.h"
#include "ipc/connect.h"
#include "request/object_link.h"
#include "request/remote_config.h"
#include "request/spec_pack.h"

namespace foley::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kStartTimeoutSeconds = 10.0;

// Becomes `foley-gen generate --object OBJECT` (the foley-gen next to this binary).
[[noreturn]] void exec_foley_gen(const fs::path& object, const std::string& why) {
  if (!why.empty()) log_warning(why + "; generating in this process");
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::string gen = ((ec ? fs::path() : self.parent_path()) / "foley-gen").string();
  std::string obj = object.string();
  std::vector<char*> argv = {gen.data(), const_cast<char*>("generate"), const_cast<char*>("--object"), obj.data(),
                             nullptr};
  std::fflush(nullptr);
  ::execv(gen.c_str(), argv.data());
  throw Error::failure("cannot run " + gen + ": " + std::strerror(errno));
}

// The team cache `foley plan` configured for this project, for the server to
// ask before it pays and to fill after; null when there is none or
// `foley build` deals with it for the whole build.
json team_cache_settings() {
  if (const char* v = std::getenv(kRemoteByBuildVariable); v != nullptr && v[0] != '\0') return nullptr;
  try {
    std::optional<RemoteConfig> config = read_remote_config(fs::current_path());
    return config ? remote_config_to_json(*config) : json(nullptr);
  } catch (const std::exception& e) {
    log_warning(std::string("team cache not used: ") + e.what());
    return nullptr;
  }
}

}  // namespace

int run_generate_client(const fs::path& object) {
  if (ipc::api_server_disabled()) exec_foley_gen(object, "");
  const std::string key = object_gen_key(object);
  const fs::path packs = kRequestPacksDir;
  const std::string spec_text = read_spec_text(packs, key);
  const json spec = json::parse(spec_text, nullptr, false);
  const engines::EngineRow* row =
      spec.is_object() ? engines::find_engine(spec.value("engine", std::string())) : nullptr;
  if (row == nullptr || !row->via_server || !spec.contains("cache_dir") || !spec["cache_dir"].is_string() ||
      !spec.contains("object_path") || !spec["object_path"].is_string())
    exec_foley_gen(object, "");  // foley-gen reads it and says what is wrong
  // ninja names the object's link (request/object_link.h), made once the
  // object is there.
  const fs::path cached = spec["object_path"].get<std::string>();
  // Already there: often a prefetch of this build made it (the server then
  // answers with its line); else a hit, which is no reason to start a server.
  std::error_code ec;
  const bool present = fs::exists(cached, ec);

  // The key goes to the server with each call, over its private socket, as
  // this environment has it; the server itself is started without it.
  const char* build_id = std::getenv("FOLEY_BUILD_ID");
  const fs::path cache_dir = spec["cache_dir"].get<std::string>();
  ipc::ModelServerClientOptions options;
  options.cache_dir = cache_dir;
  options.start_timeout_seconds = kStartTimeoutSeconds;
  if (!present)
    options.launch = [cache_dir](const ipc::ServerPaths& p) { ipc::launch_server_without_secrets(p, cache_dir); };
  ipc::ModelServerClient client(options);
  // The call runs in the server: the build's display shows it waiting.
  ProgressEvent identity;
  identity.key = key;
  std::vector<std::string> cues;
  for (const auto& c : spec.value("cues", json::array()))
    if (c.is_string()) cues.push_back(c.get<std::string>());
  identity.cues = cue_names(cues);
  identity.engine = spec.value("engine", std::string());
  identity.profile = spec.value("profile", std::string());
  std::optional<ProgressReporter> reports;
  if (!present) reports.emplace(identity, "request through the resident server");
  ipc::CallAttempt attempt = client.call({spec_text, spec_origin(packs / spec_pack_name(key), key)},
                                         std::atoll(build_id != nullptr ? build_id : "0"),
                                         present ? json(nullptr) : team_cache_settings());
  switch (attempt.outcome) {
    case ipc::CallAttempt::Outcome::kDone: {
      const json& done = attempt.done;
      if (done.value("cancelled", false))
        exec_foley_gen(object, "the resident server (pid " + std::to_string(attempt.server_pid) + ") is stopping");
      std::string out = done.value("stdout", std::string()), err = done.value("stderr", std::string());
      std::fwrite(err.data(), 1, err.size(), stderr);
      std::fwrite(out.data(), 1, out.size(), stdout);
      const int exit = done.value("exit", 1);
      reports.reset();
      if (exit == 0 && fs::absolute(object).lexically_normal() != fs::absolute(cached).lexically_normal())
        link_object(fs::current_path(), object, cached);
      return exit;
    }
    case ipc::CallAttempt::Outcome::kRefused:
      // An older server that does not know the call: generate here.
      exec_foley_gen(object, "the resident server refused the call (" + attempt.reason + ")");
    case ipc::CallAttempt::Outcome::kUnavailable:
    case ipc::CallAttempt::Outcome::kDied:
      break;
  }
  exec_foley_gen(object, present ? "" : attempt.reason.empty() ? "no resident server" : attempt.reason);
}

}  // namespace foley::cli
