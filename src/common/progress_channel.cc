#include "common/progress_channel.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace foley {
namespace {

// Fields are tab-separated; tabs and newlines inside a field become spaces.
std::string field(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c == '\t' || c == '\n') c = ' ';
  return out;
}

bool socket_address(const std::string& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

std::string ProgressEvent::encode() const {
  char fraction_text[32];
  std::snprintf(fraction_text, sizeof fraction_text, "%.4f", fraction);
  return "foley-progress-1\t" + field(key) + "\t" + field(cues) + "\t" + field(engine) + "\t" + field(profile) +
         "\t" + fraction_text + "\t" + (done ? "1" : "0") + "\t" + field(what);
}

bool ProgressEvent::decode(const std::string& datagram, ProgressEvent& out) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t tab = datagram.find('\t', start);
    parts.push_back(datagram.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  if (parts.size() != 8 || parts[0] != "foley-progress-1") return false;
  out.key = parts[1];
  out.cues = parts[2];
  out.engine = parts[3];
  out.profile = parts[4];
  out.fraction = std::atof(parts[5].c_str());
  out.done = parts[6] == "1";
  out.what = parts[7];
  return true;
}

std::unique_ptr<ProgressSender> ProgressSender::from_environment() {
  const char* path = std::getenv(kProgressSocketVariable);
  if (path == nullptr || *path == '\0') return nullptr;
  return std::make_unique<ProgressSender>(path);
}

ProgressSender::ProgressSender(std::string socket_path) : path_(std::move(socket_path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

ProgressSender::~ProgressSender() {
  if (fd_ >= 0) ::close(fd_);
}

void ProgressSender::send(const ProgressEvent& event) {
  sockaddr_un addr;
  if (fd_ < 0 || !socket_address(path_, addr)) return;
  const std::string msg = event.encode();
  // Non-blocking: a full queue or a display that went away drops the report.
  (void)::sendto(fd_, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
}

ProgressReporter::ProgressReporter(ProgressEvent identity, const std::string& first_what)
    : sender_(ProgressSender::from_environment()), event_(std::move(identity)) {
  progress(0.0, first_what);
}

ProgressReporter::ProgressReporter(ProgressEvent identity, const std::string& first_what,
                                   const std::string& socket_path)
    : sender_(socket_path.empty() ? nullptr : std::make_unique<ProgressSender>(socket_path)),
      event_(std::move(identity)) {
  progress(0.0, first_what);
}

ProgressReporter::~ProgressReporter() {
  if (!sender_) return;
  event_.done = true;
  sender_->send(event_);
}

void ProgressReporter::progress(double fraction, const std::string& what) {
  if (!sender_) return;
  event_.fraction = fraction;
  event_.what = what;
  sender_->send(event_);
}

ProgressReceiver::ProgressReceiver() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "foley-progress-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw Error::failure(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  path_ = dir_ + "/socket";
  sockaddr_un addr;
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || !socket_address(path_, addr) ||
      ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    ::rmdir(dir_.c_str());
    throw Error::failure("cannot open the progress socket " + path_ + ": " + why);
  }
}

ProgressReceiver::~ProgressReceiver() {
  ::close(fd_);
  ::unlink(path_.c_str());
  ::rmdir(dir_.c_str());
}

std::vector<ProgressEvent> ProgressReceiver::drain() {
  std::vector<ProgressEvent> out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    ProgressEvent e;
    if (ProgressEvent::decode(std::string(buf, static_cast<size_t>(n)), e)) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace foley
