#include "core/clock.hpp"

#include <chrono>

namespace polysim {

std::int64_t SystemClock::now_unix_micros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t SystemClock::monotonic_millis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace polysim
