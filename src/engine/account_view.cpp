#include "engine/account_view.hpp"

#include <algorithm>

#include "core/decimal.hpp"
#include "engine/market_board.hpp"
#include "engine/valuation.hpp"

namespace polysim::engine {

namespace {

void finish(AccountView& v) {
  v.equity = v.account.cash + v.account.reserved + v.positions_value;
  record_extremes(v.account, v.equity);
  v.drawdown = v.account.peak_equity - v.equity;
}

}  // namespace

AccountView view_account(store::AccountRecord account, const std::vector<store::PositionRecord>& positions,
                         const MarketBoard& board, std::int64_t now) {
  AccountView v;
  v.account = std::move(account);
  v.as_of = now;
  for (const auto& p : positions) {
    if (p.status != "OPEN") continue;
    PositionLine line;
    line.position = p;
    if (auto ref = board.token(p.token_id)) line.market_slug = ref->market->slug;
    line.mark = position_mark(p, board, now);
    line.market_value = market_value(p.size, line.mark.price).value_or(0);
    line.unrealized_pnl = line.market_value - p.cost_basis;
    v.positions_value += line.market_value;
    v.unrealized_pnl += line.unrealized_pnl;
    v.positions.push_back(std::move(line));
  }
  finish(v);
  return v;
}

AccountView view_without_positions(store::AccountRecord account, std::int64_t now) {
  AccountView v;
  v.account = std::move(account);
  v.as_of = now;
  finish(v);
  return v;
}

store::AccountRecord with_engine_columns(store::AccountRecord row, const store::AccountRecord& e) {
  row.status = e.status;
  row.pending_action = e.pending_action;
  row.cash = e.cash;
  row.reserved = e.reserved;
  row.realized_pnl = e.realized_pnl;
  row.fees_paid = e.fees_paid;
  row.peak_equity = e.peak_equity;
  row.min_equity = e.min_equity;
  row.max_drawdown = e.max_drawdown;
  row.max_drawdown_pct_micros = e.max_drawdown_pct_micros;
  row.day_start_equity = e.day_start_equity;
  row.day_start_at = e.day_start_at;
  row.day_low_equity = e.day_low_equity;
  row.open_orders_count = e.open_orders_count;
  row.reset_count = e.reset_count;
  row.last_reset_at = e.last_reset_at;
  row.closed_at = e.closed_at;
  row.updated_at = std::max(row.updated_at, e.updated_at);
  return row;
}

bool moves_extremes(const store::AccountRecord& stored, const store::AccountRecord& viewed) {
  return viewed.peak_equity != stored.peak_equity || viewed.min_equity != stored.min_equity ||
         viewed.day_low_equity != stored.day_low_equity || viewed.max_drawdown != stored.max_drawdown ||
         viewed.max_drawdown_pct_micros != stored.max_drawdown_pct_micros;
}

std::string usd(std::int64_t micros) { return format_decimal(micros, 2); }

std::string percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0 || part <= 0) return "0.0000";
  auto ten_thousandths = mul_div(part, 100 * 10'000, whole, Rounding::HalfUp).value_or(0);
  return format_fixed(ten_thousandths * 100, 4, Rounding::HalfUp);
}

}  // namespace polysim::engine
