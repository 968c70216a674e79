// Signal bodies (20-trader-api.md §10.1, §10.4) → a typed SignalRequest, and the per-target
// sizing of §10.1 as a pure function. POST /api/v1/signals is strict (unknown fields refused);
// webhook deliveries are tolerant (unknown fields and `targets` ignored, size fields from the
// webhook's defaults). Both throw validation_error (auth::AuthFailure).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_input.hpp"
#include "engine/order_request.hpp"

namespace polysim::trader {

inline constexpr std::size_t kMaxSignalTargets = 100;

struct SignalRequest {
  std::string action;  // open | close | buy | sell
  std::string market;  // id or slug, as sent
  std::optional<engine::Outcome> outcome;
  std::optional<std::string> size_type;  // shares | usd | percent_equity
  std::optional<std::int64_t> size;      // micros of its unit (percent: 2% = 2'000'000)
  engine::OrderType order_type = engine::OrderType::Market;
  std::optional<std::int64_t> limit_price;
  std::optional<engine::TimeInForce> time_in_force;
  std::optional<std::int64_t> worst_price;
  std::optional<std::int64_t> max_slippage_bps;
  std::optional<std::vector<std::string>> targets;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> label;
  std::optional<std::string> metadata_json;  // compact
};

struct SignalDefaults {
  std::optional<std::string> size_type;
  std::optional<std::int64_t> size;
  std::optional<engine::OrderType> order_type;
};

// `header_key`: the Idempotency-Key header, if sent (a different body field → 400).
SignalRequest parse_signal_body(const JsonValue* body, const std::optional<std::string>& header_key);
SignalRequest parse_webhook_signal_body(const JsonValue& body, const SignalDefaults& defaults,
                                        const std::optional<std::string>& header_key);
// The `defaults` object of a webhook (§10.3): sizeType, size, orderType, each optional.
SignalDefaults parse_signal_defaults(const JsonValue* defaults);
// POST /api/v1/signals/webhooks (§10.3), strict.
struct WebhookCreate {
  std::string name;
  std::string auth = "url";  // url | hmac
  std::optional<std::vector<std::string>> targets;
  SignalDefaults defaults;
};
WebhookCreate parse_webhook_create(const JsonValue* body);
// {"accountIds":[…]} of PUT /api/v1/signals/targets: 0-100 distinct ids.
std::vector<std::string> parse_signal_targets(const JsonValue* body);
// 1-255 printable ASCII characters.
bool is_valid_idempotency_key(std::string_view key);

// What one target holds in the signal's market, and what the sizing needs to know.
struct TargetState {
  std::int64_t equity = 0;  // USD micros
  std::int64_t yes_size = 0, yes_available = 0;  // share micros; available = size - reserved
  std::int64_t no_size = 0, no_available = 0;
  std::optional<std::int64_t> yes_best_bid, no_best_bid;  // price micros
};

struct PlannedOrder {
  engine::Side side = engine::Side::Buy;
  engine::Outcome outcome = engine::Outcome::Yes;
  std::optional<std::int64_t> size;      // share micros
  std::optional<std::int64_t> notional;  // USD micros (market BUY sized in money)
  bool capped = false;
};

struct TargetPlan {
  std::vector<PlannedOrder> orders;       // empty when skipped or failed
  std::optional<std::string> skip_reason;  // position_exists | no_position
  std::optional<std::string> error;        // snake_case code, when the target cannot be sized
  std::string error_message;
};

// §10.1: `usd`/`percent_equity` give an amount A (percent of equity, rounded down to the micro);
// a market BUY sends A as notional, else shares = A ÷ (limit price, or best bid for a market
// SELL), rounded down to 6 decimals. `sell` is capped at the available holding; `close` sells all
// of it (both outcomes when none is named); `open` buys only when nothing is held in the market.
TargetPlan plan_target(const SignalRequest& request, const TargetState& state);

}  // namespace polysim::trader
