#include "app/admin_handler.hpp"

#include "app/api_handler.hpp"
#include "app/market_admin.hpp"
#include "core/crypto.hpp"
#include "core/json_input.hpp"

namespace polysim::app {

namespace {
bool is_loopback(std::string_view ip) { return ip.substr(0, 4) == "127." || ip == "::1"; }
}  // namespace

AdminHandler::AdminHandler(ops::Metrics& metrics, http::BlockingPool& pool, std::function<bool()> ready,
                           std::string admin_token, limit::FaultInjectingLimiter* faults, OffsetClock* clock_control,
                           engine::Engine* engine, FeedControls feeds)
    : metrics_(metrics),
      pool_(pool),
      ready_(std::move(ready)),
      admin_token_(std::move(admin_token)),
      faults_(faults),
      clock_control_(clock_control),
      engine_(engine),
      feeds_(feeds) {}

Task<http::Response> AdminHandler::handle(http::Request& req, http::BodyReader& body) {
  if (!is_loopback(req.peer_ip)) {
    auto auth = req.header("Authorization").value_or("");
    const std::string expected = "Bearer " + admin_token_;
    if (admin_token_.empty() || !constant_time_equal(auth, expected))
      co_return generic_error(401, "UNAUTHORIZED", "Admin token required.");
  }
  if (req.path == "/healthz" || req.path == "/readyz") co_return co_await health_response(req, pool_, ready_);
  if (req.path == "/metrics") {
    http::Response r;
    r.body = metrics_.render_prometheus();
    r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.log_route = "/metrics";
    co_return r;
  }
  if (engine_) {
    // Named, not a temporary inside the co_await: GCC 12 destroys such temporaries twice.
    auto market_route = handle_market_admin(req, body, *engine_, pool_);
    auto answered = co_await std::move(market_route);
    if (answered) co_return std::move(*answered);
    auto feed_route = handle_feed_admin(req, body, feeds_);
    auto feed_answer = co_await std::move(feed_route);
    if (feed_answer) co_return std::move(*feed_answer);
  }
  if (faults_ && req.path == "/admin/test/limiter-fault" && req.method == http::Method::Post) {
    std::string text;
    if (co_await body.read(4096, text) != http::BodyStatus::Ok) co_return generic_error(400, "BAD_REQUEST", "Unreadable body.");
    auto parsed = parse_json(text);
    const auto* value = std::get_if<JsonValue>(&parsed);
    const auto* mode = value && value->is_object() ? value->find("mode") : nullptr;
    if (!mode || !mode->is_string()) co_return generic_error(422, "VALIDATION_FAILED", "mode must be off, throw or delay");
    if (mode->as_string() == "off") faults_->set_pass_through();
    else if (mode->as_string() == "throw") faults_->set_throw_store_error();
    else if (mode->as_string() == "delay") {
      const auto* ms = value->find("delay_ms");
      auto n = ms ? json_integer(*ms) : std::nullopt;
      if (!n || *n < 0 || *n > 10'000) co_return generic_error(422, "VALIDATION_FAILED", "delay_ms must be 0-10000");
      faults_->set_delay(std::chrono::milliseconds(*n));
    } else {
      co_return generic_error(422, "VALIDATION_FAILED", "mode must be off, throw or delay");
    }
    http::Response r;
    r.body = R"({"status":"ok"})";
    r.set_header("Content-Type", "application/json; charset=utf-8");
    co_return r;
  }
  if (clock_control_ && req.path == "/admin/test/clock" && req.method == http::Method::Post) {
    std::string text;
    if (co_await body.read(4096, text) != http::BodyStatus::Ok) co_return generic_error(400, "BAD_REQUEST", "Unreadable body.");
    auto parsed = parse_json(text);
    const auto* value = std::get_if<JsonValue>(&parsed);
    const auto* advance = value && value->is_object() ? value->find("advance_ms") : nullptr;
    auto ms = advance ? json_integer(*advance) : std::nullopt;
    if (!ms || *ms < 0 || *ms > 400LL * 86'400'000)
      co_return generic_error(422, "VALIDATION_FAILED", "advance_ms must be 0 to 400 days in milliseconds");
    clock_control_->advance_millis(*ms);
    http::Response r;
    r.body = R"({"status":"ok"})";
    r.set_header("Content-Type", "application/json; charset=utf-8");
    co_return r;
  }
  co_return generic_error(404, "NOT_FOUND", "Not found.");
}

http::Response AdminHandler::protocol_error(int status, std::string_view) {
  return generic_error(status, status == 503 ? "SERVICE_UNAVAILABLE" : "BAD_REQUEST", "Request refused.");
}

}  // namespace polysim::app
