#include "app/api_handler.hpp"

#include "core/json_writer.hpp"

namespace polysim::app {

bool is_partner_path(std::string_view path) {
  return path == "/v1/partner" || path.substr(0, 12) == "/v1/partner/";
}

http::Response generic_error(int status, std::string_view code, std::string_view message) {
  http::Response r;
  r.status = status;
  JsonWriter w(r.body);
  w.begin_object();
  w.key("error"); w.string(code);
  w.key("message"); w.string(message);
  w.end_object();
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  return r;
}

Task<http::Response> health_response(http::Request& req, http::BlockingPool& pool, const std::function<bool()>& ready) {
  if (req.method != http::Method::Get && req.method != http::Method::Head) {
    auto r = generic_error(405, "METHOD_NOT_ALLOWED", "Method not allowed.");
    r.set_header("Allow", "GET, HEAD");
    co_return r;
  }
  http::Response r;
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.log_route = req.path == "/healthz" ? std::string_view("/healthz") : std::string_view("/readyz");
  if (req.path == "/healthz") {
    r.body = R"({"status":"ok"})";
    co_return r;
  }
  const bool ok = co_await pool.run([&] { return ready(); });
  r.status = ok ? 200 : 503;
  r.body = ok ? R"({"status":"ready"})" : R"({"status":"unavailable"})";
  co_return r;
}

ApiHandler::ApiHandler(partner::PartnerApi& partner, trader::TraderApi& trader, apps::AppApi& apps,
                       http::BlockingPool& pool, std::function<bool()> ready, dashboard::DashboardApi* dashboard)
    : partner_(partner), trader_(trader), apps_(apps), pool_(pool), ready_(std::move(ready)), dashboard_(dashboard) {}

Task<http::Response> ApiHandler::handle(http::Request& req, http::BodyReader& body) {
  if (is_partner_path(req.path)) co_return co_await partner_.handle(req, body);
  if (trader::is_trader_path(req.path)) co_return co_await trader_.handle(req, body);
  if (apps::is_app_path(req.path)) co_return co_await apps_.handle(req, body);
  if (req.path == "/healthz" || req.path == "/readyz") co_return co_await health_response(req, pool_, ready_);
  if (dashboard_ && dashboard::is_dashboard_path(req.path)) co_return co_await dashboard_->handle(req, body);
  co_return generic_error(404, "NOT_FOUND", "Not found.");
}

http::Response ApiHandler::protocol_error(int status, std::string_view path) {
  if (is_partner_path(path)) return partner_.protocol_error(status);
  if (trader::is_trader_path(path)) return trader_.protocol_error(status);
  if (apps::is_app_path(path)) return apps_.protocol_error(status);
  if (dashboard_ && dashboard::is_dashboard_path(path)) return dashboard_->protocol_error(status);
  switch (status) {
    case 400: return generic_error(400, "BAD_REQUEST", "Malformed request.");
    case 413: return generic_error(413, "PAYLOAD_TOO_LARGE", "Request body is too large.");
    case 414: return generic_error(414, "URI_TOO_LONG", "Request URL is too long.");
    case 431: return generic_error(431, "HEADERS_TOO_LARGE", "Request headers are too large.");
    case 503: return generic_error(503, "SERVICE_UNAVAILABLE", "Service unavailable. Retry.");
    default: return generic_error(500, "INTERNAL_ERROR", "Internal error.");
  }
}

}  // namespace polysim::app
