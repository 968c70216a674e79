#include "app/market_admin.hpp"

#include <regex>

#include "app/api_handler.hpp"
#include "core/decimal.hpp"
#include "core/encoding.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "engine/book_json.hpp"
#include "engine/maker_fill.hpp"
#include "app/market_json.hpp"

namespace polysim::app {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

http::Response engine_error(const engine::EngineError& e) {
  return generic_error(engine::default_status(e.code), engine::code_name(e.code), e.message);
}

http::Response invalid(std::string message) { return generic_error(422, "VALIDATION_FAILED", message); }

http::Response market_response(int status, const store::MarketRecord& m) {
  std::string out;
  JsonWriter w(out);
  write_admin_market(w, m);
  return http::json_response(status, std::move(out));
}

std::optional<std::string> text_field(const JsonValue& v, std::string_view key) {
  const auto* f = v.find(key);
  if (!f || !f->is_string()) return std::nullopt;
  return f->as_string();
}

std::variant<store::MarketRecord, std::string> market_from_json(const JsonValue& v, engine::Engine& engine) {
  static const std::regex slug_rule("^[a-z0-9][a-z0-9-]{0,99}$");
  static const std::vector<std::string_view> known{"slug", "question", "category", "tick_size", "min_order_size",
                                                   "taker_fee_bps", "maker_fee_bps", "end_date", "feed",
                                                   "stale_after", "yes_label", "no_label", "external_ref"};
  if (!v.is_object()) return std::string("body must be a JSON object");
  for (const auto& [key, value] : v.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) return "unknown field " + key;
  auto slug = text_field(v, "slug");
  if (!slug || !std::regex_match(*slug, slug_rule)) return std::string("slug must match ^[a-z0-9][a-z0-9-]{0,99}$");
  auto question = text_field(v, "question");
  if (!question || question->empty() || utf8_code_points(*question) > 500)
    return std::string("question must be 1-500 characters");
  std::string category = "other";
  if (const auto* f = v.find("category")) {
    if (!f->is_string() || f->as_string().empty() || f->as_string().size() > 50) return std::string("category must be a lowercase string");
    for (char c : f->as_string())
      if (std::isupper(static_cast<unsigned char>(c))) return std::string("category must be lowercase");
    category = f->as_string();
  }
  std::int64_t tick_size = 10'000;
  if (const auto* f = v.find("tick_size")) {
    auto tick = json_decimal(*f, 4);
    if (!tick || (*tick != 100'000 && *tick != 10'000 && *tick != 1'000 && *tick != 100))
      return std::string("tick_size must be 0.1, 0.01, 0.001 or 0.0001");
    tick_size = *tick;
  }
  std::string feed = "sim";
  if (const auto* f = v.find("feed")) {
    if (!f->is_string() || (f->as_string() != "sim" && f->as_string() != "replay" && f->as_string() != "manual" &&
                            f->as_string() != "live"))
      return std::string("feed must be sim, replay, manual or live");
    feed = f->as_string();
  }
  auto m = engine.draft_market(*slug, *question, category, tick_size, feed);
  if (const auto* f = v.find("min_order_size")) {
    auto size = json_decimal(*f, 6);
    if (!size || *size <= 0) return std::string("min_order_size must be a positive decimal");
    m.min_order_size = *size;
  }
  for (auto [key, target] : {std::pair{"taker_fee_bps", &m.taker_fee_bps}, std::pair{"maker_fee_bps", &m.maker_fee_bps}}) {
    if (const auto* f = v.find(key)) {
      auto bps = json_integer(*f);
      if (!bps || *bps < 0 || *bps > 10'000) return std::string(key) + " must be an integer 0-10000";
      *target = *bps;
    }
  }
  if (const auto* f = v.find("end_date"); f && !f->is_null()) {
    auto t = f->is_string() ? parse_rfc3339(f->as_string()) : std::nullopt;
    if (!t) return std::string("end_date must be an RFC 3339 time or null");
    m.end_date = *t;
  }
  if (const auto* f = v.find("stale_after")) {
    auto s = json_integer(*f);
    if (!s || *s < 0 || *s > 86'400) return std::string("stale_after must be 0-86400 seconds");
    m.stale_after_s = *s;
  }
  for (auto [key, target] : {std::pair{"yes_label", &m.yes_label}, std::pair{"no_label", &m.no_label},
                             std::pair{"external_ref", &m.external_ref}}) {
    if (const auto* f = v.find(key); f && !f->is_null()) {
      if (!f->is_string() || f->as_string().empty() || f->as_string().size() > 200) return std::string(key) + " must be a string";
      *target = f->as_string();
    }
  }
  return m;
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
    if (!json) co_return invalid("body must be a JSON object");
    auto parsed = market_from_json(*json, engine);
    if (auto* e = std::get_if<std::string>(&parsed)) co_return invalid(*e);
    auto market = std::get<store::MarketRecord>(std::move(parsed));
    // Named, not temporaries inside the co_await: GCC 12 destroys such temporaries twice.
    auto create = [&engine, market] { return engine.create_market(market); };
    auto creating = pool.run(std::move(create));
    auto change = co_await std::move(creating);
    if (change.error) {
      if (change.error->code == engine::EngineCode::ValidationFailed)
        co_return generic_error(409, "MARKET_EXISTS", change.error->message);
      co_return generic_error(503, "SERVICE_UNAVAILABLE", "The market could not be stored; retry.");
    }
    co_return market_response(201, *change.market);
  }

  path.remove_prefix(1);
  const auto slash = path.find('/');
  const std::string id(path.substr(0, slash));
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
  if (action == "book") {
    if (!json || !json->is_object()) co_return invalid("body must be a JSON object");
    auto outcome = text_field(*json, "outcome");
    if (!outcome || (*outcome != "YES" && *outcome != "NO")) co_return invalid("outcome must be YES or NO");
    bool mirror = true;
    if (const auto* f = json->find("mirror")) {
      if (!f->is_bool()) co_return invalid("mirror must be a boolean");
      mirror = f->as_bool();
    }
    auto bids = engine::levels_from_json(json->find("bids"), "bids");
    auto asks = engine::levels_from_json(json->find("asks"), "asks");
    if (auto* e = std::get_if<std::string>(&bids)) co_return invalid(*e);
    if (auto* e = std::get_if<std::string>(&asks)) co_return invalid(*e);
    const bool yes = *outcome == "YES";
    std::vector<engine::BookUpdate> updates;
    updates.push_back({yes ? market->yes_token_id : market->no_token_id, std::get<0>(bids), std::get<0>(asks), {}});
    if (mirror)
      updates.push_back({yes ? market->no_token_id : market->yes_token_id, engine::mirror_side(std::get<0>(asks)),
                         engine::mirror_side(std::get<0>(bids)), {}});
    auto push = [&engine, updates] { return engine.push_books(updates); };
    auto pushing = pool.run(std::move(push));
    auto published = co_await std::move(pushing);
    if (auto* e = std::get_if<std::string>(&published)) co_return invalid("book rejected: " + *e);
    std::string out;
    JsonWriter w(out);
    write_admin_books(w, engine.board(), *market, engine.now());
    co_return http::json_response(200, std::move(out));
  }
  std::function<engine::MarketChange()> act;
  if (action == "close") {
    act = [&engine, id] { return engine.close_market(id); };
  } else if (action == "open") {
    act = [&engine, id] { return engine.open_market(id); };
  } else if (action == "resolve") {
    auto outcome = json ? text_field(*json, "outcome") : std::nullopt;
    if (!outcome || (*outcome != "YES" && *outcome != "NO")) co_return invalid("outcome must be YES or NO");
    act = [&engine, id, o = *outcome] { return engine.resolve_market(id, o); };
  } else {
    co_return generic_error(404, "NOT_FOUND", "Not found.");
  }
  auto acting = pool.run(std::move(act));
  auto change = co_await std::move(acting);
  if (change.error) co_return engine_error(*change.error);
  co_return market_response(200, *change.market);
}

}  // namespace polysim::app
