#pragma once

#include <functional>
#include <string>

#include "request/remote_config.h"

namespace foley::cache::remote {

// The secrets a remote needs, read where secrets may live: the environment,
// a key file or a netrc (never foley.toml, build.ninja, specs, the index,
// logs or argv). They are handed to libcurl only.
struct RemoteCredentials {
  std::string bearer_token;  // "Authorization: Bearer …" (http)
  std::string userpwd;       // "user:password" (http basic) or "access-key:secret" (s3, SigV4)
  std::string netrc_file;    // a netrc libcurl reads for the host when userpwd is empty (http)
};

// http(s): FOLEY_REMOTE_TOKEN, else the first line of `token_file` → bearer;
// FOLEY_REMOTE_USER with FOLEY_REMOTE_PASSWORD → basic; `netrc_file`, else
// ~/.netrc when it exists. s3: AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY,
// else `token_file` holding "ACCESS_KEY:SECRET"; none: unsigned requests.
// Throws foley::Error naming the file (never its content) when a named key
// file cannot be read or is malformed.
// `env` answers for the variables (remote_credential_variables() and HOME);
// by default, this process's environment. The resident server answers with
// what the calling edge sent.
using EnvLookup = std::function<std::string(const std::string& name)>;
RemoteCredentials load_remote_credentials(const RemoteConfig& config, const EnvLookup& env = {});

}  // namespace foley::cache::remote
