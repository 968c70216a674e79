#include "trader/cors_policy.hpp"

#include "core/origin.hpp"

namespace polysim::trader {

CorsPolicy::CorsPolicy(std::vector<std::string> fixed_origins, Loader tenant_origins, Scheduler schedule,
                       const Clock& clock, std::chrono::milliseconds ttl)
    : loader_(std::move(tenant_origins)),
      schedule_(std::move(schedule)),
      clock_(clock),
      ttl_ms_(ttl.count()),
      tenant_origins_(std::make_shared<const std::set<std::string>>()) {
  for (const auto& url : fixed_origins)
    if (auto o = origin_of_url(url)) fixed_.insert(o->str());
}

void CorsPolicy::load() {
  auto loaded = std::make_shared<std::set<std::string>>();
  for (const auto& text : loader_())
    if (auto o = Origin::parse(text)) loaded->insert(o->str());
  std::lock_guard lock(mutex_);
  tenant_origins_ = std::move(loaded);
  loaded_at_ms_ = clock_.monotonic_millis();
}

std::string CorsPolicy::allowed(std::string_view origin_header) {
  auto origin = Origin::parse(origin_header);
  if (!origin) return {};
  if (fixed_.count(origin->str())) return origin->str();
  std::shared_ptr<const std::set<std::string>> tenants;
  bool stale = false;
  {
    std::lock_guard lock(mutex_);
    tenants = tenant_origins_;
    stale = clock_.monotonic_millis() - loaded_at_ms_ > ttl_ms_;
  }
  if (stale && !reloading_.exchange(true)) {
    schedule_([this] {
      try {
        load();
      } catch (const std::exception&) {
        // Keep the last list; the next request asks again.
      }
      reloading_ = false;
    });
  }
  return tenants->count(origin->str()) ? origin->str() : std::string();
}

}  // namespace polysim::trader
