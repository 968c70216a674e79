// The partner surface's use of the shared limiter: which windows a request is charged to
// (tenant then key, 1 s and 60 s each) and how the outcome is rendered as headers
// (10-partner-api.md §3).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "http/response.hpp"
#include "limit/rate_limiter.hpp"
#include "store/records.hpp"

namespace polysim::partner {

std::vector<limit::WindowTuple> partner_windows(const store::TenantRecord& tenant, const std::string& key_id);

struct RateLimitView {
  std::int64_t limit = 3000;
  std::int64_t remaining = 3000;
  std::int64_t reset_s = 0;
  std::int64_t limit_per_second = 50;
  std::int64_t remaining_per_second = 50;
  std::int64_t retry_after_s = 0;  // > 0 only when rejected
};

// From a decision over partner_windows() (four windows in that order).
RateLimitView view_of(const limit::Decision& decision);
// Limiter not consulted or unavailable: the tenant's configured limits, nothing used.
RateLimitView unmetered_view(const store::TenantRecord* tenant);

void apply_rate_limit_headers(http::Response& response, const RateLimitView& view);

}  // namespace polysim::partner
