#include "engine/valuation.hpp"

#include <algorithm>

#include "core/decimal.hpp"

namespace polysim::engine {

Mark position_mark(const store::PositionRecord& p, const MarketBoard& board, std::int64_t now) {
  // Only a closed account's OPEN positions carry a mark at close; its figures stay frozen.
  if (p.mark_at_close) return Mark{*p.mark_at_close, mark_source_from(p.mark_source_at_close.value_or("entry"))};
  PositionState state{p.size, p.cost_basis, p.realized_pnl};
  std::optional<std::int64_t> resolution;
  std::optional<std::int64_t> fresh_bid;
  if (auto ref = board.token(p.token_id)) {
    const auto& m = *ref->market;
    if (m.status == "resolved" && m.resolution) resolution = (*m.resolution == p.outcome) ? 1'000'000 : 0;
    if (auto book = board.book(p.token_id); book && is_fresh(*book, m.stale_after_s, now)) fresh_bid = book->best_bid();
  }
  return mark_of(resolution, fresh_bid, board.last_bid(p.token_id), state);
}

Valuation value_account(const AccountState& state, const MarketBoard& board, std::int64_t now) {
  return value_positions(state.account, state.positions, board, now);
}

std::int64_t drawdown_pct_micros(std::int64_t drawdown, std::int64_t peak) {
  if (peak <= 0 || drawdown <= 0) return 0;
  return mul_div(drawdown, 100'000'000, peak, Rounding::HalfUp).value_or(0);
}

void record_extremes(store::AccountRecord& a, std::int64_t equity) {
  a.peak_equity = std::max(a.peak_equity, equity);
  a.min_equity = std::min(a.min_equity, equity);
  a.day_low_equity = std::min(a.day_low_equity, equity);
  const auto drawdown = a.peak_equity - equity;
  a.max_drawdown = std::max(a.max_drawdown, drawdown);
  a.max_drawdown_pct_micros = std::max(a.max_drawdown_pct_micros, drawdown_pct_micros(drawdown, a.peak_equity));
}

store::SnapshotRecord make_snapshot(const store::AccountRecord& a, const Valuation& v, std::string reason,
                                    std::int64_t at) {
  store::SnapshotRecord s;
  s.account_id = a.id;
  s.at = at;
  s.reason = std::move(reason);
  s.cash = a.cash;
  s.reserved = a.reserved;
  s.positions_value = v.positions_value;
  s.equity = v.equity;
  s.peak_equity = std::max(a.peak_equity, v.equity);
  s.drawdown = s.peak_equity - v.equity;
  s.realized_pnl = a.realized_pnl;
  s.unrealized_pnl = v.unrealized_pnl;
  s.fees_paid = a.fees_paid;
  s.epoch = a.reset_count;
  return s;
}

}  // namespace polysim::engine
