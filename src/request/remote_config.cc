#include "request/remote_config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace foley {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* mode_name(RemoteMode m) { return m == RemoteMode::kReadOnly ? "read-only" : "read-write"; }

std::optional<RemoteMode> parse_mode(const std::string& s) {
  if (s == "read-write") return RemoteMode::kReadWrite;
  if (s == "read-only") return RemoteMode::kReadOnly;
  return std::nullopt;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The part of an http(s) URL between "//" and the next '/'.
std::string authority_of(const std::string& url) {
  size_t start = url.find("//");
  if (start == std::string::npos) return "";
  start += 2;
  size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string url_problem(const std::string& url, bool endpoint) {
  if (url.empty()) return "must not be empty";
  const bool http = starts_with(url, "http://") || starts_with(url, "https://");
  if (endpoint && !http) return "must start with http:// or https://";
  if (!endpoint && !http && !starts_with(url, "s3://")) return "must start with http://, https:// or s3://";
  const std::string authority = authority_of(url);
  if (authority.empty()) return "names no host";
  if (authority.find('@') != std::string::npos)
    return "must not carry a user or password: credentials come from the environment (FOLEY_REMOTE_TOKEN, "
           "FOLEY_REMOTE_USER and FOLEY_REMOTE_PASSWORD, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), a netrc "
           "or a key file (`token_file`)";
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == '?' || c == '#' || c == '"' || c == '\\')
      return "must not contain spaces, control characters, '?', '#', '\"' or '\\'";
  return "";
}

}  // namespace

const std::vector<std::string>& remote_setting_names() {
  static const std::vector<std::string> names = {
      "url",        "mode",     "connect_timeout", "data_timeout", "request_timeout", "max_object_size",
      "token_file", "netrc_file", "ca_file",       "endpoint",     "region",          "parallel"};
  return names;
}

std::string remote_setting_problem(const std::string& name, const json& v) {
  if (name == "url" || name == "endpoint") {
    if (!v.is_string()) return "expected a string";
    return url_problem(v.get<std::string>(), name == "endpoint");
  }
  if (name == "mode") {
    if (!v.is_string() || !parse_mode(v.get<std::string>())) return "must be \"read-write\" or \"read-only\"";
    return "";
  }
  if (name == "connect_timeout" || name == "data_timeout" || name == "request_timeout") {
    if (!v.is_number()) return "expected a number of seconds";
    double s = v.get<double>();
    if (!(s > 0 && s <= 3600)) return "must be more than 0 and at most 3600 seconds";
    return "";
  }
  if (name == "max_object_size") {
    if (!v.is_number_integer() || v.get<int64_t>() < 1) return "expected a positive number of bytes";
    return "";
  }
  if (name == "parallel") {
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 256) return "must be between 1 and 256";
    return "";
  }
  if (name == "token_file" || name == "netrc_file" || name == "ca_file") {
    if (!v.is_string() || v.get<std::string>().empty()) return "expected a path";
    return "";
  }
  if (name == "region") {
    if (!v.is_string() || v.get<std::string>().empty()) return "expected a region name";
    for (char c : v.get<std::string>())
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return "expected a region name";
    return "";
  }
  return "unknown field";
}

void apply_remote_setting(RemoteConfig& c, const std::string& name, const json& v, const fs::path& base) {
  auto path = [&](const json& p) {
    fs::path f = p.get<std::string>();
    if (f.is_relative()) f = base / f;
    return f.lexically_normal();
  };
  if (name == "url") c.url = v.get<std::string>();
  else if (name == "mode") c.mode = *parse_mode(v.get<std::string>());
  else if (name == "connect_timeout") c.connect_timeout = v.get<double>();
  else if (name == "data_timeout") c.data_timeout = v.get<double>();
  else if (name == "request_timeout") c.request_timeout = v.get<double>();
  else if (name == "max_object_size") c.max_object_bytes = v.get<int64_t>();
  else if (name == "parallel") c.parallel = v.get<int>();
  else if (name == "token_file") c.token_file = path(v);
  else if (name == "netrc_file") c.netrc_file = path(v);
  else if (name == "ca_file") c.ca_file = path(v);
  else if (name == "endpoint") c.endpoint = v.get<std::string>();
  else if (name == "region") c.region = v.get<std::string>();
}

std::string remote_config_problem(const RemoteConfig& c) {
  if (c.url.empty()) return "no `url`";
  if (c.is_s3() && c.endpoint.empty()) return "an s3:// URL needs `endpoint` (the service's http(s):// address)";
  if (c.is_s3()) {
    std::string bucket = c.url.substr(5, c.url.find('/', 5) == std::string::npos ? std::string::npos
                                                                               : c.url.find('/', 5) - 5);
    if (bucket.empty()) return "an s3:// URL names its bucket: s3://bucket/prefix";
  }
  return "";
}

void apply_remote_environment(std::optional<RemoteConfig>& config) {
  if (const char* url = std::getenv("FOLEY_REMOTE_URL"); url != nullptr && url[0] != '\0') {
    if (std::string(url) == "off") {
      config.reset();
      return;
    }
    if (std::string p = url_problem(url, false); !p.empty()) throw Error("FOLEY_REMOTE_URL: " + p);
    if (!config) config.emplace();
    config->url = url;
  }
  if (const char* mode = std::getenv("FOLEY_REMOTE_MODE"); mode != nullptr && mode[0] != '\0') {
    std::optional<RemoteMode> m = parse_mode(mode);
    if (!m) throw Error("FOLEY_REMOTE_MODE: must be \"read-write\" or \"read-only\", got \"" + std::string(mode) + "\"");
    if (config) config->mode = *m;
  }
}

json remote_config_to_json(const RemoteConfig& c) {
  return {{"url", c.url},
          {"mode", mode_name(c.mode)},
          {"connect_timeout", c.connect_timeout},
          {"data_timeout", c.data_timeout},
          {"request_timeout", c.request_timeout},
          {"max_object_size", c.max_object_bytes},
          {"token_file", c.token_file.string()},
          {"netrc_file", c.netrc_file.string()},
          {"ca_file", c.ca_file.string()},
          {"endpoint", c.endpoint},
          {"region", c.region},
          {"parallel", c.parallel}};
}

RemoteConfig remote_config_from_json(const json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": expected a JSON object");
  RemoteConfig c;
  for (const auto& [name, value] : j.items()) {
    if ((name == "token_file" || name == "netrc_file" || name == "ca_file" || name == "endpoint") && value == "")
      continue;
    if (std::string p = remote_setting_problem(name, value); !p.empty())
      throw Error(origin + ": field \"" + name + "\": " + p);
    apply_remote_setting(c, name, value, fs::path("/"));
  }
  if (std::string p = remote_config_problem(c); !p.empty()) throw Error(origin + ": " + p);
  return c;
}

const std::vector<std::string>& remote_credential_variables() {
  static const std::vector<std::string> names = {"FOLEY_REMOTE_TOKEN", "FOLEY_REMOTE_USER", "FOLEY_REMOTE_PASSWORD",
                                                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"};
  return names;
}

std::optional<RemoteConfig> read_remote_config(const fs::path& root) {
  const fs::path path = root / kRemoteConfigFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) throw Error(path.string() + ": not JSON; re-run `foley plan`");
  return remote_config_from_json(j, path.string());
}

}  // namespace foley
