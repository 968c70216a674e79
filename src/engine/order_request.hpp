// A typed order request (40-trading-engine.md §4.1) as the surfaces hand it to the engine, after
// they have parsed decimals and enums from their own wire format.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "engine/taker_walk.hpp"

namespace polysim::engine {

enum class OrderType { Market, Limit };
enum class TimeInForce { Fok, Fak, Gtc, Gtd };
enum class Outcome { Yes, No };

std::string_view side_name(Side side);              // BUY | SELL
std::string_view order_type_name(OrderType type);   // market | limit
std::string_view time_in_force_name(TimeInForce tif);  // FOK | FAK | GTC | GTD
std::string_view outcome_name(Outcome outcome);     // YES | NO

struct OrderRequest {
  std::string account_id;
  // Chosen by the caller (a UUIDv7) when its own records must name the order before the engine
  // has run it: the app surface's trade-cap slot. Otherwise the engine assigns one.
  std::optional<std::string> order_id;
  std::optional<std::string> client_order_id;
  std::string market;  // market id or slug
  Outcome outcome = Outcome::Yes;
  Side side = Side::Buy;
  OrderType type = OrderType::Market;
  std::optional<TimeInForce> time_in_force;  // default by type
  std::optional<std::int64_t> size;          // share micros
  std::optional<std::int64_t> notional;      // USD micros, market BUY only
  std::optional<std::int64_t> limit_price;   // price micros
  std::optional<std::int64_t> worst_price;
  std::optional<std::int64_t> max_slippage_bps;
  bool post_only = false;
  std::optional<std::int64_t> expires_at;  // µs, GTD only
  std::string origin = "api";              // web | desktop | api | signal | app
  std::optional<std::string> app_id;
  bool record_rejection = false;
  // When set, the account must belong to this tenant's user, else ACCOUNT_NOT_FOUND: the shard
  // holds the account, so surfaces need no database read to check ownership per order.
  std::optional<std::pair<std::string, std::int64_t>> owner;

  TimeInForce effective_time_in_force() const {
    if (time_in_force) return *time_in_force;
    return type == OrderType::Market ? TimeInForce::Fok : TimeInForce::Gtc;
  }
};

}  // namespace polysim::engine
