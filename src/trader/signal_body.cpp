#include "trader/signal_body.hpp"

#include <algorithm>
#include <cctype>

#include "auth/auth_failure.hpp"
#include "core/decimal.hpp"
#include "core/encoding.hpp"
#include "trader/trader_body.hpp"

namespace polysim::trader {

namespace {

using auth::validation_failure;

constexpr std::size_t kMaxMetadataBytes = 4096;
constexpr std::size_t kMaxLabelChars = 100;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const JsonValue* field(const JsonValue* body, std::string_view name) {
  const auto* v = body ? body->find(name) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

std::optional<std::string> text(const JsonValue* body, std::string_view name, std::size_t max_bytes) {
  const auto* v = field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw validation_failure(std::string(name), "must be a string");
  if (v->as_string().empty() || v->as_string().size() > max_bytes)
    throw validation_failure(std::string(name), "must be 1 to " + std::to_string(max_bytes) + " bytes");
  return v->as_string();
}

// Decimals as strings ("0.55") or bare number tokens, read from their exact text.
std::optional<std::int64_t> decimal(const JsonValue* body, std::string_view name) {
  const auto* v = field(body, name);
  if (!v) return std::nullopt;
  auto parsed = json_decimal(*v, 6);
  if (!parsed) throw validation_failure(std::string(name), "must be a non-negative decimal with at most 6 decimals");
  return parsed;
}

std::optional<engine::Outcome> outcome_of(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  const auto v = lower(*s);
  if (v == "yes") return engine::Outcome::Yes;
  if (v == "no") return engine::Outcome::No;
  throw validation_failure("outcome", "must be YES or NO");
}

std::string size_type_of(const std::string& s, std::string_view field_name) {
  auto v = lower(s);
  if (v != "shares" && v != "usd" && v != "percent_equity")
    throw validation_failure(std::string(field_name), "must be shares, usd or percent_equity");
  return v;
}

engine::OrderType order_type_of(const std::string& s, std::string_view field_name) {
  const auto v = lower(s);
  if (v == "market") return engine::OrderType::Market;
  if (v == "limit") return engine::OrderType::Limit;
  throw validation_failure(std::string(field_name), "must be market or limit");
}

// The fields both forms share; `targets` and unknown fields are the callers' business.
void read_common(const JsonValue* body, SignalRequest& r) {
  auto market = text(body, "marketId", 200);
  if (!market) throw validation_failure("marketId", "is required");
  r.market = *market;
  auto action = text(body, "action", 16);
  if (!action) throw validation_failure("action", "is required");
  r.action = lower(*action);
  if (r.action != "open" && r.action != "close" && r.action != "buy" && r.action != "sell")
    throw validation_failure("action", "must be open, close, buy or sell");
  r.outcome = outcome_of(text(body, "outcome", 8));
  if (auto t = text(body, "sizeType", 32)) r.size_type = size_type_of(*t, "sizeType");
  r.size = decimal(body, "size");
  if (auto t = text(body, "orderType", 16)) r.order_type = order_type_of(*t, "orderType");
  r.limit_price = decimal(body, "limitPrice");
  r.worst_price = decimal(body, "worstPrice");
  if (auto tif = text(body, "timeInForce", 8)) {
    const auto t = lower(*tif);
    if (t == "fok") r.time_in_force = engine::TimeInForce::Fok;
    else if (t == "fak" || t == "ioc") r.time_in_force = engine::TimeInForce::Fak;
    else if (t == "gtc") r.time_in_force = engine::TimeInForce::Gtc;
    else if (t == "gtd") r.time_in_force = engine::TimeInForce::Gtd;
    else throw validation_failure("timeInForce", "must be FOK, FAK, IOC, GTC or GTD");
  }
  if (const auto* s = field(body, "maxSlippageBps")) {
    auto bps = json_integer(*s);
    if (!bps || *bps < 0 || *bps > 10'000) throw validation_failure("maxSlippageBps", "must be an integer 0-10000");
    r.max_slippage_bps = *bps;
  }
  if (auto key = text(body, "idempotencyKey", 255)) {
    if (!is_valid_idempotency_key(*key)) throw validation_failure("idempotencyKey", "must be 1-255 printable characters");
    r.idempotency_key = *key;
  }
  if (auto label = text(body, "label", 400)) {
    if (utf8_code_points(*label) > kMaxLabelChars) throw validation_failure("label", "must be at most 100 characters");
    r.label = *label;
  }
  if (const auto* m = field(body, "metadata")) {
    if (!m->is_object()) throw validation_failure("metadata", "must be an object");
    auto compact = serialize_compact(*m);
    if (compact.size() > kMaxMetadataBytes) throw validation_failure("metadata", "must be at most 4 KiB");
    r.metadata_json = std::move(compact);
  }
}

// The rules between fields, once defaults are applied.
void check_combination(SignalRequest& r, const std::optional<std::string>& header_key) {
  if (header_key) {
    if (!is_valid_idempotency_key(*header_key))
      throw validation_failure("Idempotency-Key", "must be 1-255 printable characters");
    if (r.idempotency_key && *r.idempotency_key != *header_key)
      throw validation_failure("idempotencyKey", "differs from the Idempotency-Key header");
    r.idempotency_key = header_key;
  }
  if (r.action == "close") {
    if (r.size_type || r.size) throw validation_failure(r.size ? "size" : "sizeType", "close takes no size fields");
  } else {
    if (!r.outcome) throw validation_failure("outcome", "is required");
    if (!r.size_type) throw validation_failure("sizeType", "is required");
    if (!r.size) throw validation_failure("size", "is required");
    if (*r.size <= 0) throw validation_failure("size", "must be greater than 0");
    if (*r.size_type == "percent_equity" && *r.size > 100 * kMicrosPerUnit)
      throw validation_failure("size", "must be at most 100 percent");
  }
  if (r.order_type == engine::OrderType::Limit && !r.limit_price)
    throw validation_failure("limitPrice", "is required for a limit order");
}

}  // namespace

bool is_valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  return std::all_of(key.begin(), key.end(), [](unsigned char c) { return c >= 0x20 && c <= 0x7e; });
}

SignalRequest parse_signal_body(const JsonValue* body, const std::optional<std::string>& header_key) {
  BodyFields strict(body, {"marketId", "outcome", "action", "sizeType", "size", "orderType", "limitPrice",
                           "timeInForce", "worstPrice", "maxSlippageBps", "targets", "idempotencyKey", "label",
                           "metadata"});
  SignalRequest r;
  read_common(body, r);
  if (const auto* t = field(body, "targets")) {
    if (!t->is_array() || t->elements().empty() || t->elements().size() > kMaxSignalTargets)
      throw validation_failure("targets", "must be an array of 1 to 100 account ids");
    std::vector<std::string> ids;
    for (const auto& item : t->elements()) {
      if (!item.is_string() || item.as_string().empty() || item.as_string().size() > 64)
        throw validation_failure("targets", "must be an array of account ids");
      if (std::find(ids.begin(), ids.end(), item.as_string()) != ids.end())
        throw validation_failure("targets", "must not name an account twice");
      ids.push_back(item.as_string());
    }
    r.targets = std::move(ids);
  }
  check_combination(r, header_key);
  return r;
}

SignalRequest parse_webhook_signal_body(const JsonValue& body, const SignalDefaults& defaults,
                                        const std::optional<std::string>& header_key) {
  if (!body.is_object()) throw validation_failure("body", "must be a JSON object");
  SignalRequest r;
  read_common(&body, r);
  if (!field(&body, "orderType") && defaults.order_type) r.order_type = *defaults.order_type;
  if (r.action == "close") {
    // Alert tools send one template for every action: size fields mean nothing to a close.
    r.size_type.reset();
    r.size.reset();
  } else {
    if (!r.size_type) r.size_type = defaults.size_type;
    if (!r.size) r.size = defaults.size;
  }
  check_combination(r, header_key);
  return r;
}

SignalDefaults parse_signal_defaults(const JsonValue* defaults) {
  SignalDefaults d;
  if (!defaults || defaults->is_null()) return d;
  if (!defaults->is_object()) throw validation_failure("defaults", "must be an object");
  BodyFields strict(defaults, {"sizeType", "size", "orderType"});
  if (auto t = text(defaults, "sizeType", 32)) d.size_type = size_type_of(*t, "defaults.sizeType");
  if (const auto* s = field(defaults, "size")) {
    auto v = json_decimal(*s, 6);
    if (!v || *v <= 0) throw validation_failure("defaults.size", "must be a positive decimal with at most 6 decimals");
    d.size = v;
  }
  if (auto t = text(defaults, "orderType", 16)) d.order_type = order_type_of(*t, "defaults.orderType");
  if (d.size_type && d.size && *d.size_type == "percent_equity" && *d.size > 100 * kMicrosPerUnit)
    throw validation_failure("defaults.size", "must be at most 100 percent");
  return d;
}

namespace {

// Shares for an amount of money at a price, rounded down to the micro-share.
std::optional<std::int64_t> shares_for(std::int64_t amount, std::int64_t price) {
  if (price <= 0) return std::nullopt;
  return mul_div(amount, kMicrosPerUnit, price, Rounding::Down);
}

TargetPlan failure(std::string code, std::string message) {
  TargetPlan p;
  p.error = std::move(code);
  p.error_message = std::move(message);
  return p;
}

}  // namespace

TargetPlan plan_target(const SignalRequest& r, const TargetState& s) {
  TargetPlan plan;
  auto available = [&](engine::Outcome o) { return o == engine::Outcome::Yes ? s.yes_available : s.no_available; };
  if (r.action == "close") {
    std::vector<engine::Outcome> outcomes;
    if (r.outcome) outcomes = {*r.outcome};
    else outcomes = {engine::Outcome::Yes, engine::Outcome::No};
    for (auto o : outcomes) {
      if (available(o) <= 0) continue;
      PlannedOrder order;
      order.side = engine::Side::Sell;
      order.outcome = o;
      order.size = available(o);
      plan.orders.push_back(order);
    }
    if (plan.orders.empty()) plan.skip_reason = "no_position";
    return plan;
  }
  if (r.action == "open" && (s.yes_size > 0 || s.no_size > 0)) {
    plan.skip_reason = "position_exists";
    return plan;
  }
  const auto outcome = r.outcome.value_or(engine::Outcome::Yes);
  const bool sell = r.action == "sell";
  if (sell && available(outcome) <= 0) {
    plan.skip_reason = "no_position";
    return plan;
  }
  PlannedOrder order;
  order.side = sell ? engine::Side::Sell : engine::Side::Buy;
  order.outcome = outcome;
  const auto size = r.size.value_or(0);
  const auto& size_type = r.size_type.value_or("shares");
  if (size_type == "shares") {
    order.size = size;
  } else {
    std::int64_t amount = size;
    if (size_type == "percent_equity") {
      // size is percent in micros: A = equity × size ÷ (100 × 10^6), rounded down.
      auto a = mul_div(std::max<std::int64_t>(s.equity, 0), size, 100 * kMicrosPerUnit, Rounding::Down);
      if (!a) return failure("validation_error", "The amount is out of range.");
      amount = *a;
    }
    if (r.order_type == engine::OrderType::Market && !sell) {
      order.notional = amount;
    } else {
      std::optional<std::int64_t> price;
      if (r.order_type == engine::OrderType::Limit) price = r.limit_price;
      else price = outcome == engine::Outcome::Yes ? s.yes_best_bid : s.no_best_bid;
      if (!price) return failure("no_executable_depth", "There is no bid to size the sell against.");
      auto shares = shares_for(amount, *price);
      if (!shares) return failure("validation_error", "The amount is out of range.");
      order.size = *shares;
    }
  }
  if (sell && order.size && *order.size > available(outcome)) {
    order.size = available(outcome);
    order.capped = true;
  }
  plan.orders.push_back(order);
  return plan;
}

}  // namespace polysim::trader

namespace polysim::trader {

namespace {

std::vector<std::string> account_ids(const JsonValue& v, std::string_view name, std::size_t min, std::size_t max) {
  if (!v.is_array() || v.elements().size() < min || v.elements().size() > max)
    throw auth::validation_failure(std::string(name), "must be an array of " + std::to_string(min) + " to " +
                                                          std::to_string(max) + " account ids");
  std::vector<std::string> ids;
  for (const auto& item : v.elements()) {
    if (!item.is_string() || item.as_string().empty() || item.as_string().size() > 64)
      throw auth::validation_failure(std::string(name), "must be an array of account ids");
    if (std::find(ids.begin(), ids.end(), item.as_string()) != ids.end())
      throw auth::validation_failure(std::string(name), "must not name an account twice");
    ids.push_back(item.as_string());
  }
  return ids;
}

}  // namespace

WebhookCreate parse_webhook_create(const JsonValue* body) {
  BodyFields f(body, {"name", "auth", "targets", "defaults"});
  WebhookCreate c;
  c.name = f.required_string("name", 400);
  const auto chars = utf8_code_points(c.name);
  if (chars < 1 || chars > 80) throw auth::validation_failure("name", "must be 1 to 80 characters");
  if (auto a = f.optional_string("auth", 16)) {
    c.auth = lower(*a);
    if (c.auth != "url" && c.auth != "hmac") throw auth::validation_failure("auth", "must be url or hmac");
  }
  if (const auto* t = field(body, "targets")) c.targets = account_ids(*t, "targets", 1, kMaxSignalTargets);
  c.defaults = parse_signal_defaults(body ? body->find("defaults") : nullptr);
  return c;
}

std::vector<std::string> parse_signal_targets(const JsonValue* body) {
  BodyFields f(body, {"accountIds"});
  const auto* ids = field(body, "accountIds");
  if (!ids) throw auth::validation_failure("accountIds", "is required");
  return account_ids(*ids, "accountIds", 0, kMaxSignalTargets);
}

}  // namespace polysim::trader
