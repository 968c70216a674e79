#include "trader/trader_limits.hpp"

#include <algorithm>
#include <charconv>

#include "core/json_writer.hpp"

namespace polysim::trader {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;

constexpr TierPolicy kPolicies[] = {
    {"auth", 10, 15 * kMinuteMs, "trader_auth"},
    {"password", 3, 60 * kMinuteMs, "trader_password_change"},
    {"mfa", 10, 15 * kMinuteMs, "trader_mfa_verify"},
    {"refresh", 100, 15 * kMinuteMs, "trader_refresh"},
    {"sync", 60, kMinuteMs, "trader_desktop_sync"},
    {"default", 200, kMinuteMs, "trader_default"},
};

std::int64_t ceil_seconds(std::int64_t ms) { return (ms + 999) / 1000; }

std::string window_phrase(std::int64_t window_ms) {
  if (window_ms == kMinuteMs) return "minute";
  if (window_ms == 60 * kMinuteMs) return "hour";
  if (window_ms % kMinuteMs == 0) return std::to_string(window_ms / kMinuteMs) + " minutes";
  return std::to_string(ceil_seconds(window_ms)) + " seconds";
}

}  // namespace

const TierPolicy& policy_of(Tier tier) { return kPolicies[static_cast<int>(tier)]; }

TierVerdict charge(limit::FailOpenGuard& limiter, Tier tier, std::string_view bucket) {
  const auto& p = policy_of(tier);
  TierVerdict v;
  v.limit = p.limit;
  v.window_s = ceil_seconds(p.window_ms);
  std::string key = "tr:";
  key += p.name;
  key += ':';
  key += bucket;
  const limit::WindowTuple tuple[] = {{std::move(key), p.limit, p.window_ms}};
  auto decision = limiter.decide(tuple, p.metric);
  if (!decision) {
    v.metered = false;
    v.remaining = p.limit;
    v.reset_s = v.window_s;
    return v;
  }
  const auto& w = decision->windows.front();
  v.admitted = decision->admitted;
  v.remaining = v.admitted ? std::max<std::int64_t>(0, w.limit - w.count) : 0;
  const auto until_oldest_leaves = v.admitted ? w.reset_ms : w.retry_after_ms;
  v.reset_s = until_oldest_leaves > 0 ? std::max<std::int64_t>(1, ceil_seconds(until_oldest_leaves)) : v.window_s;
  return v;
}

void apply_tier_headers(http::Response& r, const TierVerdict& v) {
  char digits[24];
  auto put = [&](std::string_view name, std::int64_t value) {
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    r.set_header(name, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  };
  put("RateLimit-Limit", v.limit);
  put("RateLimit-Remaining", v.remaining);
  put("RateLimit-Reset", v.reset_s);
  r.set_header("RateLimit-Policy", std::to_string(v.limit) + ";w=" + std::to_string(v.window_s));
  if (!v.admitted) put("Retry-After", v.reset_s);
}

std::string limit_message(const TierPolicy& p) {
  return "Too many requests. Limit is " + std::to_string(p.limit) + " requests per " + window_phrase(p.window_ms) + ".";
}

http::Response rate_limited_response(Tier tier, const TierVerdict& v) {
  http::Response r;
  r.status = 429;
  JsonWriter w(r.body);
  w.begin_object();
  w.key("error"); w.string("rate_limited");
  w.key("message"); w.string(limit_message(policy_of(tier)));
  w.key("code"); w.string("RATE_LIMIT_EXCEEDED");
  w.key("retryAfter"); w.number(v.reset_s);
  w.end_object();
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace polysim::trader
