#include "apps/app_fill_body.hpp"

#include <algorithm>
#include <vector>

#include "apps/app_failure.hpp"
#include "core/decimal.hpp"

namespace polysim::apps {

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool client_order_id_ok(const std::string& id) {
  if (id.empty() || id.size() > 160) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class Problems {
 public:
  void add(std::string p) { list_.push_back(std::move(p)); }
  bool empty() const { return list_.empty(); }
  std::string joined() const {
    std::string out;
    for (const auto& p : list_) out += (out.empty() ? "" : "; ") + p;
    return out;
  }

 private:
  std::vector<std::string> list_;
};

std::optional<std::string> text_field(const JsonValue* body, const char* name, Problems& problems) {
  const auto* f = body ? body->find(name) : nullptr;
  if (!f || f->is_null()) return std::nullopt;
  if (!f->is_string()) {
    problems.add(std::string(name) + " must be a string");
    return std::nullopt;
  }
  return f->as_string();
}

// Decimals arrive as strings ("0.55") or bare numbers; both are read from their text.
std::optional<std::int64_t> decimal_field(const JsonValue* body, const char* name, Problems& problems) {
  const auto* f = body ? body->find(name) : nullptr;
  if (!f || f->is_null()) return std::nullopt;
  std::optional<std::int64_t> v;
  if (f->is_string()) v = parse_decimal(f->as_string(), 6);
  else if (f->is_number()) v = parse_decimal(f->number_text(), 6);
  if (!v) {
    problems.add(std::string(name) + " must be a decimal number with at most 6 decimals");
    return std::nullopt;
  }
  return v;
}

}  // namespace

FillInput parse_fill_body(const JsonValue* body, bool quote) {
  static const std::vector<std::string> kKnown = {"marketId", "outcome", "side", "type", "size", "amount", "price",
                                                  "slippageBps", "timeInForce", "clientOrderId", "accountId", "mode"};
  Problems problems;
  FillInput out;
  auto& r = out.request;
  r.origin = "app";
  r.record_rejection = true;

  if (auto mode = text_field(body, "mode", problems); mode && *mode != "paper")
    throw validation_failed("Only paper mode is available.");

  auto market = text_field(body, "marketId", problems);
  if (!market || market->empty()) problems.add("marketId is required");
  else if (market->size() > 200) problems.add("marketId is too long");
  else r.market = *market;

  auto outcome = text_field(body, "outcome", problems);
  if (!outcome) problems.add("outcome is required");
  else if (lower(*outcome) == "yes") r.outcome = engine::Outcome::Yes;
  else if (lower(*outcome) == "no") r.outcome = engine::Outcome::No;
  else problems.add("outcome must be YES or NO");

  auto side = text_field(body, "side", problems);
  if (!side) problems.add("side is required");
  else if (lower(*side) == "buy") r.side = engine::Side::Buy;
  else if (lower(*side) == "sell") r.side = engine::Side::Sell;
  else problems.add("side must be buy or sell");

  auto type = text_field(body, "type", problems);
  const std::string kind = type ? lower(*type) : "market";
  if (kind != "market" && kind != "limit") problems.add("type must be market or limit");
  const bool limit = kind == "limit";

  auto size = decimal_field(body, "size", problems);
  auto amount = decimal_field(body, "amount", problems);
  auto price = decimal_field(body, "price", problems);
  if (size && *size <= 0) problems.add("size must be greater than 0");
  if (amount && *amount <= 0) problems.add("amount must be greater than 0");

  std::optional<std::int64_t> slippage;
  if (const auto* f = body ? body->find("slippageBps") : nullptr; f && !f->is_null()) {
    auto bps = json_integer(*f);
    if (!bps || *bps < 0 || *bps > 10'000) problems.add("slippageBps must be an integer from 0 to 10000");
    else slippage = *bps;
  }

  auto tif_text = text_field(body, "timeInForce", problems);
  std::optional<engine::TimeInForce> tif;
  if (tif_text) {
    const auto t = lower(*tif_text);
    if (t == "fok") tif = engine::TimeInForce::Fok;
    else if (t == "fak") tif = engine::TimeInForce::Fak;
    else if (t == "gtc" && limit) tif = engine::TimeInForce::Gtc;
    else problems.add(limit ? "timeInForce must be GTC, FOK or FAK" : "timeInForce must be FOK or FAK");
  }

  if (!quote) {
    if (auto id = text_field(body, "clientOrderId", problems)) {
      if (!client_order_id_ok(*id)) problems.add("clientOrderId must be 1-160 characters of A-Z a-z 0-9 . _ : -");
      else r.client_order_id = *id;
    }
  }
  if (auto account = text_field(body, "accountId", problems)) {
    if (account->empty() || account->size() > 64) problems.add("accountId is not valid");
    else out.account_id = *account;
  }

  if (limit) {
    if (!price) problems.add("price is required for limit orders");
    else if (*price <= 0 || *price >= 1'000'000) problems.add("price must be between 0 and 1");
    if (!size) problems.add("size is required for limit orders");
    if (amount) problems.add("amount is only allowed for market buy orders");
    if (slippage) problems.add("slippageBps is only allowed for market orders");
  } else {
    if (price) problems.add("price is only allowed for limit orders");
    if (r.side == engine::Side::Buy) {
      if (size.has_value() == amount.has_value()) problems.add("a market buy needs exactly one of size and amount");
    } else {
      if (!size) problems.add("size is required for market sell orders");
      if (amount) problems.add("amount is only allowed for market buy orders");
    }
  }
  if (body) {
    for (const auto& [key, value] : body->items()) {
      (void)value;
      if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end() && !(quote && key == "clientOrderId"))
        problems.add("unknown field " + key);
    }
  }
  if (!problems.empty()) throw validation_failed(problems.joined());

  r.size = size;
  if (limit) {
    const auto t = tif.value_or(engine::TimeInForce::Gtc);
    if (t == engine::TimeInForce::Gtc) {
      r.type = engine::OrderType::Limit;
      r.time_in_force = t;
      r.limit_price = price;
    } else {
      // A limit with FOK/FAK is a market order of that time in force bounded by the price (§8).
      r.type = engine::OrderType::Market;
      r.time_in_force = t;
      r.worst_price = price;
    }
  } else {
    r.type = engine::OrderType::Market;
    r.time_in_force = tif.value_or(engine::TimeInForce::Fok);
    r.notional = amount;
    r.max_slippage_bps = slippage.value_or(100);
  }
  return out;
}

}  // namespace polysim::apps
