#include "limit/fault_injecting_limiter.hpp"

#include <thread>

namespace polysim::limit {

void FaultInjectingLimiter::set_delay(std::chrono::milliseconds delay) {
  // The delay is published before the mode, so a check that sees Delay also sees this delay.
  delay_ms_.store(delay.count() > 0 ? delay.count() : 0, std::memory_order_release);
  mode_.store(FaultMode::Delay, std::memory_order_release);
}

Decision FaultInjectingLimiter::check(std::span<const WindowTuple> tuples) {
  switch (mode_.load(std::memory_order_acquire)) {
    case FaultMode::PassThrough:
      break;
    case FaultMode::ThrowStoreError:
      throw LimiterStoreError("injected rate limiter store failure");
    case FaultMode::Delay:
      std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms_.load(std::memory_order_acquire)});
      break;
  }
  return inner_.check(tuples);
}

}  // namespace polysim::limit
