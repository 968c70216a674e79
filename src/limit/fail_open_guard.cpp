#include "limit/fail_open_guard.hpp"

#include <exception>
#include <string>
#include <utility>

namespace polysim::limit {

FailOpenGuard::FailOpenGuard(RateLimiter& limiter, std::function<void(std::string_view)> on_store_error,
                             std::chrono::milliseconds store_timeout)
    : limiter_(limiter), on_store_error_(std::move(on_store_error)), store_timeout_(store_timeout) {}

std::optional<Decision> FailOpenGuard::decide(std::span<const WindowTuple> tuples, std::string_view policy) {
  using std::chrono::steady_clock;
  const auto started = steady_clock::now();
  std::optional<Decision> decision;
  try {
    decision = limiter_.check(tuples);
  } catch (const LimiterStoreError& error) {
    report(std::string("rate limiter store error: ") + error.what());
    return std::nullopt;
  } catch (const std::exception& error) {
    // Not a store failure, but the request still deserves an answer rather than a 500.
    report(std::string("rate limiter failed: ") + error.what());
    return std::nullopt;
  }
  const auto elapsed = steady_clock::now() - started;
  if (elapsed > store_timeout_) {
    const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    report("rate limiter answered after " + std::to_string(elapsed_ms) + " ms, over the " +
           std::to_string(store_timeout_.count()) + " ms store timeout");
    return std::nullopt;
  }
  if (on_decision_ && !policy.empty()) on_decision_(policy, decision->admitted);
  return decision;
}

void FailOpenGuard::report(std::string_view reason) {
  store_errors_.fetch_add(1, std::memory_order_relaxed);
  if (on_store_error_) on_store_error_(reason);
}

}  // namespace polysim::limit
