#include "partner/account_envelope.hpp"

#include <algorithm>

#include "core/decimal.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "engine/account_view.hpp"

namespace polysim::partner {

namespace {

using engine::percent;
using engine::usd;

void opt_time(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& t) {
  w.key(key);
  if (t) w.string(format_rfc3339_millis(*t));
  else w.null();
}

}  // namespace

void write_position_item(JsonWriter& w, const engine::PositionLine& line) {
  const auto& p = line.position;
  w.begin_object();
  w.key("market_id"); w.string(p.market_id);
  w.key("market_slug"); w.string(line.market_slug);
  w.key("outcome"); w.string(p.outcome);
  w.key("size"); w.string(format_decimal(p.size, 0));
  w.key("cost_basis"); w.string(usd(p.cost_basis));
  w.key("avg_entry_price");
  w.string(format_fixed(engine::average_entry_price({p.size, p.cost_basis, p.realized_pnl}), 6, Rounding::HalfUp));
  w.key("mark_price"); w.string(format_decimal(line.mark.price, 4));
  w.key("mark_source"); w.string(engine::mark_source_name(line.mark.source));
  w.key("market_value"); w.string(usd(line.market_value));
  w.key("unrealized_pnl"); w.string(usd(line.unrealized_pnl));
  w.end_object();
}

void write_account_envelope(JsonWriter& w, const engine::AccountView& v, const EnvelopeOptions& o) {
  const auto& a = v.account;
  const std::int64_t peak = a.peak_equity;
  const std::int64_t drawdown = v.drawdown;
  const std::int64_t as_of = a.closed_at ? *a.closed_at : v.as_of;

  w.begin_object();
  w.key("account_id"); w.string(a.id);
  w.key("external_id");
  if (a.external_id) w.string(*a.external_id); else w.null();
  w.key("user_id"); w.number(a.user_id);
  w.key("stage"); w.string(a.stage);
  w.key("status"); w.string(a.status);
  w.key("pending_action");
  if (a.pending_action) w.string(*a.pending_action); else w.null();
  w.key("currency"); w.string(a.currency);
  w.key("starting_balance"); w.string(usd(a.starting_balance));
  w.key("cash"); w.string(usd(a.cash));
  w.key("reserved"); w.string(usd(a.reserved));
  w.key("positions_value"); w.string(usd(v.positions_value));
  w.key("equity"); w.string(usd(v.equity));
  w.key("realized_pnl"); w.string(usd(a.realized_pnl));
  w.key("unrealized_pnl"); w.string(usd(v.unrealized_pnl));
  w.key("fees_paid"); w.string(usd(a.fees_paid));
  w.key("peak_equity"); w.string(usd(peak));
  w.key("min_equity"); w.string(usd(a.min_equity));
  w.key("drawdown"); w.string(usd(drawdown));
  w.key("drawdown_pct"); w.string(percent(drawdown, peak));
  w.key("max_drawdown"); w.string(usd(a.max_drawdown));
  w.key("max_drawdown_pct");
  {
    const auto stored = format_fixed(a.max_drawdown_pct_micros, 4, Rounding::HalfUp);
    const auto now_pct = percent(drawdown, peak);
    // Both are fixed-width 4-decimal renderings of non-negative values: compare as numbers.
    const auto as_units = [](const std::string& s) { return parse_decimal(s, 4).value_or(0); };
    w.string(as_units(now_pct) > as_units(stored) ? now_pct : stored);
  }
  w.key("day_start_equity"); w.string(usd(a.day_start_equity));
  w.key("day_start_at"); w.string(format_rfc3339_millis(a.day_start_at));
  w.key("day_pnl"); w.string(usd(v.equity - a.day_start_equity));
  w.key("day_low_equity"); w.string(usd(a.day_low_equity));
  w.key("open_orders_count"); w.number(a.open_orders_count);
  w.key("positions_count"); w.number(static_cast<std::int64_t>(v.positions.size()));
  if (o.include_positions) {
    w.key("positions");
    w.begin_array();
    for (const auto& line : v.positions) write_position_item(w, line);
    w.end_array();
  }
  w.key("reset_count"); w.number(a.reset_count);
  opt_time(w, "last_reset_at", a.last_reset_at);
  opt_time(w, "closed_at", a.closed_at);
  w.key("metadata"); w.raw_json(a.metadata_json);
  w.key("rules"); w.raw_json(a.rules_json);
  w.key("created_at"); w.string(format_rfc3339_millis(a.created_at));
  w.key("updated_at"); w.string(format_rfc3339_millis(a.updated_at));
  w.key("as_of"); w.string(format_rfc3339_millis(as_of));
  if (o.created) {
    w.key("created");
    w.boolean(*o.created);
  }
  w.end_object();
}

void write_trade(JsonWriter& w, const store::FillRecord& f) {
  w.begin_object();
  w.key("trade_id"); w.string(f.trade_id);
  w.key("order_id"); w.string(f.order_id);
  w.key("account_id"); w.string(f.account_id);
  w.key("epoch"); w.number(f.epoch);
  w.key("market_id"); w.string(f.market_id);
  w.key("market_slug"); w.string(f.market_slug);
  w.key("outcome"); w.string(f.outcome);
  w.key("side"); w.string(f.side);
  w.key("order_type"); w.string(f.order_type);
  w.key("price"); w.string(format_decimal(f.price, 4));
  w.key("size"); w.string(format_decimal(f.size, 0));
  w.key("notional"); w.string(usd(f.notional));
  w.key("fee"); w.string(usd(f.fee));
  w.key("fee_rate_bps"); w.number(f.fee_rate_bps);
  w.key("liquidity"); w.string(f.liquidity);
  w.key("filled_at"); w.string(format_rfc3339_millis(f.filled_at));
  w.end_object();
}

}  // namespace polysim::partner
