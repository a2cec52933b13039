#include "common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "common/error.h"

namespace foley {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error::failure("cannot initialise libcurl");
  });
}

struct Transfer {
  const BodySink* sink = nullptr;
  HttpResult result;
  std::exception_ptr sink_error;
  // Stall detection: the time of the last byte moved in either direction.
  double stall_seconds = 0.0;
  curl_off_t last_down = -1, last_up = -1;
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();
  bool stalled = false;
};

// libcurl calls this at least once a second, even while nothing moves. Unlike
// CURLOPT_LOW_SPEED_TIME (an average over a window of several seconds), it
// notices a stall within about a second of stall_seconds.
int on_progress(void* user, curl_off_t, curl_off_t down, curl_off_t, curl_off_t up) {
  auto* t = static_cast<Transfer*>(user);
  auto now = std::chrono::steady_clock::now();
  if (down != t->last_down || up != t->last_up) {
    t->last_down = down;
    t->last_up = up;
    t->last_progress = now;
    return 0;
  }
  if (std::chrono::duration<double>(now - t->last_progress).count() > t->stall_seconds) {
    t->stalled = true;
    return 1;  // aborts the transfer with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue, or a redirect) starts a new head.
    t->result.head = HttpResponseHead{};
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) t->result.head.status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return line.size();
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t->result.head.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  try {
    (*t->sink)(t->result.head, std::string_view(data, n));
  } catch (...) {
    t->sink_error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
  t->result.body_bytes += n;
  return n;
}

TransportFailure classify(CURLcode code, const std::string& message) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return message.find("too slow") != std::string::npos ? TransportFailure::kStall : TransportFailure::kTimeout;
    case CURLE_PARTIAL_FILE:
      return TransportFailure::kTruncated;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::kReset;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TransportFailure::kTls;
    default:
      return TransportFailure::kOther;
  }
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string HttpResponseHead::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string transport_failure_name(TransportFailure kind) {
  switch (kind) {
    case TransportFailure::kConnect: return "connection failed";
    case TransportFailure::kTimeout: return "timed out";
    case TransportFailure::kStall: return "transfer stalled";
    case TransportFailure::kReset: return "connection reset";
    case TransportFailure::kTruncated: return "body truncated";
    case TransportFailure::kTls: return "TLS certificate not trusted";
    case TransportFailure::kOther: return "transfer failed";
  }
  return "transfer failed";
}

namespace {

// Easy handles kept between calls of this process, each with its open
// connection: a long-lived process (the resident server) reuses connections
// to the API host instead of a TCP (and TLS) handshake per call. A handle
// whose transfer failed is not kept. curl_easy_reset clears every option,
// the key header included, and keeps the connection.
class HandlePool {
 public:
  std::unique_ptr<CURL, CurlDeleter> take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        std::unique_ptr<CURL, CurlDeleter> h(free_.back());
        free_.pop_back();
        curl_easy_reset(h.get());
        return h;
      }
    }
    return std::unique_ptr<CURL, CurlDeleter>(curl_easy_init());
  }
  void give_back(std::unique_ptr<CURL, CurlDeleter> h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kMax) free_.push_back(h.release());
  }

 private:
  static constexpr size_t kMax = 64;
  std::mutex mu_;
  std::vector<CURL*> free_;
};

HandlePool& handle_pool() {
  static HandlePool* pool = new HandlePool;  // never destroyed: handles may be in use at exit
  return *pool;
}

}  // namespace

HttpResult http_perform(const HttpRequest& request, const BodySink& sink) {
  global_init();
  std::unique_ptr<CURL, CurlDeleter> curl = handle_pool().take();
  if (!curl) throw Error::failure("cannot create a libcurl handle");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& h : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next == nullptr) throw Error::failure("cannot build HTTP headers");
    headers.release();
    headers.reset(next);
  }
  // libcurl adds "Expect: 100-continue" to large POSTs; the API does not need
  // the round trip. Not with SigV4: libcurl (7.88) signs the emptied header
  // as if it were sent, and the server refuses the signature.
  if (request.aws_sigv4.empty()) {
    curl_slist* no_expect = curl_slist_append(headers.get(), "Expect:");
    headers.release();
    headers.reset(no_expect);
  }

  Transfer transfer;
  transfer.sink = &sink;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const bool head_only = request.method == "HEAD";
  if (head_only) {
    // CURLOPT_CUSTOMREQUEST "HEAD" would wait for a body that never comes.
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (!request.userpwd.empty()) curl_easy_setopt(c, CURLOPT_USERPWD, request.userpwd.c_str());
  if (!request.aws_sigv4.empty()) curl_easy_setopt(c, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
  if (request.userpwd.empty() && !request.netrc_file.empty()) {
    curl_easy_setopt(c, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    curl_easy_setopt(c, CURLOPT_NETRC_FILE, request.netrc_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::lround(request.connect_timeout * 1000)));
  if (request.timeout > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::lround(request.timeout * 1000)));
  if (request.stall_seconds > 0) {
    transfer.stall_seconds = request.stall_seconds;
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    // Backstop with libcurl's own (coarser) low-speed limit.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::ceil(request.stall_seconds)));
  }
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());

  CURLcode code = curl_easy_perform(c);
  // The header list dies with this call: the handle must not point at it.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (code == CURLE_OK && !transfer.sink_error) handle_pool().give_back(std::move(curl));
  if (transfer.sink_error) std::rethrow_exception(transfer.sink_error);
  HttpResult result = std::move(transfer.result);
  if (code != CURLE_OK) {
    std::string message = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(code));
    if (transfer.stalled) {
      std::ostringstream m;
      m << "no data moved for " << request.stall_seconds << " s";
      result.error = TransportError{TransportFailure::kStall, m.str()};
    } else {
      result.error = TransportError{classify(code, message), message};
    }
    return result;
  }
  std::string length = result.head.header("content-length");
  if (!head_only && !length.empty() && std::to_string(result.body_bytes) != length) {
    result.error = TransportError{TransportFailure::kTruncated,
                                  "received " + std::to_string(result.body_bytes) + " bytes of a " + length +
                                      "-byte body"};
  }
  return result;
}

}  // namespace foley
