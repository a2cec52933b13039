#pragma once

#include <chrono>
#include <cstdint>

namespace foley {

// The wall clock, injected exactly where a test needs to fix or advance time
// (an HTTP date turned into a wait, the cache index's last-use order).
class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time.
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// std::chrono::system_clock.
class RealClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
};

// The process-wide real clock (stateless, never destroyed).
const Clock& real_clock();

// clock.now() as milliseconds since the Unix epoch.
int64_t unix_millis(const Clock& clock);

}  // namespace foley
