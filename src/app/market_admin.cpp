#include "app/market_admin.hpp"

#include "app/api_handler.hpp"
#include "app/market_json.hpp"
#include "app/market_operations.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"

namespace polysim::app {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

http::Response market_response(int status, const store::MarketRecord& m) {
  std::string out;
  JsonWriter w(out);
  write_admin_market(w, m);
  return http::json_response(status, std::move(out));
}

http::Response admin_response(int success_status, AdminResult result) {
  if (auto* failure = std::get_if<AdminFailure>(&result))
    return generic_error(failure->status, failure->error, failure->message);
  return http::json_response(success_status, std::get<std::string>(std::move(result)));
}

}  // namespace

Task<std::optional<http::Response>> handle_market_admin(http::Request& req, http::BodyReader& body,
                                                        engine::Engine& engine, http::BlockingPool& pool) {
  std::string_view path = req.path;
  constexpr std::string_view prefix = "/admin/markets";
  if (path.substr(0, prefix.size()) != prefix) co_return std::nullopt;
  path.remove_prefix(prefix.size());
  const bool post = req.method == http::Method::Post;

  std::optional<JsonValue> json;
  if (post && req.has_body()) {
    std::string text;
    if (co_await body.read(kMaxBody, text) != http::BodyStatus::Ok)
      co_return generic_error(413, "PAYLOAD_TOO_LARGE", "Body too large or unreadable.");
    auto parsed = parse_json(text);
    if (auto* e = std::get_if<JsonParseError>(&parsed)) co_return generic_error(400, "INVALID_JSON", e->message);
    json = std::get<JsonValue>(std::move(parsed));
  }

  // Views into req.path, which outlives this handler.
  std::string_view operation = "create";
  std::string_view id;
  if (path.empty() || path == "/") {
    if (!post) {
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("data");
      w.begin_array();
      for (const auto& m : engine.board().markets()) write_admin_market(w, *m);
      w.end_array();
      w.end_object();
      co_return http::json_response(200, std::move(out));
    }
  } else {
    path.remove_prefix(1);
    const auto slash = path.find('/');
    id = path.substr(0, slash);
    const std::string_view action = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    auto market = engine.board().market(id);
    if (!market) co_return generic_error(404, "MARKET_NOT_FOUND", "No such market.");

    if (action.empty() && !post) co_return market_response(200, *market);
    if (action == "book" && !post) {
      std::string out;
      JsonWriter w(out);
      write_admin_books(w, engine.board(), *market, engine.now());
      co_return http::json_response(200, std::move(out));
    }
    if (!post) co_return generic_error(405, "METHOD_NOT_ALLOWED", "Method not allowed.");
    operation = action;
  }

  // The engine_commands runner executes these same operations for the CLI. Named, not
  // temporaries inside the co_await: GCC 12 destroys such temporaries twice.
  auto act = [&engine, operation = std::string(operation), id = std::string(id), json = std::move(json)] {
    return run_market_operation(engine, operation, id, json ? &*json : nullptr);
  };
  auto acting = pool.run(std::move(act));
  auto result = co_await std::move(acting);
  const int success_status = operation == "create" ? 201 : 200;
  co_return admin_response(success_status, std::move(result));
}

}  // namespace polysim::app
