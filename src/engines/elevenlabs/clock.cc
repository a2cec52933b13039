#include "engines/elevenlabs/clock.h"

#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace foley::engines {

void RealSleeper::sleep(double seconds) {
  if (seconds <= 0) return;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

UniformRandom real_uniform_random() {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> dist{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard<std::mutex> lock(state->mutex);
    return state->dist(state->engine);
  };
}

Sleeper& real_sleeper() {
  static RealSleeper* sleeper = new RealSleeper();
  return *sleeper;
}

}  // namespace foley::engines
