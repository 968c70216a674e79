#include "apps/app_limits.hpp"

#include <algorithm>
#include <charconv>

namespace polysim::apps {

namespace {

std::int64_t ceil_seconds(std::int64_t ms) { return (ms + 999) / 1000; }

}  // namespace

AppLimitVerdict charge_app_scopes(limit::FailOpenGuard& limiter, const std::vector<AppScope>& scopes) {
  std::vector<limit::WindowTuple> tuples;
  for (const auto& s : scopes)
    for (const auto& [limit, window_ms] : *s.windows)
      tuples.push_back({"app:" + s.bucket + ":" + std::to_string(window_ms), limit, window_ms});
  AppLimitVerdict v;
  if (tuples.empty()) return v;
  auto decision = limiter.decide(tuples, "app");
  if (!decision) {
    v.limit = tuples.front().limit;
    v.remaining = v.limit;
    v.reset_s = ceil_seconds(tuples.front().window_ms);
    return v;
  }
  v.metered = true;
  v.admitted = decision->admitted;
  bool first = true;
  for (const auto& w : decision->windows) {
    const auto remaining = v.admitted ? std::max<std::int64_t>(0, w.limit - w.count) : w.remaining;
    if (w.blocking) v.retry_after_s = std::max(v.retry_after_s, std::max<std::int64_t>(1, ceil_seconds(w.retry_after_ms)));
    if (first || remaining < v.remaining) {
      first = false;
      v.limit = w.limit;
      v.remaining = remaining;
      v.reset_s = w.reset_ms > 0 ? std::max<std::int64_t>(1, ceil_seconds(w.reset_ms)) : 0;
    }
  }
  if (!v.admitted) v.remaining = 0;
  return v;
}

void apply_app_limit_headers(http::Response& r, const AppLimitVerdict& v) {
  char digits[24];
  auto put = [&](std::string_view name, std::int64_t value) {
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    r.set_header(name, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  };
  put("X-RateLimit-Limit", v.limit);
  put("X-RateLimit-Remaining", v.remaining);
  put("X-RateLimit-Reset", v.reset_s);
  if (!v.admitted) put("Retry-After", v.retry_after_s);
}

std::string too_many_requests_message(std::int64_t retry_after_s) {
  return "Too many requests. Retry after " + std::to_string(retry_after_s) + "s.";
}

}  // namespace polysim::apps
