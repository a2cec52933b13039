#include "cache/remote/remote_store.h"

#include <chrono>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "common/error.h"
#include "common/http_client.h"

namespace foley::cache::remote {
namespace {

struct BodyTooLarge {};

// The lowercase hex SHA-256 of `bytes`: SigV4's payload hash.
std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw Error::failure("cannot compute a SHA-256 (OpenSSL)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string without_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// http(s)://host/path/ as given; s3://bucket/prefix as <endpoint>/bucket/prefix/ (path style).
std::string base_url(const RemoteConfig& c) {
  if (!c.is_s3()) return without_trailing_slash(c.url) + "/";
  return without_trailing_slash(c.endpoint) + "/" + without_trailing_slash(c.url.substr(5)) + "/";
}

RemoteStatus status_of(int http_status) {
  if (http_status == 200 || http_status == 201 || http_status == 204) return RemoteStatus::kOk;
  if (http_status == 404) return RemoteStatus::kNotFound;
  if (http_status == 412) return RemoteStatus::kExists;
  if (http_status == 401 || http_status == 403) return RemoteStatus::kRefused;
  return RemoteStatus::kFailed;
}

}  // namespace

RemoteStore::RemoteStore(RemoteConfig config, RemoteCredentials credentials)
    : config_(std::move(config)), credentials_(std::move(credentials)), base_(base_url(config_)) {}

std::string RemoteStore::url_of(const std::string& path) const { return base_ + path; }

RemoteReply RemoteStore::perform(const std::string& method, const std::string& path, std::string_view body,
                                 std::vector<std::string> headers, int64_t max_bytes,
                                 const std::function<void(std::string_view)>* sink) const {
  HttpRequest r;
  r.method = method;
  r.url = url_of(path);
  r.headers = std::move(headers);
  if (!credentials_.bearer_token.empty()) r.headers.push_back("Authorization: Bearer " + credentials_.bearer_token);
  r.userpwd = credentials_.userpwd;
  r.netrc_file = credentials_.netrc_file;
  if (config_.is_s3() && !r.userpwd.empty()) {
    r.aws_sigv4 = "aws:amz:" + config_.region + ":s3";
    // libcurl (7.88) would sign a PUT's body without sending its hash, which
    // S3 servers refuse; given the header, it signs the value sent. The
    // server then refuses a body that does not hash to it.
    r.headers.push_back("x-amz-content-sha256: " + sha256_hex(body));
  }
  r.body.assign(body.data(), body.size());
  r.ca_file = config_.ca_file.string();
  r.connect_timeout = config_.connect_timeout;
  r.timeout = config_.request_timeout;
  r.stall_seconds = config_.data_timeout;

  int64_t received = 0;
  RemoteReply reply;
  HttpResult result;
  try {
    result = http_perform(r, [&](const HttpResponseHead& head, std::string_view chunk) {
      if (head.status != 200 || sink == nullptr) return;  // an error page is not the object
      received += static_cast<int64_t>(chunk.size());
      if (received > max_bytes) throw BodyTooLarge{};
      (*sink)(chunk);
    });
  } catch (const BodyTooLarge&) {
    reply.status = RemoteStatus::kTooLarge;
    reply.message = "more than " + std::to_string(max_bytes) + " bytes";
    return reply;
  }
  reply.http_status = result.head.status;
  if (std::string length = result.head.header("content-length"); !length.empty()) {
    try {
      reply.content_length = std::stoll(length);
    } catch (const std::exception&) {
      reply.content_length = -1;
    }
  }
  if (result.error) {
    const TransportFailure kind = result.error->kind;
    reply.status = kind == TransportFailure::kTimeout || kind == TransportFailure::kStall ? RemoteStatus::kTimeout
                                                                                          : RemoteStatus::kFailed;
    reply.message = transport_failure_name(kind) + " (" + result.error->message + ")";
    if (kind == TransportFailure::kTls)
      reply.message += config_.ca_file.empty()
                           ? "; a private certificate authority is named by `ca_file` in [cache.remote]"
                           : "; is `ca_file` (" + config_.ca_file.string() + ") the authority that signed it?";
    // A refused connection is a remote that is down, not one that hiccups:
    // asking again would only slow every edge of a bare ninja run.
    reply.retryable = kind == TransportFailure::kReset || kind == TransportFailure::kTruncated;
    reply.body_delivered = received > 0;
    return reply;
  }
  reply.status = status_of(reply.http_status);
  if (reply.status != RemoteStatus::kOk) reply.message = "HTTP " + std::to_string(reply.http_status);
  reply.retryable = reply.http_status == 429 || (reply.http_status >= 500 && reply.http_status <= 599);
  return reply;
}

RemoteReply RemoteStore::perform_retried(const std::string& method, const std::string& path, std::string_view body,
                                         const std::vector<std::string>& headers, int64_t max_bytes,
                                         const std::function<void(std::string_view)>* sink) const {
  RemoteReply reply = perform(method, path, body, headers, max_bytes, sink);
  int attempts = 1;
  for (int delay_ms : kRetryDelaysMs) {
    // A body partly handed to the caller cannot be taken back: that failure is final.
    if (reply.status == RemoteStatus::kOk || !reply.retryable || reply.body_delivered) break;
    int left = retries_left_.load();
    do {
      if (left <= 0) {
        reply.message += " (the build's budget of " + std::to_string(kRetryBudget) + " retries is spent)";
        return reply;
      }
    } while (!retries_left_.compare_exchange_weak(left, left - 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    reply = perform(method, path, body, headers, max_bytes, sink);
    ++attempts;
  }
  if (attempts > 1 && reply.status != RemoteStatus::kOk)
    reply.message += " (" + std::to_string(attempts) + " attempts)";
  return reply;
}

RemoteReply RemoteStore::head(const std::string& path) const {
  return perform_retried("HEAD", path, {}, {}, 0, nullptr);
}

RemoteReply RemoteStore::get(const std::string& path, int64_t max_bytes,
                             const std::function<void(std::string_view)>& sink) const {
  return perform_retried("GET", path, {}, {}, max_bytes, &sink);
}

RemoteReply RemoteStore::put(const std::string& path, std::string_view body, bool if_none_match) const {
  std::vector<std::string> headers = {"Content-Type: application/octet-stream"};
  if (if_none_match) headers.push_back("If-None-Match: *");
  // A server that answers 429 or 5xx to one of many parallel uploads (seen with
  // rclone's S3 server) is asked again: the same bytes under the same name, so
  // a PUT that did land is only written again with what it already holds.
  return perform_retried("PUT", path, body, headers, 0, nullptr);
}

}  // namespace foley::cache::remote
