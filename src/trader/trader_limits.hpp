// The trader surface's rate-limit tiers (seed 002, 20-trader-api.md §3): which tier a route is
// in, the bucket it charges, the RateLimit-* headers and the seed's 429 body. The counting
// itself is the shared limiter module's.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "http/response.hpp"
#include "limit/fail_open_guard.hpp"

namespace polysim::trader {

enum class Tier { Auth, PasswordChange, MfaVerify, Refresh, DesktopSync, Default };

struct TierPolicy {
  std::string_view name;  // part of the bucket key
  std::int64_t limit;
  std::int64_t window_ms;
  std::string_view metric;  // the policy label of polysim_ratelimit_decisions_total
};

const TierPolicy& policy_of(Tier tier);

// The outcome in header terms. `metered` is false when the limiter failed open.
struct TierVerdict {
  bool admitted = true;
  bool metered = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;
  std::int64_t window_s = 0;
};

// Charges one request to (tier, bucket) unless the window is full.
TierVerdict charge(limit::FailOpenGuard& limiter, Tier tier, std::string_view bucket);

void apply_tier_headers(http::Response& response, const TierVerdict& verdict);

// "Too many requests. Limit is 200 requests per minute." and the seed's body around it.
std::string limit_message(const TierPolicy& policy);
http::Response rate_limited_response(Tier tier, const TierVerdict& verdict);

}  // namespace polysim::trader
