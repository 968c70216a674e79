#include "trader/order_body.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "auth/auth_failure.hpp"
#include "core/decimal.hpp"
#include "core/time_format.hpp"
#include "trader/trader_body.hpp"

namespace polysim::trader {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Decimals arrive as strings ("0.55") or bare number tokens; both are read from their text.
std::optional<std::int64_t> decimal(const JsonValue* body, std::string_view name) {
  const auto* f = body ? body->find(name) : nullptr;
  if (!f || f->is_null()) return std::nullopt;
  std::optional<std::int64_t> v;
  if (f->is_string()) v = parse_decimal(f->as_string(), 6);
  else if (f->is_number()) v = parse_decimal(f->number_text(), 6);
  if (!v) throw auth::validation_failure(std::string(name), "must be a non-negative decimal with at most 6 decimals");
  return v;
}

}  // namespace

engine::OrderRequest parse_order_body(const JsonValue* body, std::string origin) {
  BodyFields f(body, {"accountId", "marketId", "outcome", "side", "orderType", "size", "notional", "limitPrice",
                      "worstPrice", "maxSlippageBps", "timeInForce", "postOnly", "expiresAt", "clientOrderId"});
  engine::OrderRequest r;
  r.origin = std::move(origin);
  r.account_id = f.required_string("accountId", 64);
  r.market = f.required_string("marketId", 200);
  const auto outcome = upper(f.required_string("outcome", 8));
  if (outcome != "YES" && outcome != "NO") throw auth::validation_failure("outcome", "must be YES or NO");
  r.outcome = outcome == "YES" ? engine::Outcome::Yes : engine::Outcome::No;
  const auto side = upper(f.required_string("side", 8));
  if (side != "BUY" && side != "SELL") throw auth::validation_failure("side", "must be BUY or SELL");
  r.side = side == "BUY" ? engine::Side::Buy : engine::Side::Sell;
  const auto type = upper(f.required_string("orderType", 16));
  if (type != "MARKET" && type != "LIMIT") throw auth::validation_failure("orderType", "must be market or limit");
  r.type = type == "MARKET" ? engine::OrderType::Market : engine::OrderType::Limit;
  if (auto tif = f.optional_string("timeInForce", 8)) {
    const auto t = upper(*tif);
    if (t == "FOK") r.time_in_force = engine::TimeInForce::Fok;
    else if (t == "FAK" || t == "IOC") r.time_in_force = engine::TimeInForce::Fak;
    else if (t == "GTC") r.time_in_force = engine::TimeInForce::Gtc;
    else if (t == "GTD") r.time_in_force = engine::TimeInForce::Gtd;
    else throw auth::validation_failure("timeInForce", "must be FOK, FAK, IOC, GTC or GTD");
  }
  r.size = decimal(body, "size");
  r.notional = decimal(body, "notional");
  r.limit_price = decimal(body, "limitPrice");
  r.worst_price = decimal(body, "worstPrice");
  if (const auto* s = body ? body->find("maxSlippageBps") : nullptr; s && !s->is_null()) {
    auto bps = json_integer(*s);
    if (!bps || *bps < 0 || *bps > 10'000) throw auth::validation_failure("maxSlippageBps", "must be an integer 0-10000");
    r.max_slippage_bps = *bps;
  }
  r.post_only = f.optional_bool("postOnly").value_or(false);
  if (auto expires = f.optional_string("expiresAt", 64)) {
    auto t = parse_rfc3339(*expires);
    if (!t) throw auth::validation_failure("expiresAt", "must be an RFC 3339 time");
    r.expires_at = *t;
  }
  if (auto id = f.optional_string("clientOrderId", 160)) {
    static const std::regex rule("^[A-Za-z0-9._:-]{1,160}$");
    if (!std::regex_match(*id, rule)) throw auth::validation_failure("clientOrderId", "must be 1-160 of [A-Za-z0-9._:-]");
    r.client_order_id = *id;
  }
  // A limit order with FOK/FAK is a market order bounded by its limit (40-trading-engine.md §4.1).
  if (r.type == engine::OrderType::Limit && r.time_in_force &&
      (*r.time_in_force == engine::TimeInForce::Fok || *r.time_in_force == engine::TimeInForce::Fak)) {
    r.type = engine::OrderType::Market;
    r.worst_price = r.limit_price;
    r.limit_price.reset();
  }
  return r;
}

}  // namespace polysim::trader
