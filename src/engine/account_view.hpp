// An account valued at one instant (10-partner-api.md §7, 40-trading-engine.md §6): the stored row
// with its extremes moved by this observation, and each OPEN position with its mark. Every
// surface that shows an account renders one of these, so they all show the same numbers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/position_math.hpp"
#include "store/engine_records.hpp"
#include "store/records.hpp"

namespace polysim::engine {

class MarketBoard;

struct PositionLine {
  store::PositionRecord position;
  std::string market_slug;
  Mark mark;
  std::int64_t market_value = 0;
  std::int64_t unrealized_pnl = 0;
};

struct AccountView {
  store::AccountRecord account;  // peak, minimum, drawdown maxima and day low include this valuation
  std::vector<PositionLine> positions;
  std::int64_t positions_value = 0;
  std::int64_t unrealized_pnl = 0;
  std::int64_t equity = 0;
  std::int64_t drawdown = 0;
  std::int64_t as_of = 0;
};

// `positions` may hold rows of any status; only OPEN ones count.
AccountView view_account(store::AccountRecord account, const std::vector<store::PositionRecord>& positions,
                         const MarketBoard& board, std::int64_t now);
// An account that holds no positions: its equity does not depend on any mark.
AccountView view_without_positions(store::AccountRecord account, std::int64_t now);

// `row` (as stored, with the partner's columns) with the columns the engine owns taken from
// `engine_row`, the shard's copy, which may be ahead of the database by uncommitted reads.
store::AccountRecord with_engine_columns(store::AccountRecord row, const store::AccountRecord& engine_row);

// True when `viewed` observed an extreme that `stored` does not hold yet.
bool moves_extremes(const store::AccountRecord& stored, const store::AccountRecord& viewed);

// "10000.00": USD micros rendered with two decimals.
std::string usd(std::int64_t micros);
// Percentage points of `part` over `whole`, half-up to 4 decimals, in one rounding ("0.4906").
std::string percent(std::int64_t part, std::int64_t whole);

}  // namespace polysim::engine
