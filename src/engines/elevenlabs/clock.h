#pragma once

#include <chrono>
#include <functional>

namespace foley::engines {

// Waits between attempts. Injected so that tests record the waits asked for
// instead of sleeping (DESIGN §6: a small interface exactly where a test needs a fake).
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Blocks the calling thread for `seconds` (>= 0).
  virtual void sleep(double seconds) = 0;
};

// The wall clock, for turning an HTTP date (Retry-After) into a wait.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC time.
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// A uniform random number in [0, 1), for the retry jitter. Must be thread-safe.
using UniformRandom = std::function<double()>;

// std::this_thread::sleep_for.
class RealSleeper : public Sleeper {
 public:
  void sleep(double seconds) override;
};

// std::chrono::system_clock.
class RealClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
};

// A thread-safe source of uniform [0, 1) numbers seeded from std::random_device.
UniformRandom real_uniform_random();

// The process-wide real sleeper and clock (stateless, never destroyed).
Sleeper& real_sleeper();
const Clock& real_clock();

}  // namespace foley::engines
