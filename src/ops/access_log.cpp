#include "ops/access_log.hpp"

#include <spdlog/spdlog.h>

#include "core/json_writer.hpp"

namespace polysim::ops {

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, Metrics& metrics, bool enabled, bool json)
    : logger_(std::move(logger)), metrics_(metrics), enabled_(enabled), json_(json) {}

void AccessLog::on_response(std::string_view listener, const http::Request& req, const http::Response& res,
                            std::chrono::microseconds latency) {
  const std::string_view route = res.log_route.empty() ? std::string_view("unmatched") : std::string_view(res.log_route);
  const std::string_view path = res.log_path.empty() ? req.path : std::string_view(res.log_path);
  metrics_.record_request(listener, route, res.status, latency.count());
  if (!enabled_ || !logger_->should_log(spdlog::level::info)) return;
  if (json_) {
    std::string line;
    JsonWriter w(line);
    w.begin_object();
    w.key("msg"); w.string("request");
    w.key("request_id"); w.string(req.request_id);
    w.key("listener"); w.string(listener);
    w.key("method"); w.string(req.method_text);
    w.key("path"); w.string(path.substr(0, 256));
    w.key("route"); w.string(route);
    w.key("tenant"); w.string(res.log_tenant);
    w.key("status"); w.number(res.status);
    w.key("latency_us"); w.number(latency.count());
    w.key("peer"); w.string(req.peer_ip);
    w.end_object();
    logger_->info("{}", line);
  } else {
    logger_->info("request_id={} {} {} route={} tenant={} status={} latency_us={} peer={}", req.request_id,
                  req.method_text, path.substr(0, 256), route, res.log_tenant.empty() ? "-" : res.log_tenant,
                  res.status, latency.count(), req.peer_ip);
  }
}

void AccessLog::on_connection_rejected(std::string_view listener) {
  metrics_.record_rejected_connection(std::string(listener));
  logger_->warn("connection refused on {}: connection cap reached", listener);
}

}  // namespace polysim::ops
