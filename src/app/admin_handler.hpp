// The admin listener: Prometheus metrics, probes, and (only with testing.fault_injection) the
// switches tests use to make the limiter's store fail. Off loopback it requires admin.token.
#pragma once
#include <functional>
#include <string>

#include "http/blocking_pool.hpp"
#include "http/server.hpp"
#include "limit/fault_injecting_limiter.hpp"
#include "core/clock.hpp"
#include "app/feed_admin.hpp"
#include "engine/engine.hpp"
#include "ops/metrics.hpp"

namespace polysim::app {

class AdminHandler final : public http::RequestHandler {
 public:
  AdminHandler(ops::Metrics& metrics, http::BlockingPool& pool, std::function<bool()> ready, std::string admin_token,
               limit::FaultInjectingLimiter* faults, OffsetClock* clock_control, engine::Engine* engine = nullptr,
               FeedControls feeds = {});
  Task<http::Response> handle(http::Request& request, http::BodyReader& body) override;
  http::Response protocol_error(int status, std::string_view path) override;

 private:
  ops::Metrics& metrics_;
  http::BlockingPool& pool_;
  std::function<bool()> ready_;
  std::string admin_token_;
  limit::FaultInjectingLimiter* faults_;
  OffsetClock* clock_control_;
  engine::Engine* engine_;
  FeedControls feeds_;
};

}  // namespace polysim::app
