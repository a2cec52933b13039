#include "common/clock.h"

namespace foley {

std::chrono::system_clock::time_point RealClock::now() const { return std::chrono::system_clock::now(); }

const Clock& real_clock() {
  static RealClock* clock = new RealClock();
  return *clock;
}

int64_t unix_millis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
}

}  // namespace foley
