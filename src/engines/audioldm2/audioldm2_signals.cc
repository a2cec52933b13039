#include "engines/audioldm2/audioldm2_signals.h"

#include <csignal>

namespace foley::engines {
namespace {

std::atomic<int> g_signal{0};
CancelFlag* g_flag = nullptr;
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  g_signal.store(sig);
  if (g_flag != nullptr) g_flag->store(true);
}

}  // namespace

ScopedSignalCancel::ScopedSignalCancel(CancelFlag& flag) {
  g_signal.store(0);
  g_flag = &flag;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

ScopedSignalCancel::~ScopedSignalCancel() {
  if (!restored_) {
    ::sigaction(SIGINT, &g_old_int, nullptr);
    ::sigaction(SIGTERM, &g_old_term, nullptr);
    g_flag = nullptr;
  }
}

int ScopedSignalCancel::signal() const { return g_signal.load(); }

void ScopedSignalCancel::restore_and_reraise() {
  if (restored_) return;
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  g_flag = nullptr;
  restored_ = true;
  if (int sig = g_signal.load(); sig != 0) ::raise(sig);
}

}  // namespace foley::engines
