#include "trader/trading_render.hpp"

#include "core/decimal.hpp"
#include "core/time_format.hpp"
#include "engine/account_view.hpp"
#include "trader/trader_render.hpp"

namespace polysim::trader {

namespace {

std::string shares(std::int64_t v) { return format_decimal(v, 0); }
std::string price(std::int64_t v) { return format_decimal(v, 0); }

void opt_price(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  w.key(key);
  if (v) w.string(price(*v));
  else w.null();
}

void opt_time(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& t) {
  w.key(key);
  if (t) w.string(format_rfc3339_millis(*t));
  else w.null();
}

void opt_text(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.key(key);
  if (v) w.string(*v);
  else w.null();
}

}  // namespace

void write_order(JsonWriter& w, const store::OrderRecord& o, const std::vector<store::FillRecord>* fills) {
  w.begin_object();
  w.key("orderId"); w.string(o.order_id);
  w.key("accountId"); w.string(o.account_id);
  w.key("marketId"); w.string(o.market_id);
  w.key("outcome"); w.string(o.outcome);
  w.key("side"); w.string(o.side);
  w.key("orderType"); w.string(o.order_type);
  w.key("timeInForce"); w.string(o.time_in_force);
  opt_price(w, "limitPrice", o.limit_price);
  opt_price(w, "worstPrice", o.worst_price);
  w.key("size"); w.string(shares(o.size));
  w.key("notional");
  if (o.notional) w.string(engine::usd(*o.notional));
  else w.null();
  w.key("filledSize"); w.string(shares(o.filled_size));
  w.key("filledNotional"); w.string(format_decimal(o.filled_notional, 2));
  w.key("avgFillPrice");
  if (o.filled_size > 0)
    w.string(format_fixed(mul_div(o.filled_notional, 1'000'000, o.filled_size, Rounding::HalfUp).value_or(0), 6,
                          Rounding::HalfUp));
  else w.null();
  w.key("fees"); w.string(format_decimal(o.fees, 2));
  w.key("reservedCash"); w.string(format_decimal(o.reserved_cash, 2));
  w.key("reservedSize"); w.string(shares(o.reserved_size));
  w.key("postOnly"); w.boolean(o.post_only);
  opt_time(w, "expiresAt", o.expires_at);
  w.key("status"); w.string(o.status);
  opt_text(w, "endReason", o.end_reason);
  opt_text(w, "clientOrderId", o.client_order_id);
  w.key("origin"); w.string(o.origin);
  w.key("createdAt"); w.string(format_rfc3339_millis(o.created_at));
  w.key("updatedAt"); w.string(format_rfc3339_millis(o.updated_at));
  opt_time(w, "doneAt", o.done_at);
  if (fills) {
    w.key("fills");
    w.begin_array();
    for (const auto& f : *fills) write_fill(w, f);
    w.end_array();
  }
  w.end_object();
}

void write_settlement(JsonWriter& w, const store::SettlementRecord& s) {
  w.begin_object();
  w.key("settlementId"); w.string(s.settlement_id);
  w.key("accountId"); w.string(s.account_id);
  w.key("marketId"); w.string(s.market_id);
  w.key("tokenId"); w.string(s.token_id);
  w.key("outcome"); w.string(s.outcome);
  w.key("size"); w.string(shares(s.size));
  w.key("payoutPrice"); w.string(price(s.payout_price));
  w.key("amount"); w.string(format_decimal(s.amount, 2));
  w.key("realizedPnl"); w.string(format_decimal(s.realized_pnl, 2));
  w.key("settledAt"); w.string(format_rfc3339_millis(s.settled_at));
  w.end_object();
}

void write_fill(JsonWriter& w, const store::FillRecord& f) {
  w.begin_object();
  w.key("tradeId"); w.string(f.trade_id);
  w.key("orderId"); w.string(f.order_id);
  w.key("accountId"); w.string(f.account_id);
  w.key("epoch"); w.number(f.epoch);
  w.key("marketId"); w.string(f.market_id);
  w.key("outcome"); w.string(f.outcome);
  w.key("side"); w.string(f.side);
  w.key("orderType"); w.string(f.order_type);
  w.key("liquidity"); w.string(f.liquidity);
  w.key("price"); w.string(price(f.price));
  w.key("size"); w.string(shares(f.size));
  w.key("notional"); w.string(format_decimal(f.notional, 2));
  w.key("fee"); w.string(format_decimal(f.fee, 2));
  w.key("feeRateBps"); w.number(f.fee_rate_bps);
  w.key("cashDelta"); w.string(format_decimal(f.cash_delta, 2));
  w.key("realizedPnl"); w.string(format_decimal(f.realized_pnl, 2));
  opt_text(w, "clientOrderId", f.client_order_id);
  w.key("origin"); w.string(f.origin);
  w.key("filledAt"); w.string(format_rfc3339_millis(f.filled_at));
  w.end_object();
}

void write_position(JsonWriter& w, const PositionView& v) {
  const auto& p = v.position;
  w.begin_object();
  w.key("positionId"); w.string(p.position_id);
  w.key("accountId"); w.string(p.account_id);
  w.key("marketId"); w.string(p.market_id);
  w.key("outcome"); w.string(p.outcome);
  w.key("size"); w.string(shares(p.size));
  w.key("reservedSize"); w.string(shares(p.reserved_size));
  w.key("costBasis"); w.string(format_decimal(p.cost_basis, 2));
  w.key("avgEntryPrice");
  w.string(format_fixed(engine::average_entry_price({p.size, p.cost_basis, p.realized_pnl}), 6, Rounding::HalfUp));
  w.key("markPrice"); w.string(price(v.mark.price));
  w.key("markSource"); w.string(engine::mark_source_name(v.mark.source));
  w.key("marketValue"); w.string(format_decimal(v.market_value, 2));
  w.key("unrealizedPnl"); w.string(format_decimal(p.status == "OPEN" ? v.market_value - p.cost_basis : 0, 2));
  w.key("realizedPnl"); w.string(format_decimal(p.realized_pnl, 2));
  w.key("status"); w.string(p.status);
  w.key("openedAt"); w.string(format_rfc3339_millis(p.opened_at));
  opt_time(w, "closedAt", p.closed_at);
  w.end_object();
}

namespace {

void book_side(JsonWriter& w, const std::vector<engine::BookLevel>& levels, int depth) {
  w.begin_array();
  for (std::size_t i = 0; i < levels.size() && static_cast<int>(i) < depth; ++i) {
    w.begin_object();
    w.key("price"); w.string(price(levels[i].price));
    w.key("size"); w.string(shares(levels[i].size));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

void write_market(JsonWriter& w, const store::MarketRecord& m, const engine::MarketBoard& board, std::int64_t now,
                  std::optional<int> depth) {
  const std::pair<const char*, const std::string*> outcomes[] = {{"YES", &m.yes_token_id}, {"NO", &m.no_token_id}};
  w.begin_object();
  w.key("marketId"); w.string(m.id);
  w.key("slug"); w.string(m.slug);
  w.key("question"); w.string(m.question);
  w.key("category"); w.string(m.category);
  w.key("status"); w.string(m.status);
  opt_time(w, "endDate", m.end_date);
  opt_text(w, "resolution", m.resolution);
  w.key("tickSize"); w.string(price(m.tick_size));
  w.key("minOrderSize"); w.string(shares(m.min_order_size));
  w.key("takerFeeBps"); w.number(m.taker_fee_bps);
  w.key("makerFeeBps"); w.number(m.maker_fee_bps);
  w.key("outcomes");
  w.begin_array();
  for (const auto& [name, token] : outcomes) {
    const auto book = board.book(*token);
    const bool fresh = book && engine::is_fresh(*book, m.stale_after_s, now);
    w.begin_object();
    w.key("outcome"); w.string(name);
    w.key("label"); w.string(std::string_view(name) == "YES" ? m.yes_label.value_or("Yes") : m.no_label.value_or("No"));
    w.key("tokenId"); w.string(*token);
    opt_price(w, "bestBid", fresh ? book->best_bid() : std::nullopt);
    opt_price(w, "bestAsk", fresh ? book->best_ask() : std::nullopt);
    w.end_object();
  }
  w.end_array();
  if (depth) {
    w.key("book");
    w.begin_object();
    for (const auto& [name, token] : outcomes) {
      const auto book = board.book(*token);
      w.key(name);
      w.begin_object();
      w.key("seq"); w.number(book ? book->seq : 0);
      w.key("stale"); w.boolean(!book || !engine::is_fresh(*book, m.stale_after_s, now));
      w.key("bids"); book_side(w, book ? book->bids : std::vector<engine::BookLevel>{}, *depth);
      w.key("asks"); book_side(w, book ? book->asks : std::vector<engine::BookLevel>{}, *depth);
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
}

void write_equity_point(JsonWriter& w, const EquityPoint& p) {
  const auto& s = p.snapshot;
  w.begin_object();
  w.key("at"); w.string(format_rfc3339_millis(p.at));
  w.key("cash"); w.string(engine::usd(s.cash));
  w.key("reserved"); w.string(engine::usd(s.reserved));
  w.key("positionsValue"); w.string(engine::usd(s.positions_value));
  w.key("equity"); w.string(engine::usd(s.equity));
  w.key("peakEquity"); w.string(engine::usd(s.peak_equity));
  w.key("drawdown"); w.string(engine::usd(s.drawdown));
  w.end_object();
}

void write_account_detail(JsonWriter& w, const engine::AccountView& v) {
  w.begin_object();
  write_paper_account_fields(w, v);
  w.key("positions");
  w.begin_array();
  for (const auto& line : v.positions) write_position(w, PositionView{line.position, line.mark, line.market_value});
  w.end_array();
  w.end_object();
}

}  // namespace polysim::trader
