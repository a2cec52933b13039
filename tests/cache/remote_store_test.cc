// RemoteStore's retry rules and its SigV4 payload hash, against a scripted
// HTTP listener on 127.0.0.1 (one response per connection, then close).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/remote/remote_store.h"

using namespace foley;
using foley::cache::remote::RemoteCredentials;
using foley::cache::remote::RemoteStatus;
using foley::cache::remote::RemoteStore;

namespace {

struct SeenRequest {
  std::string head;  // request line and headers
  std::string body;
};

// Answers the i-th request (from 0) with script(i): raw bytes, sent whole,
// then the connection is closed.
class ScriptedListener {
 public:
  explicit ScriptedListener(std::function<std::string(int)> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedListener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void serve() {
    for (int i = 0; !stop_; ++i) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      SeenRequest r;
      std::string data;
      char buf[4096];
      size_t end;
      while ((end = data.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
      }
      if (end != std::string::npos) {
        r.head = data.substr(0, end);
        r.body = data.substr(end + 4);
        size_t length = 0;
        if (size_t p = r.head.find("Content-Length: "); p != std::string::npos)
          length = std::stoul(r.head.substr(p + 16));
        while (r.body.size() < length) {
          ssize_t n = ::read(c, buf, sizeof buf);
          if (n <= 0) break;
          r.body.append(buf, static_cast<size_t>(n));
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(r);
      }
      std::string out = script_(i);
      ssize_t ignored = ::write(c, out.data(), out.size());
      (void)ignored;
      ::close(c);
    }
  }

  std::function<std::string(int)> script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

std::string answer(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

RemoteConfig http_config(const std::string& url) {
  RemoteConfig c;
  c.url = url + "/team";
  c.connect_timeout = 2;
  c.data_timeout = 2;
  c.request_timeout = 5;
  return c;
}

std::string get_text(const RemoteStore& store, const std::string& path, RemoteStatus* status,
                     std::string* message = nullptr) {
  std::string text;
  auto reply = store.get(path, 1 << 20, [&](std::string_view c) { text.append(c); });
  *status = reply.status;
  if (message) *message = reply.message;
  return text;
}

}  // namespace

TEST_CASE("a GET answered 5xx is asked again and then succeeds") {
  ScriptedListener server([](int i) { return i < 2 ? answer(i == 0 ? 503 : 429, "busy") : answer(200, "record"); });
  RemoteStore store(http_config(server.url()), {});
  RemoteStatus status;
  CHECK(get_text(store, "meta/k.json", &status) == "record");
  CHECK(status == RemoteStatus::kOk);
  CHECK(server.seen().size() == 3);
  CHECK(store.retries_left() == RemoteStore::kRetryBudget - 2);
}

TEST_CASE("retries are drawn from one budget; once it is spent a failure is final at once") {
  ScriptedListener server([](int) { return answer(500, "down"); });
  RemoteStore store(http_config(server.url()), {});
  RemoteStatus status;
  std::string message;
  get_text(store, "a", &status, &message);
  CHECK(status == RemoteStatus::kFailed);
  CHECK(server.seen().size() == 3);
  CHECK_THAT(message, Catch::Contains("HTTP 500") && Catch::Contains("3 attempts"));
  get_text(store, "b", &status);
  get_text(store, "c", &status);
  CHECK(server.seen().size() == 9);
  CHECK(store.retries_left() == 0);
  get_text(store, "d", &status, &message);
  CHECK(status == RemoteStatus::kFailed);
  CHECK(server.seen().size() == 10);
  CHECK_THAT(message, Catch::Contains("budget of 6 retries is spent"));
}

TEST_CASE("answers that are not transient are not asked again") {
  for (int code : {404, 401, 403, 412}) {
    ScriptedListener server([code](int) { return answer(code, "no"); });
    RemoteStore store(http_config(server.url()), {});
    CHECK(store.head("objects/ab/k.wav").status != RemoteStatus::kOk);
    CHECK(server.seen().size() == 1);
    CHECK(store.retries_left() == RemoteStore::kRetryBudget);
  }
}

TEST_CASE("a body cut short after some of it was used is not asked again") {
  ScriptedListener server([](int) {
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly part");
  });
  RemoteStore store(http_config(server.url()), {});
  RemoteStatus status;
  CHECK(get_text(store, "objects/ab/k.wav", &status) == "only part");
  CHECK(status == RemoteStatus::kFailed);
  CHECK(server.seen().size() == 1);
}

TEST_CASE("a PUT answered 5xx is asked again with the same bytes") {
  ScriptedListener server([](int i) { return i == 0 ? answer(502, "") : answer(201, ""); });
  RemoteStore store(http_config(server.url()), {});
  CHECK(store.put("objects/ab/k.wav", "bytes", /*if_none_match=*/true).status == RemoteStatus::kOk);
  auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].body == "bytes");
  CHECK(seen[1].body == "bytes");
}

TEST_CASE("an S3 request signs the SHA-256 of its payload") {
  ScriptedListener server([](int) { return answer(200, ""); });
  RemoteConfig c;
  c.url = "s3://bucket/prefix";
  c.endpoint = server.url();
  RemoteCredentials creds;
  creds.userpwd = "AKIDTEST:secret";
  RemoteStore store(c, creds);
  CHECK(store.put("meta/k.json", "hello", /*if_none_match=*/false).status == RemoteStatus::kOk);
  CHECK(store.head("meta/k.json").status == RemoteStatus::kOk);
  auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK_THAT(seen[0].head, Catch::StartsWith("PUT /bucket/prefix/meta/k.json"));
  CHECK_THAT(seen[0].head,
             Catch::Contains("x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
  CHECK_THAT(seen[0].head, Catch::Contains("Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
  const std::string head = seen[0].head;
  const size_t signed_headers = head.find("SignedHeaders=");
  REQUIRE(signed_headers != std::string::npos);
  CHECK_THAT(head.substr(signed_headers, head.find(',', signed_headers) - signed_headers),
             Catch::Contains("x-amz-content-sha256"));
  // The empty body's hash for a HEAD.
  CHECK_THAT(seen[1].head,
             Catch::Contains("x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}
