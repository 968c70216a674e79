// Wraps a limiter so a test deployment can make its store fail or stall on demand, exercising
// the fail-open path of the real binary. Only wired in when a testing setting enables it.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>

#include "limit/rate_limiter.hpp"

namespace polysim::limit {

enum class FaultMode : std::uint8_t {
  PassThrough,
  ThrowStoreError,  // every check throws LimiterStoreError without reaching the inner limiter
  Delay,            // every check sleeps for the configured delay, then passes through
};

class FaultInjectingLimiter final : public RateLimiter {
 public:
  explicit FaultInjectingLimiter(RateLimiter& inner) : inner_(inner) {}

  // Safe to call while other threads are checking; checks already under way keep the mode they
  // started with.
  void set_pass_through() { mode_.store(FaultMode::PassThrough, std::memory_order_release); }
  void set_throw_store_error() { mode_.store(FaultMode::ThrowStoreError, std::memory_order_release); }
  void set_delay(std::chrono::milliseconds delay);

  FaultMode mode() const { return mode_.load(std::memory_order_acquire); }
  std::chrono::milliseconds delay() const {
    return std::chrono::milliseconds{delay_ms_.load(std::memory_order_acquire)};
  }

  Decision check(std::span<const WindowTuple> tuples) override;

 private:
  RateLimiter& inner_;
  std::atomic<FaultMode> mode_{FaultMode::PassThrough};
  std::atomic<std::int64_t> delay_ms_{0};
};

}  // namespace polysim::limit
