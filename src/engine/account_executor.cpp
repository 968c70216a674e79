#include "engine/account_executor.hpp"

#include <algorithm>

#include "core/decimal.hpp"
#include "core/json_writer.hpp"
#include "engine/maker_fill.hpp"
#include "engine/position_math.hpp"
#include "engine/valuation.hpp"

namespace polysim::engine {

namespace {

constexpr std::int64_t kOne = 1'000'000;
constexpr std::int64_t kMinNotional = 1'000'000;          // $1.00
constexpr std::int64_t kMinExpiry = 5'000'000;            // 5 s
constexpr std::int64_t kMaxExpiry = 365LL * 86'400'000'000;  // 365 d

EngineError err(EngineCode code, std::string message) { return EngineError{code, std::move(message)}; }

template <class Record, class Key>
void upsert(std::vector<Record>& rows, const Record& row, Key key) {
  for (auto& r : rows)
    if (key(r) == key(row)) {
      r = row;
      return;
    }
  rows.push_back(row);
}

void write_order(store::WriteSet& out, const store::OrderRecord& o) {
  upsert(out.orders, o, [](const store::OrderRecord& r) { return r.order_id; });
}

void write_position(store::WriteSet& out, const store::PositionRecord& p) {
  upsert(out.positions, p, [](const store::PositionRecord& r) { return r.position_id; });
}

// `booked_later`: what this command has already taken from cash that a later entry books (a
// fill's fee, taken with its notional): each entry's balance_after is the running sum.
void append_ledger(AccountState& s, store::WriteSet& out, std::string type, std::int64_t amount,
                   std::optional<std::string> trade_id, std::optional<std::string> settlement_id, std::int64_t now,
                   std::int64_t booked_later = 0) {
  store::LedgerEntryRecord e;
  e.account_id = s.account.id;
  e.seq = ++s.ledger_seq;
  e.epoch = s.account.reset_count;
  e.type = std::move(type);
  e.amount = amount;
  e.balance_after = s.ledger_balance() - booked_later;
  e.trade_id = std::move(trade_id);
  e.settlement_id = std::move(settlement_id);
  e.created_at = now;
  out.ledger.push_back(std::move(e));
}

void finish_order(AccountState& s, store::OrderRecord& o, std::string status, std::optional<std::string> reason,
                  std::int64_t now) {
  o.status = std::move(status);
  o.end_reason = std::move(reason);
  o.done_at = now;
  o.updated_at = now;
  o.reserved_cash = 0;
  o.reserved_size = 0;
  s.recent_done.push_back(o);
  while (s.recent_done.size() > kRecentDoneOrders) s.recent_done.pop_front();
}

// Releases what a resting order holds and ends it.
void end_resting(AccountState& s, const std::string& order_id, std::string status, std::string_view reason,
                 const ExecContext& ctx, store::WriteSet& out) {
  auto it = s.open_orders.find(order_id);
  if (it == s.open_orders.end()) return;
  auto o = it->second;
  if (o.side == "BUY") {
    s.account.cash += o.reserved_cash;
    s.account.reserved -= o.reserved_cash;
  } else if (auto p = s.positions.find(o.token_id); p != s.positions.end()) {
    p->second.reserved_size -= o.reserved_size;
    p->second.updated_at = ctx.now;
    write_position(out, p->second);
  }
  s.open_orders.erase(it);
  s.account.open_orders_count = static_cast<std::int64_t>(s.open_orders.size());
  finish_order(s, o, std::move(status), std::string(reason), ctx.now);
  write_order(out, o);
}

std::optional<std::int64_t> maker_fee_reservation(std::int64_t bps, std::int64_t limit, std::int64_t remaining) {
  if (bps <= 0 || remaining <= 0) return 0;
  return fill_fee(bps, remaining, limit);
}

// Cash a resting BUY locks for `remaining` shares: ceil(L × remaining) plus the maker fee at L.
std::optional<std::int64_t> resting_buy_lock(std::int64_t limit, std::int64_t remaining, std::int64_t maker_fee_bps) {
  auto notional = buy_reservation(limit, remaining);
  auto fee = maker_fee_reservation(maker_fee_bps, limit, remaining);
  if (!notional || !fee) return std::nullopt;
  return add(*notional, *fee);
}

TokenDepletion& depletion_for(AccountState& s, const Book& book) {
  auto& d = s.depletion[book.token_id];
  if (d.seq != book.seq) d = TokenDepletion{book.seq, {}, {}};
  return d;
}

std::vector<std::int64_t> taken_per_level(const std::vector<LevelTaken>& taken, const std::vector<BookLevel>& side) {
  std::vector<std::int64_t> out(side.size(), 0);
  for (std::size_t i = 0; i < side.size(); ++i)
    for (const auto& t : taken)
      if (t.price == side[i].price) out[i] = t.taken;
  return out;
}

void record_taken(std::vector<LevelTaken>& taken, std::int64_t price, std::int64_t size) {
  for (auto& t : taken)
    if (t.price == price) {
      t.taken += size;
      return;
    }
  taken.push_back(LevelTaken{price, size});
}

struct FillSpec {
  std::string liquidity;
  std::int64_t price = 0;
  std::int64_t size = 0;
  std::int64_t notional = 0;
  std::int64_t fee = 0;
  std::int64_t fee_rate_bps = 0;
  std::int64_t book_seq = 0;
};

// Applies one fill to position, cash, ledger and figures; returns the fill row. BUY cash is
// taken by the caller's reservation logic only through `cash_from_free`.
store::FillRecord apply_fill(AccountState& s, store::OrderRecord& o, const FillSpec& f, std::int64_t filled_at,
                             const ExecContext& ctx, store::WriteSet& out) {
  const bool buy = o.side == "BUY";
  auto pit = s.positions.find(o.token_id);
  if (pit == s.positions.end()) {
    store::PositionRecord p;
    p.position_id = ctx.new_id();
    p.account_id = s.account.id;
    p.market_id = o.market_id;
    p.token_id = o.token_id;
    p.outcome = o.outcome;
    p.opened_at = ctx.now;
    p.epoch = s.account.reset_count;
    pit = s.positions.emplace(o.token_id, std::move(p)).first;
  }
  auto& p = pit->second;
  const PositionState before{p.size, p.cost_basis, p.realized_pnl};
  auto change = buy ? apply_buy(before, f.size, f.notional, f.fee) : apply_sell(before, f.size, f.notional, f.fee);
  // Checks before execution make these impossible; a failure here would be an engine bug.
  if (!change) throw std::logic_error("position arithmetic out of range");
  p.size = change->after.size;
  p.cost_basis = change->after.cost_basis;
  p.realized_pnl = change->after.realized_pnl;
  p.updated_at = ctx.now;

  store::FillRecord fill;
  fill.trade_id = ctx.new_id();
  fill.order_id = o.order_id;
  fill.account_id = s.account.id;
  fill.epoch = s.account.reset_count;
  fill.market_id = o.market_id;
  fill.token_id = o.token_id;
  fill.outcome = o.outcome;
  fill.side = o.side;
  fill.order_type = o.order_type;
  fill.time_in_force = o.time_in_force;
  fill.liquidity = f.liquidity;
  fill.price = f.price;
  fill.size = f.size;
  fill.notional = f.notional;
  fill.fee = f.fee;
  fill.fee_rate_bps = f.fee_rate_bps;
  fill.cash_delta = buy ? -(f.notional + f.fee) : f.notional - f.fee;
  fill.realized_pnl = change->realized_pnl;
  fill.position_size_after = p.size;
  fill.book_seq = f.book_seq;
  fill.client_order_id = o.client_order_id;
  fill.origin = o.origin;
  fill.filled_at = filled_at;

  s.account.realized_pnl += change->realized_pnl;
  s.account.fees_paid += f.fee;
  append_ledger(s, out, "trade", buy ? -f.notional : f.notional, fill.trade_id, std::nullopt, ctx.now, -f.fee);
  if (f.fee > 0) append_ledger(s, out, "fee", -f.fee, fill.trade_id, std::nullopt, ctx.now);

  o.filled_size += f.size;
  o.filled_notional += f.notional;
  o.fees += f.fee;
  o.updated_at = ctx.now;

  if (p.size == 0) {
    p.status = "CLOSED";
    p.closed_at = ctx.now;
    write_position(out, p);
    s.positions.erase(pit);
  } else {
    write_position(out, p);
  }
  out.fills.push_back(fill);
  return fill;
}

std::int64_t next_filled_at(AccountState& s, std::int64_t now) {
  s.last_filled_at = std::max(now, s.last_filled_at);
  return s.last_filled_at;
}

bool same_parameters(const OrderRequest& r, const store::OrderRecord& o, const store::MarketRecord* market) {
  if (market && market->id != o.market_id) return false;
  if (!market && r.market != o.market_id) return false;
  if (outcome_name(r.outcome) != o.outcome || side_name(r.side) != o.side) return false;
  if (order_type_name(r.type) != o.order_type) return false;
  if (time_in_force_name(r.effective_time_in_force()) != o.time_in_force) return false;
  if (r.notional != o.notional) return false;
  if (!r.notional && r.size != o.size) return false;
  if (r.limit_price != o.limit_price) return false;
  if (r.worst_price && r.worst_price != o.worst_price) return false;
  if (r.post_only != o.post_only || r.expires_at != o.expires_at) return false;
  return true;
}

std::optional<EngineError> check_shape(const OrderRequest& r, TimeInForce tif) {
  const bool market = r.type == OrderType::Market;
  if (market && tif != TimeInForce::Fok && tif != TimeInForce::Fak)
    return err(EngineCode::ValidationFailed, "market orders take time_in_force FOK or FAK");
  if (!market && tif != TimeInForce::Gtc && tif != TimeInForce::Gtd)
    return err(EngineCode::ValidationFailed, "limit orders take time_in_force GTC or GTD");
  if (r.size.has_value() == r.notional.has_value())
    return err(EngineCode::ValidationFailed, "give exactly one of size and notional");
  if (r.notional && (!market || r.side != Side::Buy))
    return err(EngineCode::ValidationFailed, "notional is for market BUY orders only");
  if (r.notional && *r.notional < kMinNotional) return err(EngineCode::ValidationFailed, "notional must be at least 1.00");
  if (r.size && *r.size <= 0) return err(EngineCode::ValidationFailed, "size must be positive");
  if (market && r.limit_price) return err(EngineCode::ValidationFailed, "limit_price is for limit orders");
  if (!market && (r.worst_price || r.max_slippage_bps))
    return err(EngineCode::ValidationFailed, "worst_price and max_slippage_bps are for market orders");
  if (r.worst_price && r.max_slippage_bps)
    return err(EngineCode::ValidationFailed, "give at most one of worst_price and max_slippage_bps");
  if (r.max_slippage_bps && (*r.max_slippage_bps < 0 || *r.max_slippage_bps > 10'000))
    return err(EngineCode::ValidationFailed, "max_slippage_bps must be 0 to 10000");
  if (r.post_only && market) return err(EngineCode::ValidationFailed, "post_only is for GTC and GTD orders");
  if (tif == TimeInForce::Gtd && !r.expires_at) return err(EngineCode::ValidationFailed, "GTD orders need expires_at");
  if (tif != TimeInForce::Gtd && r.expires_at) return err(EngineCode::ValidationFailed, "expires_at is for GTD orders");
  return std::nullopt;
}

// The default bound: slippage off the best opposite price, rounded to the tick away from the
// trader's favour and clamped to [tick, 1 − tick].
std::int64_t bound_from_slippage(Side side, std::int64_t best, std::int64_t bps, std::int64_t tick) {
  const std::int64_t factor = side == Side::Buy ? 10'000 + bps : 10'000 - bps;
  std::int64_t raw = mul_div(best, factor, 10'000, side == Side::Buy ? Rounding::Down : Rounding::Up).value_or(best);
  std::int64_t on_grid = side == Side::Buy ? (raw / tick) * tick : ((raw + tick - 1) / tick) * tick;
  return std::clamp(on_grid, tick, kOne - tick);
}

}  // namespace

void revalue(AccountState& s, const ExecContext& ctx, store::WriteSet& out,
             std::optional<std::string_view> snapshot_reason) {
  const auto v = value_account(s, ctx.board, ctx.now);
  record_extremes(s.account, v.equity);
  s.account.updated_at = std::max(s.account.updated_at, ctx.now);
  upsert(out.accounts, s.account, [](const store::AccountRecord& a) { return a.id; });
  if (snapshot_reason) out.snapshots.push_back(make_snapshot(s.account, v, std::string(*snapshot_reason), ctx.now));
}

PlaceResult place_order(AccountState& s, const OrderRequest& r, const ExecContext& ctx, store::WriteSet& out) {
  PlaceResult result;
  const auto tif = r.effective_time_in_force();
  if (auto e = check_shape(r, tif)) {
    result.error = e;
    return result;
  }
  const auto market = ctx.board.market(r.market);

  // 3: a retry learns its original whatever state the account is in now.
  if (r.client_order_id) {
    std::optional<store::OrderRecord> original;
    if (auto id = s.client_order_ids.find(*r.client_order_id); id != s.client_order_ids.end()) {
      if (const auto* o = s.find_order(id->second)) original = *o;
    }
    if (!original && ctx.find_by_client_id) original = ctx.find_by_client_id(s.account.id, *r.client_order_id);
    if (original) {
      if (same_parameters(r, *original, market.get())) {
        result.order = original;
        result.replayed = true;
      } else {
        result.error = err(EngineCode::DuplicateClientOrderId,
                           "client_order_id was already used for an order with other parameters");
      }
      return result;
    }
  }

  store::OrderRecord o;
  std::int64_t filled_at = 0;
  auto reject = [&](EngineCode code, std::string message) -> PlaceResult& {
    result.error = err(code, std::move(message));
    if (r.record_rejection && is_business_rejection(code) && market) {
      o.status = "REJECTED";
      o.end_reason = std::string(code_name(code));
      o.done_at = ctx.now;
      o.filled_size = o.filled_notional = o.fees = o.reserved_cash = o.reserved_size = 0;
      if (o.client_order_id) s.client_order_ids[*o.client_order_id] = o.order_id;
      s.recent_done.push_back(o);
      while (s.recent_done.size() > kRecentDoneOrders) s.recent_done.pop_front();
      write_order(out, o);
      result.order = o;
    }
    return result;
  };

  if (s.account.status != "active") {
    result.error = err(EngineCode::AccountClosed, "The account is closed.");
    return result;
  }
  if (s.account.pending_action) {
    result.error = err(EngineCode::AccountBusy, "The account is being " + *s.account.pending_action + "; retry later.");
    return result;
  }
  if (!market) {
    result.error = err(EngineCode::MarketNotFound, "No such market.");
    return result;
  }
  const auto& m = *market;
  const std::string token_id = r.outcome == Outcome::Yes ? m.yes_token_id : m.no_token_id;
  const auto book = ctx.board.book(token_id);
  const bool fresh = book && is_fresh(*book, m.stale_after_s, ctx.now);

  o.order_id = r.order_id ? *r.order_id : ctx.new_id();
  o.account_id = s.account.id;
  o.market_id = m.id;
  o.token_id = token_id;
  o.outcome = std::string(outcome_name(r.outcome));
  o.side = std::string(side_name(r.side));
  o.order_type = std::string(order_type_name(r.type));
  o.time_in_force = std::string(time_in_force_name(tif));
  o.limit_price = r.limit_price;
  o.worst_price = r.worst_price;
  o.size = r.size.value_or(0);
  o.notional = r.notional;
  o.post_only = r.post_only;
  o.expires_at = r.expires_at;
  o.entry_book_seq = book ? book->seq : 0;
  o.epoch = s.account.reset_count;
  o.client_order_id = r.client_order_id;
  o.origin = r.origin;
  o.app_id = r.app_id;
  o.created_at = o.updated_at = ctx.now;

  // 7
  if (m.status != "open" || (m.end_date && *m.end_date <= ctx.now))
    return reject(EngineCode::MarketClosed, "The market is not open for trading.");
  const bool limit = r.type == OrderType::Limit;
  // 8–10
  if (limit && !r.limit_price) {
    result.error = err(EngineCode::PriceRequired, "limit orders need limit_price");
    return result;
  }
  if (limit && (*r.limit_price < m.tick_size || *r.limit_price > kOne - m.tick_size)) {
    result.error = err(EngineCode::InvalidPrice, "limit_price must be between one tick and 1 - tick");
    return result;
  }
  if (r.worst_price && (*r.worst_price <= 0 || *r.worst_price > kOne)) {
    result.error = err(EngineCode::InvalidPrice, "worst_price must be in (0, 1]");
    return result;
  }
  if (limit && *r.limit_price % m.tick_size != 0) {
    result.error = err(EngineCode::InvalidTickSize, "limit_price is not a multiple of the market's tick size");
    return result;
  }
  // 11
  std::int64_t available = 0;
  if (auto p = s.positions.find(token_id); p != s.positions.end()) available = p->second.size - p->second.reserved_size;
  if (r.size && *r.size < m.min_order_size && !(r.side == Side::Sell && *r.size == available)) {
    result.error = err(EngineCode::InvalidMinSize, "size is below the market's minimum order size");
    return result;
  }
  // 12
  if ((r.size && *r.size > ctx.limits.max_order_size) || (r.notional && *r.notional > ctx.limits.max_order_notional)) {
    result.error = err(EngineCode::AmountOutOfRange, "order size or notional is out of range");
    return result;
  }
  if (limit) {
    auto value = mul_div(*r.limit_price, *r.size, kOne, Rounding::Up);
    if (!value || *value > ctx.limits.max_order_notional) {
      result.error = err(EngineCode::AmountOutOfRange, "order notional is out of range");
      return result;
    }
  }
  if (r.expires_at && (*r.expires_at < ctx.now + kMinExpiry || *r.expires_at > ctx.now + kMaxExpiry)) {
    result.error = err(EngineCode::InvalidExpiration, "expires_at must be 5 seconds to 365 days ahead");
    return result;
  }
  // 13
  if (r.side == Side::Sell && *r.size > available)
    return reject(EngineCode::InsufficientPosition, "The position does not hold enough free shares to sell.");
  // 14
  if (!limit && !fresh) return reject(EngineCode::StaleQuote, "The market's quote is stale; retry shortly.");
  // 15: post-only is judged against whatever book there is, stale or not.
  if (limit && r.post_only && book) {
    const bool crosses = r.side == Side::Buy ? (book->best_ask() && *r.limit_price >= *book->best_ask())
                                             : (book->best_bid() && *r.limit_price <= *book->best_bid());
    if (crosses) {
      result.error = err(EngineCode::PostOnlyWouldCross, "post_only order would cross the book");
      return result;
    }
  }

  // 16: the walk at entry.
  const std::int64_t fee_bps = m.taker_fee_bps;
  TakerWalk walk;
  walk.outcome = WalkOutcome::NoExecutableDepth;
  bool walked = false;
  const std::vector<BookLevel>* opposite = nullptr;
  if (book) opposite = r.side == Side::Buy ? &book->asks : &book->bids;
  if (!limit) {
    std::int64_t bound = 0;
    if (r.worst_price) {
      bound = *r.worst_price;
    } else {
      if (opposite->empty()) return reject(EngineCode::NoExecutableDepth, "There is no executable depth in the book.");
      bound = bound_from_slippage(r.side, opposite->front().price, r.max_slippage_bps.value_or(ctx.limits.default_slippage_bps),
                                  m.tick_size);
    }
    o.worst_price = bound;
    auto& d = depletion_for(s, *book);
    const auto taken = taken_per_level(r.side == Side::Buy ? d.asks : d.bids, *opposite);
    TakerOrder t{r.side, r.size, r.notional, bound, tif == TimeInForce::Fok, fee_bps};
    walk = walk_book(t, *opposite, taken);
    walked = true;
  } else if (fresh && !r.post_only) {
    const bool crosses = r.side == Side::Buy ? (book->best_ask() && *r.limit_price >= *book->best_ask())
                                             : (book->best_bid() && *r.limit_price <= *book->best_bid());
    if (crosses) {
      auto& d = depletion_for(s, *book);
      const auto taken = taken_per_level(r.side == Side::Buy ? d.asks : d.bids, *opposite);
      TakerOrder t{r.side, r.size, std::nullopt, *r.limit_price, false, fee_bps};
      walk = walk_book(t, *opposite, taken);
      walked = true;
      if (walk.outcome == WalkOutcome::NoExecutableDepth) walk = TakerWalk{};  // rests whole
    }
  }
  if (walked && !limit) {
    switch (walk.outcome) {
      case WalkOutcome::NoExecutableDepth:
        return reject(EngineCode::NoExecutableDepth, "There is no executable depth within the price bound.");
      case WalkOutcome::FokNotFilled:
        return reject(EngineCode::FokNotFilled, "The order could not be filled in full.");
      case WalkOutcome::AmountOutOfRange:
        result.error = err(EngineCode::AmountOutOfRange, "order amount is out of range");
        return result;
      default: break;
    }
    if (r.notional && walk.filled_size < m.min_order_size) {
      result.error = err(EngineCode::InvalidMinSize, "the notional buys less than the market's minimum order size");
      return result;
    }
  }
  if (walked && walk.outcome == WalkOutcome::AmountOutOfRange) {
    result.error = err(EngineCode::AmountOutOfRange, "order amount is out of range");
    return result;
  }

  // 17: what the order needs in cash, now and for its resting remainder.
  const std::int64_t rest = limit ? *r.size - walk.filled_size : 0;
  std::int64_t lock = 0;
  if (limit && r.side == Side::Buy && rest > 0) {
    auto l = resting_buy_lock(*r.limit_price, rest, m.maker_fee_bps);
    if (!l) {
      result.error = err(EngineCode::AmountOutOfRange, "order amount is out of range");
      return result;
    }
    lock = *l;
  }
  if (r.side == Side::Buy) {
    const std::int64_t need = walk.notional + walk.fees + lock;
    if (need > s.account.cash) return reject(EngineCode::InsufficientBalance, "Insufficient balance for this order.");
  } else {
    // A sell whose fees would exceed its proceeds cannot be paid from nothing.
    if (walk.fees - walk.notional > s.account.cash)
      return reject(EngineCode::InsufficientBalance, "Insufficient balance for this order.");
  }
  if (r.side == Side::Buy) {
    if (auto p = s.positions.find(token_id); p != s.positions.end() &&
                                              p->second.size + walk.filled_size + rest > ctx.limits.max_position_size) {
      result.error = err(EngineCode::AmountOutOfRange, "the position would exceed its size limit");
      return result;
    }
  } else if (s.account.cash + walk.notional > ctx.limits.max_cash) {
    result.error = err(EngineCode::AmountOutOfRange, "cash would exceed its limit");
    return result;
  }

  // Execution: nothing below can fail.
  if (r.notional) o.size = walk.filled_size;
  if (!walk.fills.empty()) {
    filled_at = next_filled_at(s, ctx.now);
    auto& d = depletion_for(s, *book);
    for (const auto& f : walk.fills) {
      if (r.side == Side::Buy) s.account.cash -= f.notional + f.fee;
      else s.account.cash += f.notional - f.fee;
      record_taken(r.side == Side::Buy ? d.asks : d.bids, f.price, f.size);
      result.fills.push_back(apply_fill(
          s, o, FillSpec{"taker", f.price, f.size, f.notional, f.fee, fee_bps, book->seq}, filled_at, ctx, out));
    }
  }
  if (o.client_order_id) s.client_order_ids[*o.client_order_id] = o.order_id;
  if (limit && rest > 0) {
    o.status = "OPEN";
    if (r.side == Side::Buy) {
      o.reserved_cash = lock;
      s.account.cash -= lock;
      s.account.reserved += lock;
    } else {
      o.reserved_size = rest;
      auto& p = s.positions.at(token_id);
      p.reserved_size += rest;
      p.updated_at = ctx.now;
      write_position(out, p);
    }
    s.open_orders[o.order_id] = o;
    s.account.open_orders_count = static_cast<std::int64_t>(s.open_orders.size());
    write_order(out, o);
  } else {
    const bool complete = limit || walk.outcome == WalkOutcome::Filled;
    finish_order(s, o, complete ? "FILLED" : "CANCELLED",
                 complete ? std::nullopt : std::optional<std::string>("fak_remainder"), ctx.now);
    write_order(out, o);
  }
  revalue(s, ctx, out, result.fills.empty() ? std::nullopt : std::optional<std::string_view>("fill"));
  result.order = o;
  return result;
}

CancelResult cancel_order(AccountState& s, const std::string& order_id, std::string_view reason,
                          const ExecContext& ctx, store::WriteSet& out) {
  CancelResult result;
  auto it = s.open_orders.find(order_id);
  if (it == s.open_orders.end()) {
    if (const auto* done = s.find_order(order_id)) {
      result.error = err(EngineCode::OrderNotCancellable, "The order has already ended.");
      result.order = *done;
    } else {
      result.error = err(EngineCode::OrderNotFound, "No such order.");
    }
    return result;
  }
  const bool expiry = reason == "gtd" || reason == "market_closed" || reason == "market_resolved";
  end_resting(s, order_id, expiry ? "EXPIRED" : "CANCELLED", reason, ctx, out);
  result.order = s.recent_done.back();
  revalue(s, ctx, out, std::nullopt);
  return result;
}

CancelAllResult cancel_all(AccountState& s, const std::optional<std::string>& market_id, const ExecContext& ctx,
                           store::WriteSet& out) {
  CancelAllResult result;
  std::vector<std::string> ids;
  for (const auto& [id, o] : s.open_orders)
    if (!market_id || o.market_id == *market_id) ids.push_back(id);
  for (const auto& id : ids) {
    if (static_cast<int>(result.cancelled.size()) == kBulkCancelLimit) {
      ++result.remaining;
      continue;
    }
    end_resting(s, id, "CANCELLED", "user", ctx, out);
    result.cancelled.push_back(id);
  }
  if (!result.cancelled.empty()) revalue(s, ctx, out, std::nullopt);
  return result;
}

void expire_due_orders(AccountState& s, const ExecContext& ctx, store::WriteSet& out) {
  std::vector<std::string> due;
  for (const auto& [id, o] : s.open_orders)
    if (o.expires_at && *o.expires_at <= ctx.now) due.push_back(id);
  for (const auto& id : due) end_resting(s, id, "EXPIRED", "gtd", ctx, out);
  if (!due.empty()) revalue(s, ctx, out, std::nullopt);
}

void expire_market_orders(AccountState& s, const std::string& market_id, std::string_view reason,
                          const ExecContext& ctx, store::WriteSet& out) {
  std::vector<std::string> ids;
  for (const auto& [id, o] : s.open_orders)
    if (o.market_id == market_id) ids.push_back(id);
  for (const auto& id : ids) end_resting(s, id, "EXPIRED", reason, ctx, out);
  if (!ids.empty()) revalue(s, ctx, out, std::nullopt);
}

void evaluate_resting(AccountState& s, const Book& book, const ExecContext& ctx, store::WriteSet& out) {
  expire_due_orders(s, ctx, out);
  auto ref = ctx.board.token(book.token_id);
  if (!ref) return;
  const auto& m = *ref->market;
  if (m.status != "open" || (m.end_date && *m.end_date <= ctx.now)) return;
  if (!is_fresh(book, m.stale_after_s, ctx.now)) return;

  std::vector<const store::OrderRecord*> buys, sells;
  for (const auto& [id, o] : s.open_orders) {
    if (o.token_id != book.token_id || o.entry_book_seq >= book.seq) continue;
    (o.side == "BUY" ? buys : sells).push_back(&o);
  }
  if (buys.empty() && sells.empty()) return;
  // Best price first, then age (ids are time-ordered).
  std::stable_sort(buys.begin(), buys.end(), [](auto* a, auto* b) { return *a->limit_price > *b->limit_price; });
  std::stable_sort(sells.begin(), sells.end(), [](auto* a, auto* b) { return *a->limit_price < *b->limit_price; });
  std::vector<std::string> order_ids;
  for (auto* o : buys) order_ids.push_back(o->order_id);
  for (auto* o : sells) order_ids.push_back(o->order_id);

  bool any = false;
  auto& d = depletion_for(s, book);
  for (const auto& id : order_ids) {
    auto& o = s.open_orders.at(id);
    const bool buy = o.side == "BUY";
    const auto& opposite = buy ? book.asks : book.bids;
    auto& taken = buy ? d.asks : d.bids;
    const auto already = taken_per_level(taken, opposite);
    RestingOrder resting{buy ? Side::Buy : Side::Sell, *o.limit_price, o.size - o.filled_size + o.maker_filled_size,
                         o.maker_filled_size};
    auto fill = fill_resting(resting, opposite, already, m.maker_fee_bps);
    if (!fill) continue;
    // What the order takes comes off the levels at or through its limit, best first (§5.2).
    std::int64_t left = fill->size;
    for (std::size_t i = 0; i < opposite.size() && left > 0; ++i) {
      const std::int64_t avail = std::max<std::int64_t>(0, opposite[i].size - already[i]);
      const std::int64_t take = std::min(avail, left);
      if (take > 0) record_taken(taken, opposite[i].price, take);
      left -= take;
    }
    const std::int64_t filled_at = next_filled_at(s, ctx.now);
    if (buy) {
      const std::int64_t before = o.reserved_cash;
      const std::int64_t after = resting_buy_lock(*o.limit_price, fill->remaining, m.maker_fee_bps).value_or(0);
      s.account.reserved -= before - after;
      s.account.cash += (before - after) - fill->notional - fill->fee;
      o.reserved_cash = after;
    } else {
      s.account.cash += fill->notional - fill->fee;
      o.reserved_size -= fill->size;
      auto& p = s.positions.at(o.token_id);
      p.reserved_size -= fill->size;
    }
    o.maker_filled_size += fill->size;
    apply_fill(s, o, FillSpec{"maker", *o.limit_price, fill->size, fill->notional, fill->fee, m.maker_fee_bps, book.seq},
               filled_at, ctx, out);
    any = true;
    if (fill->remaining == 0) {
      auto done = o;
      s.open_orders.erase(id);
      s.account.open_orders_count = static_cast<std::int64_t>(s.open_orders.size());
      finish_order(s, done, "FILLED", std::nullopt, ctx.now);
      write_order(out, done);
    } else {
      write_order(out, o);
    }
  }
  if (any) revalue(s, ctx, out, "fill");
}

void settle_market(AccountState& s, const store::MarketRecord& m, const ExecContext& ctx, store::WriteSet& out) {
  if (s.account.status != "active" || !m.resolution) return;
  expire_market_orders(s, m.id, "market_resolved", ctx, out);
  bool any = false;
  for (const auto& token : {m.yes_token_id, m.no_token_id}) {
    auto it = s.positions.find(token);
    if (it == s.positions.end()) continue;
    auto& p = it->second;
    const std::int64_t payout_price = p.outcome == *m.resolution ? kOne : 0;
    const std::int64_t amount = mul_div(p.size, payout_price, kOne, Rounding::Down).value_or(0);
    auto change = apply_settlement(PositionState{p.size, p.cost_basis, p.realized_pnl}, amount);
    if (!change) throw std::logic_error("settlement arithmetic out of range");
    store::SettlementRecord rec;
    rec.settlement_id = ctx.new_id();
    rec.account_id = s.account.id;
    rec.market_id = m.id;
    rec.token_id = token;
    rec.outcome = p.outcome;
    rec.size = p.size;
    rec.payout_price = payout_price;
    rec.amount = amount;
    rec.cost_basis_released = change->released;
    rec.realized_pnl = change->realized_pnl;
    rec.epoch = s.account.reset_count;
    rec.settled_at = ctx.now;
    s.account.cash += amount;
    s.account.realized_pnl += change->realized_pnl;
    append_ledger(s, out, "settlement", amount, std::nullopt, rec.settlement_id, ctx.now);
    out.settlements.push_back(rec);
    p.realized_pnl = change->after.realized_pnl;
    p.cost_basis = change->after.cost_basis;
    p.status = "SETTLED";
    p.closed_at = ctx.now;
    p.updated_at = ctx.now;
    write_position(out, p);
    s.positions.erase(it);
    any = true;
  }
  if (any) revalue(s, ctx, out, "settlement");
}

namespace {

// §9's first half: mark the action pending and cancel at most 100 open orders, oldest first.
LifecycleResult drain_orders(AccountState& s, std::string_view action, const ExecContext& ctx, store::WriteSet& out) {
  LifecycleResult result;
  s.account.pending_action = std::string(action);
  const std::string reason = action == "close" ? "account_close" : "account_reset";
  std::vector<std::string> ids;
  for (const auto& [id, o] : s.open_orders) {
    if (static_cast<int>(ids.size()) == kBulkCancelLimit) break;
    ids.push_back(id);
  }
  for (const auto& id : ids) end_resting(s, id, "CANCELLED", reason, ctx, out);
  result.cancelled = static_cast<std::int64_t>(ids.size());
  result.remaining = static_cast<std::int64_t>(s.open_orders.size());
  if (result.remaining > 0) {
    result.step = LifecycleStep::OrdersRemain;
    revalue(s, ctx, out, std::nullopt);
  }
  return result;
}

}  // namespace

LifecycleResult close_account(AccountState& s, const ExecContext& ctx, store::WriteSet& out) {
  if (s.account.status == "closed") return LifecycleResult{LifecycleStep::AlreadyClosed, 0, 0};
  auto result = drain_orders(s, "close", ctx, out);
  if (result.step == LifecycleStep::OrdersRemain) return result;
  const auto v = value_account(s, ctx.board, ctx.now);
  record_extremes(s.account, v.equity);
  // Kept as they are, never re-marked: the figures freeze at this valuation.
  for (auto& [token, p] : s.positions) {
    const auto mark = position_mark(p, ctx.board, ctx.now);
    p.mark_at_close = mark.price;
    p.mark_source_at_close = std::string(mark_source_name(mark.source));
    p.updated_at = ctx.now;
    write_position(out, p);
  }
  s.account.status = "closed";
  s.account.closed_at = ctx.now;
  s.account.pending_action.reset();
  s.account.updated_at = std::max(s.account.updated_at, ctx.now);
  upsert(out.accounts, s.account, [](const store::AccountRecord& a) { return a.id; });
  out.snapshots.push_back(make_snapshot(s.account, v, "close", ctx.now));
  return result;
}

LifecycleResult reset_account(AccountState& s, const ExecContext& ctx, store::WriteSet& out) {
  if (s.account.status == "closed") return LifecycleResult{LifecycleStep::Closed, 0, 0};
  auto result = drain_orders(s, "reset", ctx, out);
  if (result.step == LifecycleStep::OrdersRemain) return result;
  auto& a = s.account;
  const auto ended = value_account(s, ctx.board, ctx.now);
  // Voided, not liquidated: the rows keep size, cost and the mark at reset.
  for (auto& [token, p] : s.positions) {
    const auto mark = position_mark(p, ctx.board, ctx.now);
    p.mark_at_close = mark.price;
    p.mark_source_at_close = std::string(mark_source_name(mark.source));
    p.status = "CLOSED_BY_RESET";
    p.closed_at = ctx.now;
    p.updated_at = ctx.now;
    write_position(out, p);
  }
  s.positions.clear();
  store::AuditEntry audit;
  audit.tenant_id = a.tenant_id;
  audit.actor_kind = "system";
  audit.actor_id = "engine";
  audit.action = "account.reset";
  audit.target = a.id;
  audit.details_json.clear();
  {
    JsonWriter w(audit.details_json);
    w.begin_object();
    for (auto [name, value] : {std::pair{"epoch", a.reset_count}, {"cash", a.cash}, {"equity", ended.equity},
                               {"realized_pnl", a.realized_pnl}, {"fees_paid", a.fees_paid},
                               {"peak_equity", a.peak_equity}, {"min_equity", a.min_equity},
                               {"max_drawdown", a.max_drawdown}}) {
      w.key(name);
      w.number(value);
    }
    w.end_object();
  }
  audit.at = ctx.now;
  out.audit.push_back(audit);

  const std::int64_t restore = a.starting_balance - a.cash;
  a.cash = a.starting_balance;
  a.reserved = 0;
  append_ledger(s, out, "reset", restore, std::nullopt, std::nullopt, ctx.now);
  a.realized_pnl = a.fees_paid = 0;
  a.max_drawdown = a.max_drawdown_pct_micros = 0;
  a.peak_equity = a.min_equity = a.day_start_equity = a.day_low_equity = a.starting_balance;
  a.day_start_at = ctx.now;
  a.last_reset_at = ctx.now;
  a.reset_count += 1;
  a.pending_action.reset();
  a.updated_at = std::max(a.updated_at, ctx.now);
  s.depletion.clear();
  // The ledger entry belongs to the new epoch's opening balance.
  out.ledger.back().epoch = a.reset_count;
  upsert(out.accounts, a, [](const store::AccountRecord& r) { return r.id; });
  out.snapshots.push_back(make_snapshot(a, Valuation{0, 0, a.cash}, "reset", ctx.now));
  return result;
}

}  // namespace polysim::engine
