#include "partner/rate_limit_policy.hpp"

#include <algorithm>
#include <charconv>

namespace polysim::partner {

namespace {
std::int64_t ceil_seconds(std::int64_t ms) { return (ms + 999) / 1000; }
}  // namespace

std::vector<limit::WindowTuple> partner_windows(const store::TenantRecord& tenant, const std::string& key_id) {
  const std::string t = "p:t:" + tenant.id;
  const std::string k = "p:k:" + key_id;
  return {{t, tenant.tenant_per_second, 1000},
          {t, tenant.tenant_per_minute, 60000},
          {k, tenant.key_per_second, 1000},
          {k, tenant.key_per_minute, 60000}};
}

RateLimitView view_of(const limit::Decision& d) {
  const auto& tenant_second = d.windows.at(0);
  const auto& tenant_minute = d.windows.at(1);
  const auto& key_second = d.windows.at(2);
  const auto& key_minute = d.windows.at(3);
  // Per window report the scope with fewer remaining; ties report the tenant.
  const auto& minute = key_minute.remaining < tenant_minute.remaining ? key_minute : tenant_minute;
  const auto& second = key_second.remaining < tenant_second.remaining ? key_second : tenant_second;
  RateLimitView v;
  v.limit = minute.limit;
  v.remaining = std::max<std::int64_t>(0, minute.limit - minute.count);
  v.reset_s = minute.count == 0 ? 0 : ceil_seconds(minute.reset_ms);
  v.limit_per_second = second.limit;
  v.remaining_per_second = std::max<std::int64_t>(0, second.limit - second.count);
  if (!d.admitted) {
    std::int64_t retry = 0;
    bool only_reported_minute = true;
    for (const auto& w : d.windows) {
      if (!w.blocking) continue;
      const std::int64_t n = w.window_ms <= 1000 ? 1 : ceil_seconds(w.retry_after_ms);
      retry = std::max(retry, n);
      if (&w != &minute) only_reported_minute = false;
    }
    v.retry_after_s = std::max<std::int64_t>(1, retry);
    if (only_reported_minute) v.reset_s = v.retry_after_s;
  }
  return v;
}

RateLimitView unmetered_view(const store::TenantRecord* tenant) {
  RateLimitView v;
  if (tenant) {
    v.limit = std::min(tenant->tenant_per_minute, tenant->key_per_minute);
    v.limit_per_second = std::min(tenant->tenant_per_second, tenant->key_per_second);
  }
  v.remaining = v.limit;
  v.remaining_per_second = v.limit_per_second;
  v.reset_s = 0;
  return v;
}

void apply_rate_limit_headers(http::Response& r, const RateLimitView& v) {
  struct Named {
    std::string_view plain;
    std::string_view alias;
    std::int64_t value;
  };
  const Named values[] = {
      {"X-RateLimit-Limit", "X-Polysim-RateLimit-Limit", v.limit},
      {"X-RateLimit-Remaining", "X-Polysim-RateLimit-Remaining", v.remaining},
      {"X-RateLimit-Reset", "X-Polysim-RateLimit-Reset", v.reset_s},
      {"X-RateLimit-Limit-Per-Second", "X-Polysim-RateLimit-Limit-Per-Second", v.limit_per_second},
      {"X-RateLimit-Remaining-Per-Second", "X-Polysim-RateLimit-Remaining-Per-Second", v.remaining_per_second},
  };
  for (const auto& n : values) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n.value);
    const std::string_view text(digits, static_cast<std::size_t>(end - digits));
    r.set_header(n.plain, text);
    r.set_header(n.alias, text);
  }
  if (v.retry_after_s > 0) r.set_header("Retry-After", std::to_string(v.retry_after_s));
}

}  // namespace polysim::partner
