#include "cache/remote/remote_credentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace foley::cache::remote {
namespace fs = std::filesystem;

namespace {

std::string process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

// The first line of a key file, without surrounding blanks.
std::string read_key_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read the team cache's key file " + path.string() + " (token_file)");
  std::string line;
  std::getline(in, line);
  size_t b = line.find_first_not_of(" \t\r\n");
  size_t e = line.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) throw Error("the team cache's key file " + path.string() + " (token_file) is empty");
  return line.substr(b, e - b + 1);
}

}  // namespace

RemoteCredentials load_remote_credentials(const RemoteConfig& config, const EnvLookup& lookup) {
  const EnvLookup env = lookup ? lookup : EnvLookup(process_env);
  RemoteCredentials c;
  if (config.is_s3()) {
    std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id.empty() && !secret.empty()) {
      c.userpwd = id + ":" + secret;
    } else if (!config.token_file.empty()) {
      c.userpwd = read_key_file(config.token_file);
      if (c.userpwd.find(':') == std::string::npos)
        throw Error("the team cache's key file " + config.token_file.string() +
                    " (token_file) must hold ACCESS_KEY:SECRET for an s3:// remote");
    }
    return c;
  }
  c.bearer_token = env("FOLEY_REMOTE_TOKEN");
  if (c.bearer_token.empty() && !config.token_file.empty()) c.bearer_token = read_key_file(config.token_file);
  std::string user = env("FOLEY_REMOTE_USER"), password = env("FOLEY_REMOTE_PASSWORD");
  if (!user.empty()) c.userpwd = user + ":" + password;
  if (!config.netrc_file.empty()) {
    c.netrc_file = config.netrc_file.string();
  } else if (std::string home = env("HOME"); !home.empty()) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(home) / ".netrc", ec)) c.netrc_file = (fs::path(home) / ".netrc").string();
  }
  return c;
}

}  // namespace foley::cache::remote
