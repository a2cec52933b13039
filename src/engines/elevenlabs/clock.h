#pragma once

#include <functional>

#include "common/clock.h"

namespace foley::engines {

// Waits between attempts. Injected so that tests record the waits asked for
// instead of sleeping (DESIGN §6: a small interface exactly where a test needs a fake).
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Blocks the calling thread for `seconds` (>= 0).
  virtual void sleep(double seconds) = 0;
};

// A uniform random number in [0, 1), for the retry jitter. Must be thread-safe.
using UniformRandom = std::function<double()>;

// std::this_thread::sleep_for.
class RealSleeper : public Sleeper {
 public:
  void sleep(double seconds) override;
};

// A thread-safe source of uniform [0, 1) numbers seeded from std::random_device.
UniformRandom real_uniform_random();

// The process-wide real sleeper (stateless, never destroyed).
Sleeper& real_sleeper();

}  // namespace foley::engines
