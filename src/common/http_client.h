#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foley {

// One HTTP exchange, as libcurl should make it. Header lines may carry a secret
// (an API key): they are handed to libcurl only, never logged or put in messages.
struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  double connect_timeout = 10.0;     // seconds to establish the connection
  double timeout = 0.0;              // seconds for the whole exchange; 0 = no limit
  double stall_seconds = 0.0;        // abort when no byte moves for this long; 0 = never
  // Credentials, handed to libcurl only (never logged): "user:password" for
  // basic auth, or "access-key:secret" when aws_sigv4 is set.
  std::string userpwd;
  std::string aws_sigv4;             // "aws:amz:<region>:s3": sign the request with SigV4
  // Read the host's user and password from this netrc file when userpwd is
  // empty; a missing file or host is no error. Empty: no netrc.
  std::string netrc_file;
  // A PEM file of the certificate authorities to trust instead of the
  // system's (CURLOPT_CAINFO). Empty: the system's store.
  std::string ca_file;
};

// The status line and headers of a response (of the final one after any 1xx).
struct HttpResponseHead {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names; a repeated header keeps its last value

  // The header's value, or "" when absent. `name` is matched case-insensitively.
  std::string header(const std::string& name) const;
};

// Why an exchange failed below HTTP. Every kind but kTls and kOther is worth
// retrying: a peer whose certificate is not trusted stays so.
enum class TransportFailure { kConnect, kTimeout, kStall, kReset, kTruncated, kTls, kOther };

// The transport failure of an exchange: its kind and libcurl's description
// (which never includes request headers).
struct TransportError {
  TransportFailure kind = TransportFailure::kOther;
  std::string message;
  bool retryable() const { return kind != TransportFailure::kOther && kind != TransportFailure::kTls; }
};

// The outcome of http_perform: the response head (status 0 when none arrived),
// the number of body bytes delivered, and the transport failure, if any.
struct HttpResult {
  HttpResponseHead head;
  uint64_t body_bytes = 0;
  std::optional<TransportError> error;
};

// Receives the response body chunk by chunk, with the head already complete.
// May throw: the transfer is aborted and the exception propagates out of
// http_perform.
using BodySink = std::function<void(const HttpResponseHead& head, std::string_view chunk)>;

// Performs `request` with libcurl: "HEAD" asks for the head only; "POST" and
// "PUT" send `body`. Redirects are not followed and TLS peers are verified
// (libcurl's defaults). No signals, so safe from many threads at
// once; one connection per call). Bodies shorter than their Content-Length are
// reported as kTruncated. Throws only what `sink` throws, or foley::Error when
// libcurl cannot be set up.
HttpResult http_perform(const HttpRequest& request, const BodySink& sink);

// A short human name of a failure kind ("connection refused or unreachable", ...).
std::string transport_failure_name(TransportFailure kind);

}  // namespace foley
