// The App API's rate limits (30-partner-apps.md §3): the scopes one request is charged to, all
// decided in one limiter call, and the headers of the charged scope with the fewest remaining.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/response.hpp"
#include "limit/fail_open_guard.hpp"

namespace polysim::apps {

using WindowList = std::vector<std::pair<std::int64_t, std::int64_t>>;  // (limit, window ms)

struct AppLimitSettings {
  WindowList ip{{100, 60'000}};
  WindowList app{{500, 60'000}};
  WindowList auth_start_ip{{10, 60'000}};
  WindowList auth_start_email{{1, 60'000}, {5, 3'600'000}};
  WindowList auth_verify_ip{{30, 300'000}};
};

struct AppScope {
  std::string bucket;  // "ip:1.2.3.4", "app:app_…", …
  const WindowList* windows = nullptr;
};

struct AppLimitVerdict {
  bool admitted = true;
  bool metered = false;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;
  std::int64_t retry_after_s = 0;  // refused: the longest wait among blocking windows
};

AppLimitVerdict charge_app_scopes(limit::FailOpenGuard& limiter, const std::vector<AppScope>& scopes);
void apply_app_limit_headers(http::Response& response, const AppLimitVerdict& verdict);
std::string too_many_requests_message(std::int64_t retry_after_s);

}  // namespace polysim::apps
