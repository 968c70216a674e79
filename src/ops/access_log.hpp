// The request observer: one structured log line per request (time, level, request id,
// tenant, route, status, latency) and the request metrics.
#pragma once
#include <memory>

#include "http/server.hpp"
#include "ops/metrics.hpp"

namespace spdlog {
class logger;
}

namespace polysim::ops {

class AccessLog final : public http::RequestObserver {
 public:
  AccessLog(std::shared_ptr<spdlog::logger> logger, Metrics& metrics, bool enabled, bool json);
  void on_response(std::string_view listener, const http::Request& request, const http::Response& response,
                   std::chrono::microseconds latency) override;
  void on_connection_rejected(std::string_view listener) override;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  Metrics& metrics_;
  bool enabled_;
  bool json_;
};

}  // namespace polysim::ops
