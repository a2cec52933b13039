#pragma once

#include "request/result.h"

namespace foley::engines {

// While alive, SIGINT and SIGTERM (Ctrl-C on ninja, which signals its whole
// process group) set `flag()` instead of killing the process, so a
// generation can stop between steps and leave no partial object. The
// destructor restores the previous handlers. Not reentrant: one at a time
// per process.
class ScopedSignalCancel {
 public:
  explicit ScopedSignalCancel(CancelFlag& flag);
  ~ScopedSignalCancel();
  ScopedSignalCancel(const ScopedSignalCancel&) = delete;
  ScopedSignalCancel& operator=(const ScopedSignalCancel&) = delete;

  // The signal that arrived, or 0.
  int signal() const;

  // Restores the handlers and, if a signal arrived, re-raises it so the
  // process ends the way its parent expects ("interrupted by SIGINT").
  void restore_and_reraise();

 private:
  bool restored_ = false;
};

}  // namespace foley::engines
