// The policy for a limiter that cannot answer: the request goes through unmetered instead of
// failing, because an outage of the limit store must not become an outage of the API. Surfaces
// call decide() and, on nullopt, admit the request with their "unmetered" headers.
//
// The guard cannot interrupt a call that hangs; it only refuses to trust one that came back too
// late. A remote store therefore needs its own I/O timeout near the guard's.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "limit/rate_limiter.hpp"

namespace polysim::limit {

class FailOpenGuard {
 public:
  static constexpr std::chrono::milliseconds kDefaultStoreTimeout{50};

  // `on_store_error` is called (from the checking thread) once per failed or late decision, with
  // a short human-readable reason; it may be empty.
  FailOpenGuard(RateLimiter& limiter, std::function<void(std::string_view reason)> on_store_error,
                std::chrono::milliseconds store_timeout = kDefaultStoreTimeout);

  // nullopt means "fail open": the limiter threw, or answered after the store timeout (an answer
  // that late is not worth the request latency it cost, even if it was a rejection).
  // `policy` names the decision for metrics ("partner", "trader_auth", …); empty: not counted.
  std::optional<Decision> decide(std::span<const WindowTuple> tuples, std::string_view policy = {});

  // Told of every decision that was not a fail-open, with its policy; set before serving.
  void set_decision_observer(std::function<void(std::string_view policy, bool admitted)> observer) {
    on_decision_ = std::move(observer);
  }

  std::uint64_t store_errors() const { return store_errors_.load(std::memory_order_relaxed); }
  std::chrono::milliseconds store_timeout() const { return store_timeout_; }

 private:
  void report(std::string_view reason);

  RateLimiter& limiter_;
  std::function<void(std::string_view)> on_store_error_;
  std::function<void(std::string_view, bool)> on_decision_;
  std::chrono::milliseconds store_timeout_;
  std::atomic<std::uint64_t> store_errors_{0};
};

}  // namespace polysim::limit
