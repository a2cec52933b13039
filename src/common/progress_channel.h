#pragma once

#include <memory>
#include <string>
#include <vector>

namespace foley {

// How generations running under ninja tell `foley build` how far they are:
// one datagram per progress report on a Unix socket whose path `foley build`
// puts in FOLEY_PROGRESS_SOCKET. Lossy by design: a report that cannot be sent
// at once is dropped, and a generation never waits on the display.
inline constexpr const char* kProgressSocketVariable = "FOLEY_PROGRESS_SOCKET";

struct ProgressEvent {
  std::string key;       // the generation's gen key
  std::string cues;      // the qualified ids it serves, ", "-separated
  std::string engine;    // engine type
  std::string profile;
  double fraction = 0.0;
  std::string what;      // "step 3/20", "12.3 KiB received", "starting"
  bool done = false;     // the generation ended (made, found, or failed)

  std::string encode() const;
  // Returns false for a datagram that is not an event.
  static bool decode(const std::string& datagram, ProgressEvent& out);
};

// The sending side, in foley-gen. Null when FOLEY_PROGRESS_SOCKET is unset.
class ProgressSender {
 public:
  static std::unique_ptr<ProgressSender> from_environment();
  explicit ProgressSender(std::string socket_path);
  ~ProgressSender();
  ProgressSender(const ProgressSender&) = delete;
  ProgressSender& operator=(const ProgressSender&) = delete;
  void send(const ProgressEvent& event);

 private:
  std::string path_;
  int fd_ = -1;
};

// One generation's reports: "starting" when made, then each progress(), then
// done when destroyed. Does nothing outside `foley build` (no socket named).
class ProgressReporter {
 public:
  // `identity`: key, cues, engine, profile (its fraction and what are set here).
  ProgressReporter(ProgressEvent identity, const std::string& first_what = "starting");
  // Reports to `socket_path` (a build's socket a resident server was told of)
  // rather than the one this process's environment names; "" reports nothing.
  ProgressReporter(ProgressEvent identity, const std::string& first_what, const std::string& socket_path);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  bool active() const { return sender_ != nullptr; }
  void progress(double fraction, const std::string& what);

 private:
  std::unique_ptr<ProgressSender> sender_;
  ProgressEvent event_;
};

// The receiving side, in `foley build`: binds a fresh socket (removed on
// destruction) and hands out what arrived.
class ProgressReceiver {
 public:
  // Binds a socket in a fresh folder under $TMPDIR (a Unix socket path must
  // stay short, which a project's folder may not). Throws foley::Error.
  ProgressReceiver();
  ~ProgressReceiver();
  ProgressReceiver(const ProgressReceiver&) = delete;
  ProgressReceiver& operator=(const ProgressReceiver&) = delete;

  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  // Every event waiting now; never blocks.
  std::vector<ProgressEvent> drain();

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace foley
