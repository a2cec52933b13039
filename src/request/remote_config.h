#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

// The team cache's settings, as `foley plan` resolves them ([cache.remote] in
// foley.toml, then the user's config file, then FOLEY_REMOTE_URL and
// FOLEY_REMOTE_MODE) and writes them for the generate step to
// .foley/remote.json. They never hold a credential: a URL with a user or a
// password in it is refused, and secrets are read from the environment, a
// netrc or a key file named here (cache/remote/remote_credentials.h).
namespace foley {

enum class RemoteMode { kReadWrite, kReadOnly };

struct RemoteConfig {
  std::string url;                       // http://host[:port]/path, https://…, or s3://bucket[/prefix]
  RemoteMode mode = RemoteMode::kReadWrite;
  // ccache's defaults: connect and data (no byte moving) 10 s, whole request 60 s.
  double connect_timeout = 10.0;
  double data_timeout = 10.0;
  double request_timeout = 60.0;
  int64_t max_object_bytes = int64_t{1} << 30;  // larger objects are neither fetched nor sent
  std::filesystem::path token_file;      // bearer token (http) or "ACCESS_KEY:SECRET" (s3)
  std::filesystem::path netrc_file;      // user and password for the host (http); empty: ~/.netrc if present
  std::filesystem::path ca_file;         // https: the PEM certificate authorities to trust; empty: the system's
  std::string endpoint;                  // s3: http(s)://host[:port] of the service
  std::string region = "us-east-1";      // s3: the SigV4 signing region
  int parallel = 16;                     // transfers at once (foley build, push, pull)

  bool is_s3() const { return url.rfind("s3://", 0) == 0; }
  bool read_only() const { return mode == RemoteMode::kReadOnly; }
};

// The keys a [cache.remote] table may hold.
const std::vector<std::string>& remote_setting_names();

// Why `value` cannot be [cache.remote]'s `name`, or "" when it can (an unknown
// name, a wrong type, a value out of range, a URL carrying credentials).
std::string remote_setting_problem(const std::string& name, const nlohmann::json& value);

// Sets one checked setting (remote_setting_problem(name, value) is "").
// Relative paths are resolved against `base`.
void apply_remote_setting(RemoteConfig& config, const std::string& name, const nlohmann::json& value,
                          const std::filesystem::path& base);

// Why the whole configuration cannot be used ("" when it can): s3 needs an endpoint.
std::string remote_config_problem(const RemoteConfig& config);

// FOLEY_REMOTE_URL (set and non-empty) replaces the URL, FOLEY_REMOTE_MODE the
// mode; with FOLEY_REMOTE_URL=off there is no remote. Throws foley::Error
// naming the variable on a bad value. `config` may be empty on entry.
void apply_remote_environment(std::optional<RemoteConfig>& config);

nlohmann::json remote_config_to_json(const RemoteConfig& config);
// Throws foley::Error naming `origin` on a malformed file.
RemoteConfig remote_config_from_json(const nlohmann::json& j, const std::string& origin);

// Where `foley plan` leaves the resolved settings, relative to the project root
// (the directory ninja runs foley-gen in); absent when there is no remote.
inline constexpr const char* kRemoteConfigFile = ".foley/remote.json";

// Set by `foley build` for its ninja run: the build itself fetches every
// remote hit before ninja starts and uploads every new object after, so its
// generate edges leave the team cache alone.
inline constexpr const char* kRemoteByBuildVariable = "FOLEY_REMOTE_BY_BUILD";

// The environment variables that may hold a remote's credentials
// (cache/remote/remote_credentials.h). The resident server is started without
// them; a generate edge sends the values it has with each call, over the
// server's private socket.
const std::vector<std::string>& remote_credential_variables();

// The settings `foley plan` left in `root`, or nothing when there is no remote.
std::optional<RemoteConfig> read_remote_config(const std::filesystem::path& root);

}  // namespace foley
