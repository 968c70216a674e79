// Time sources. Domain code takes a Clock& so tests can drive time; nothing reads the
// system clock directly.
#pragma once
#include <cstdint>

namespace polysim {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC). Used for stored timestamps.
  virtual std::int64_t now_unix_micros() const = 0;
  // Monotonic milliseconds from an arbitrary origin. Used for windows and timeouts.
  virtual std::int64_t monotonic_millis() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_micros() const override;
  std::int64_t monotonic_millis() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t unix_micros = 1'795'000'000'000'000, std::int64_t mono_ms = 1'000'000)
      : unix_micros_(unix_micros), mono_ms_(mono_ms) {}
  std::int64_t now_unix_micros() const override { return unix_micros_; }
  std::int64_t monotonic_millis() const override { return mono_ms_; }
  void advance_millis(std::int64_t ms) {
    mono_ms_ += ms;
    unix_micros_ += ms * 1000;
  }

 private:
  std::int64_t unix_micros_;
  std::int64_t mono_ms_;
};

}  // namespace polysim
