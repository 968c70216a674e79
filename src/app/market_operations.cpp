#include "app/market_operations.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "app/market_json.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "engine/book_json.hpp"

namespace polysim::app {

namespace {

AdminFailure invalid(std::string message) { return AdminFailure{422, "VALIDATION_FAILED", std::move(message)}; }

AdminFailure market_not_found() { return AdminFailure{404, "MARKET_NOT_FOUND", "No such market."}; }

AdminFailure engine_failure(const engine::EngineError& e) {
  return AdminFailure{engine::default_status(e.code), std::string(engine::code_name(e.code)), e.message};
}

std::string market_text(const store::MarketRecord& m) {
  std::string out;
  JsonWriter w(out);
  write_admin_market(w, m);
  return out;
}

std::string books_text(engine::Engine& engine, const store::MarketRecord& m) {
  std::string out;
  JsonWriter w(out);
  write_admin_books(w, engine.board(), m, engine.now());
  return out;
}

AdminResult changed_market(const engine::MarketChange& change) {
  if (change.error) return engine_failure(*change.error);
  return market_text(*change.market);
}

std::optional<std::string> text_field(const JsonValue& v, std::string_view key) {
  const auto* f = v.find(key);
  if (!f || !f->is_string()) return std::nullopt;
  return f->as_string();
}

std::optional<std::string> outcome_of(const JsonValue* body) {
  auto outcome = body ? text_field(*body, "outcome") : std::nullopt;
  if (!outcome || (*outcome != "YES" && *outcome != "NO")) return std::nullopt;
  return outcome;
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

AdminResult create_market_from_body(engine::Engine& engine, const JsonValue* body) {
  if (!body) return invalid("body must be a JSON object");
  auto parsed = market_from_json(*body, engine);
  if (auto* e = std::get_if<std::string>(&parsed)) return invalid(*e);
  auto change = engine.create_market(std::get<store::MarketRecord>(std::move(parsed)));
  if (change.error) {
    if (change.error->code == engine::EngineCode::ValidationFailed)
      return AdminFailure{409, "MARKET_EXISTS", change.error->message};
    return AdminFailure{503, "SERVICE_UNAVAILABLE", "The market could not be stored; retry."};
  }
  return market_text(*change.market);
}

AdminResult push_market_book(engine::Engine& engine, const std::string& id, const JsonValue* body) {
  auto market = engine.board().market(id);
  if (!market) return market_not_found();
  if (!body || !body->is_object()) return invalid("body must be a JSON object");
  auto outcome = outcome_of(body);
  if (!outcome) return invalid("outcome must be YES or NO");
  bool mirror = true;
  if (const auto* f = body->find("mirror")) {
    if (!f->is_bool()) return invalid("mirror must be a boolean");
    mirror = f->as_bool();
  }
  auto bids = engine::levels_from_json(body->find("bids"), "bids");
  auto asks = engine::levels_from_json(body->find("asks"), "asks");
  if (auto* e = std::get_if<std::string>(&bids)) return invalid(*e);
  if (auto* e = std::get_if<std::string>(&asks)) return invalid(*e);
  const bool yes = *outcome == "YES";
  std::vector<engine::BookUpdate> updates;
  updates.push_back({yes ? market->yes_token_id : market->no_token_id, std::get<0>(bids), std::get<0>(asks), {}});
  // The other outcome's book is the complement: its bids mirror these asks and vice versa.
  if (mirror)
    updates.push_back({yes ? market->no_token_id : market->yes_token_id, engine::mirror_side(std::get<0>(asks)),
                       engine::mirror_side(std::get<0>(bids)), {}});
  auto published = engine.push_books(updates);
  if (auto* e = std::get_if<std::string>(&published)) return invalid("book rejected: " + *e);
  return books_text(engine, *market);
}

AdminResult close_market(engine::Engine& engine, const std::string& id) {
  if (!engine.board().market(id)) return market_not_found();
  return changed_market(engine.close_market(id));
}

AdminResult open_market(engine::Engine& engine, const std::string& id) {
  if (!engine.board().market(id)) return market_not_found();
  return changed_market(engine.open_market(id));
}

AdminResult resolve_market(engine::Engine& engine, const std::string& id, const JsonValue* body) {
  if (!engine.board().market(id)) return market_not_found();
  auto outcome = outcome_of(body);
  if (!outcome) return invalid("outcome must be YES or NO");
  return changed_market(engine.resolve_market(id, *outcome));
}

AdminResult run_market_operation(engine::Engine& engine, std::string_view operation, const std::string& market,
                                 const JsonValue* body) {
  if (operation == "create") return create_market_from_body(engine, body);
  if (operation == "book") return push_market_book(engine, market, body);
  if (operation == "close") return close_market(engine, market);
  if (operation == "open") return open_market(engine, market);
  if (operation == "resolve") return resolve_market(engine, market, body);
  return AdminFailure{404, "NOT_FOUND", "Not found."};
}

}  // namespace polysim::app
