// Time sources. Domain code takes a Clock& so tests can drive time; nothing reads the
// system clock directly.
#pragma once
#include <atomic>
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

// Another clock plus an offset that only grows. The server always runs on one; the offset moves
// only through the admin test endpoint (testing.fault_injection), so integration tests can cross
// windows of minutes or days (rate limits, lockouts, token expiry) without sleeping.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}
  std::int64_t now_unix_micros() const override {
    return base_.now_unix_micros() + offset_ms_.load(std::memory_order_relaxed) * 1000;
  }
  std::int64_t monotonic_millis() const override {
    return base_.monotonic_millis() + offset_ms_.load(std::memory_order_relaxed);
  }
  void advance_millis(std::int64_t ms) { offset_ms_.fetch_add(ms < 0 ? 0 : ms, std::memory_order_relaxed); }

 private:
  const Clock& base_;
  std::atomic<std::int64_t> offset_ms_{0};
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
