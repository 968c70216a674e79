// The API listener's entry: sends each request to the surface that owns its path prefix,
// and answers the liveness and readiness probes.
#pragma once
#include <atomic>
#include <functional>

#include "apps/app_api.hpp"
#include "dashboard/dashboard_api.hpp"
#include "http/blocking_pool.hpp"
#include "http/server.hpp"
#include "partner/partner_api.hpp"
#include "trader/trader_api.hpp"

namespace polysim::app {

class ApiHandler final : public http::RequestHandler {
 public:
  // `ready` reports whether the server can serve (database reachable, not draining).
  ApiHandler(partner::PartnerApi& partner, trader::TraderApi& trader, apps::AppApi& apps, http::BlockingPool& pool,
             std::function<bool()> ready, dashboard::DashboardApi* dashboard = nullptr);
  Task<http::Response> handle(http::Request& request, http::BodyReader& body) override;
  http::Response protocol_error(int status, std::string_view path) override;

 private:
  partner::PartnerApi& partner_;
  trader::TraderApi& trader_;
  apps::AppApi& apps_;
  http::BlockingPool& pool_;
  std::function<bool()> ready_;
  dashboard::DashboardApi* dashboard_;
};

bool is_partner_path(std::string_view path);
http::Response generic_error(int status, std::string_view code, std::string_view message);
Task<http::Response> health_response(http::Request& request, http::BlockingPool& pool, const std::function<bool()>& ready);

}  // namespace polysim::app
