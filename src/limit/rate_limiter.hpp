// The one rate-limit decision every API surface shares. A surface picks the (bucket, limit,
// window) tuples that apply to a request and renders the resulting states as headers itself; the
// limiter only guarantees that the tuples are decided together: either every window admits and is
// charged, or nothing is charged at all.
//
// Semantics (exact sliding log): per (bucket, window_ms) the limiter remembers the admission
// instants newer than now - window_ms. A tuple blocks when that count has reached its limit, so
// no interval (t - window_ms, t] ever holds more than `limit` admissions.
//
// Tuples naming the same (bucket, window_ms) pair share one log and one charge: a request is one
// admission, however many of its tuples point at the same log. Each such tuple is still judged
// against its own limit, so listing a pair twice with different limits behaves like the smaller
// limit. A limit of 0 blocks every request.
#pragma once
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace polysim::limit {

struct WindowTuple {
  std::string bucket;
  std::int64_t limit = 0;      // admissions allowed per window; >= 0
  std::int64_t window_ms = 0;  // > 0
};

// A tuple's state after the decision, in the terms surfaces put into headers.
struct WindowState {
  std::int64_t limit = 0;
  std::int64_t window_ms = 0;
  // Admissions in the window, including this request when it was admitted.
  std::int64_t count = 0;
  std::int64_t remaining = 0;  // max(0, limit - count)
  bool blocking = false;
  // When blocking: ms until enough admissions slide out for one more to fit (>= 1). 0 otherwise.
  // With a limit of 0 nothing ever fits; the window length is reported as the honest upper bound
  // of "try again later".
  std::int64_t retry_after_ms = 0;
  // ms until the oldest admission in the window slides out; 0 when the window is empty.
  std::int64_t reset_ms = 0;
};

struct Decision {
  bool admitted = true;
  std::vector<WindowState> windows;  // one per tuple, in tuple order
};

// The backing store could not answer; callers fail open rather than reject traffic.
struct LimiterStoreError : std::runtime_error {
  using runtime_error::runtime_error;
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Throws LimiterStoreError when the backing store fails (a remote store may or may not have
  // charged the request by then) and std::invalid_argument, charging nothing, for a tuple with
  // limit < 0 or window_ms <= 0.
  virtual Decision check(std::span<const WindowTuple> tuples) = 0;
};

}  // namespace polysim::limit
