#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cache/remote/remote_credentials.h"
#include "request/remote_config.h"

namespace foley::cache::remote {

// How one exchange with the remote ended.
enum class RemoteStatus {
  kOk,         // 200/201/204
  kNotFound,   // 404
  kExists,     // 412 on a PUT with If-None-Match: * (someone stored it first)
  kTooLarge,   // a body longer than allowed: the transfer was cut
  kRefused,    // 401/403: credentials missing or wrong, or writes forbidden
  kFailed,     // any other status or transport failure
  kTimeout,    // connect, data or request timeout
};

struct RemoteReply {
  RemoteStatus status = RemoteStatus::kFailed;
  int http_status = 0;
  int64_t content_length = -1;  // from the head, when sent
  std::string message;          // for warnings: never a credential
  bool retryable = false;       // 429, 5xx, or a network failure worth asking again
  bool body_delivered = false;  // some of the body reached the caller's sink before it failed
};

// The plain HTTP dialect (GET, HEAD, PUT: ccache's `http` backend, any WebDAV
// server) and, over the same paths, S3 (path-style URLs signed with SigV4 by
// libcurl). Paths are relative to the remote's root ("objects/ab/<key>.wav").
// Safe to use from many threads at once.
//
// Retries: an exchange answered 429 or 5xx, or cut by the network (connection
// reset, body truncated) before any byte of its body reached the caller, is
// asked again after kRetryDelaysMs. Every retry is drawn from one
// budget of kRetryBudget per store (one store per build, or per process of a
// bare ninja run): once it is spent, a failure is final at once, so a dying
// remote costs a build a bounded number of requests and seconds before the
// caller turns it off. Timeouts are not retried (they have waited long
// already), nor a refused connection (the remote is down).
class RemoteStore {
 public:
  static constexpr int kRetryDelaysMs[] = {200, 400};
  static constexpr int kRetryBudget = 6;

  RemoteStore(RemoteConfig config, RemoteCredentials credentials);

  RemoteReply head(const std::string& path) const;
  // Streams the body to `sink`; stops with kTooLarge beyond `max_bytes`.
  RemoteReply get(const std::string& path, int64_t max_bytes,
                  const std::function<void(std::string_view)>& sink) const;
  // `if_none_match`: ask the server to refuse replacing an existing entry
  // (honoured by S3; nginx ignores it, hence HEAD before PUT).
  RemoteReply put(const std::string& path, std::string_view body, bool if_none_match) const;

  // The URL of a path, as messages may show it (it holds no credential).
  std::string url_of(const std::string& path) const;

  // Retries this store may still make.
  int retries_left() const { return retries_left_.load(); }

 private:
  RemoteReply perform(const std::string& method, const std::string& path, std::string_view body,
                      std::vector<std::string> headers, int64_t max_bytes,
                      const std::function<void(std::string_view)>* sink) const;
  // perform(), asked again as the retry rules above allow.
  RemoteReply perform_retried(const std::string& method, const std::string& path, std::string_view body,
                              const std::vector<std::string>& headers, int64_t max_bytes,
                              const std::function<void(std::string_view)>* sink) const;

  RemoteConfig config_;
  RemoteCredentials credentials_;
  std::string base_;  // URL every path is appended to, ending in '/'
  mutable std::atomic<int> retries_left_{kRetryBudget};
};

}  // namespace foley::cache::remote
