// Trader API rendering of engine records (20-trader-api.md §9): camelCase names, decimals as
// strings, engine enums verbatim.
#pragma once
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "trader/trading_service.hpp"

namespace polysim::trader {

void write_order(JsonWriter& w, const store::OrderRecord& o, const std::vector<store::FillRecord>* fills = nullptr);
void write_fill(JsonWriter& w, const store::FillRecord& f);
void write_position(JsonWriter& w, const PositionView& p);
// A resolved market's payout on one position (40-trading-engine.md §8), as desktop sync shows it.
void write_settlement(JsonWriter& w, const store::SettlementRecord& s);
// The Market of §9.2; with `depth`, its books (at most that many levels a side).
void write_market(JsonWriter& w, const store::MarketRecord& m, const engine::MarketBoard& board, std::int64_t now,
                  std::optional<int> depth);
void write_equity_point(JsonWriter& w, const EquityPoint& p);
// Account + "positions": an account's detail.
void write_account_detail(JsonWriter& w, const engine::AccountView& v);

}  // namespace polysim::trader
