// Valuing an account at current marks (40-trading-engine.md §6, §7): positions value, equity
// and the extremes (peak, minimum, drawdowns, day low) that every valuation may move.
#pragma once
#include <cstdint>

#include "engine/account_state.hpp"
#include "engine/market_board.hpp"
#include "engine/position_math.hpp"

namespace polysim::engine {

struct Valuation {
  std::int64_t positions_value = 0;
  std::int64_t unrealized_pnl = 0;
  std::int64_t equity = 0;
};

// THE mark rule for one OPEN position.
Mark position_mark(const store::PositionRecord& position, const MarketBoard& board, std::int64_t now);

inline const store::PositionRecord& position_of(const store::PositionRecord& p) { return p; }
template <class K>
const store::PositionRecord& position_of(const std::pair<const K, store::PositionRecord>& entry) {
  return entry.second;
}

// Sums over positions; `positions` may be the shard's OPEN map or rows read from the database.
template <class Positions>
Valuation value_positions(const store::AccountRecord& account, const Positions& positions, const MarketBoard& board,
                          std::int64_t now) {
  Valuation v;
  for (const auto& entry : positions) {
    const store::PositionRecord& p = position_of(entry);
    if (p.status != "OPEN") continue;
    const auto mark = position_mark(p, board, now);
    const auto value = market_value(p.size, mark.price).value_or(0);
    v.positions_value += value;
    v.unrealized_pnl += value - p.cost_basis;
  }
  v.equity = account.cash + account.reserved + v.positions_value;
  return v;
}

Valuation value_account(const AccountState& state, const MarketBoard& board, std::int64_t now);

// Raises peak and the drawdown maxima, lowers the minimum and the day low, as equity E demands.
void record_extremes(store::AccountRecord& account, std::int64_t equity);

// Drawdown percentage in micros of a percentage point, half-up.
std::int64_t drawdown_pct_micros(std::int64_t drawdown, std::int64_t peak);

store::SnapshotRecord make_snapshot(const store::AccountRecord& account, const Valuation& v, std::string reason,
                                    std::int64_t at);

}  // namespace polysim::engine
