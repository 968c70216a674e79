// Which browser origins may call /api/v1/* (20-trader-api.md §1): those of public_base_url and
// trader_app_url, plus every tenant's redirect_origins. Tenant origins are reloaded in the
// background at most once per TTL, so an operator's change shows within it.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace polysim::trader {

class CorsPolicy {
 public:
  using Loader = std::function<std::vector<std::string>()>;  // every tenant's origins; may block
  using Scheduler = std::function<void(std::function<void()>)>;  // runs work off the event loop

  CorsPolicy(std::vector<std::string> fixed_origins, Loader tenant_origins, Scheduler schedule, const Clock& clock,
             std::chrono::milliseconds ttl);

  // Loads the tenant origins now (at start, before serving).
  void load();
  // The canonical origin when `origin_header` is an allowed origin, else empty. Never blocks; a
  // stale list asks for one background reload.
  std::string allowed(std::string_view origin_header);

 private:
  std::set<std::string> fixed_;
  Loader loader_;
  Scheduler schedule_;
  const Clock& clock_;
  std::int64_t ttl_ms_;
  std::mutex mutex_;
  std::shared_ptr<const std::set<std::string>> tenant_origins_;
  std::int64_t loaded_at_ms_ = 0;
  std::atomic<bool> reloading_{false};
};

}  // namespace polysim::trader
