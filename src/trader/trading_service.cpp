#include "trader/trading_service.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "engine/valuation.hpp"
#include "trader/own_accounts.hpp"

namespace polysim::trader {

PositionView position_view(store::PositionRecord p, const engine::MarketBoard& board, std::int64_t now) {
  PositionView v;
  if (p.status == "OPEN") {
    v.mark = engine::position_mark(p, board, now);
    v.market_value = engine::market_value(p.size, v.mark.price).value_or(0);
  } else {
    v.mark = engine::Mark{p.mark_at_close.value_or(0),
                          engine::mark_source_from(p.mark_source_at_close.value_or("entry"))};
  }
  v.position = std::move(p);
  return v;
}

auth::AuthFailure engine_failure(const engine::EngineError& e) {
  if (e.code == engine::EngineCode::ValidationFailed) return auth::validation_failure("body", e.message);
  std::string error(engine::code_name(e.code));
  std::transform(error.begin(), error.end(), error.begin(), [](unsigned char c) { return std::tolower(c); });
  auth::AuthFailure f(engine::default_status(e.code), error, e.message);
  if (engine::wants_retry_after(e.code)) f.retry_after_s = 1;
  return f;
}

store::AccountRecord TradingService::owned_account(const auth::TraderPrincipal& who, const std::string& account_id) {
  auto account = store_.find_account(who.tenant_id, account_id);
  if (!account || account->user_id != who.user_id)
    throw auth::AuthFailure(404, "account_not_found", "No such account.");
  return *account;
}

std::vector<std::string> TradingService::own_account_ids(const auth::TraderPrincipal& who) {
  std::vector<std::string> ids;
  for (const auto& a : own_accounts(store_, who)) ids.push_back(a.id);
  return ids;
}

void TradingService::place_async(const auth::TraderPrincipal& who, engine::OrderRequest request,
                                 std::function<void(std::variant<PlacedOrder, auth::AuthFailure>)> done) {
  request.owner = std::pair{who.tenant_id, who.user_id};
  engine_.place(std::move(request), [done = std::move(done)](engine::PlaceResult result) {
    if (result.error) return done(engine_failure(*result.error));
    done(PlacedOrder{*result.order, result.replayed});
  });
}

OrderWithFills TradingService::order(const auth::TraderPrincipal& who, const std::string& order_id) {
  auto order = engine_store_.find_order(order_id);
  if (!order) throw auth::AuthFailure(404, "order_not_found", "No such order.");
  auto account = store_.find_account(who.tenant_id, order->account_id);
  if (!account || account->user_id != who.user_id) throw auth::AuthFailure(404, "order_not_found", "No such order.");
  return OrderWithFills{*order, engine_store_.fills_of_order(order_id)};
}

store::OrderRecord TradingService::cancel(const auth::TraderPrincipal& who, const std::string& order_id) {
  auto current = order(who, order_id);
  auto result = engine_.cancel_sync(current.order.account_id, order_id);
  if (result.error) throw engine_failure(*result.error);
  return *result.order;
}

std::vector<PositionView> TradingService::positions(const auth::TraderPrincipal& who,
                                                    const std::optional<std::string>& account_id,
                                                    const std::optional<std::string>& market, bool open_only) {
  store::PositionQuery q;
  if (account_id) q.account_ids = {owned_account(who, *account_id).id};
  else q.account_ids = own_account_ids(who);
  if (market) {
    auto m = engine_.board().market(*market);
    if (!m) return {};
    q.market_id = m->id;
  }
  q.open_only = open_only;
  q.limit = 500;
  std::vector<PositionView> out;
  const auto now = engine_.now();
  for (auto& p : engine_store_.list_positions(q)) out.push_back(position_view(std::move(p), engine_.board(), now));
  return out;
}

}  // namespace polysim::trader

namespace polysim::trader {

namespace {

Uuid tenant_bound(const auth::TraderPrincipal& who) { return Uuid::parse(who.tenant_id).value_or(Uuid{}); }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

auth::AuthFailure invalid_cursor() { return auth::AuthFailure(400, "invalid_cursor", "The cursor is not one of this list."); }

}  // namespace

std::vector<engine::AccountView> TradingService::accounts(const auth::TraderPrincipal& who, std::string_view status) {
  std::vector<store::AccountRecord> rows;
  for (auto& a : own_accounts(store_, who))
    if (status == "all" || a.status == status) rows.push_back(std::move(a));
  return valued_accounts(engine_, rows);
}

engine::AccountView TradingService::account(const auth::TraderPrincipal& who, const std::string& account_id) {
  auto views = valued_accounts(engine_, {owned_account(who, account_id)});
  return std::move(views.front());
}

std::vector<EquityPoint> TradingService::equity(const auth::TraderPrincipal& who, const std::string& account_id,
                                                const EquityRequest& r) {
  owned_account(who, account_id);
  std::vector<EquityPoint> out;
  // Boundaries are whole hours or days (UTC) from the first at or after `from`.
  for (auto at = (r.from + r.interval - 1) / r.interval * r.interval; at <= r.to; at += r.interval) {
    if (auto snapshot = engine_store_.snapshot_at_or_before(account_id, at)) out.push_back(EquityPoint{at, *snapshot});
  }
  return out;
}

TraderPage<store::OrderRecord> TradingService::orders(const auth::TraderPrincipal& who, const OrderListRequest& r) {
  store::OrderQuery q;
  q.account_ids = r.account_id ? std::vector<std::string>{owned_account(who, *r.account_id).id} : own_account_ids(who);
  q.status = r.status;
  q.client_order_id = r.client_order_id;
  q.limit = r.limit + 1;
  const std::string filters = "user=" + std::to_string(who.user_id) + "&account=" + r.account_id.value_or("") +
                              "&status=" + r.status.value_or("all") + "&market=" + r.market.value_or("") +
                              "&client=" + r.client_order_id.value_or("");
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::TraderOrders, tenant_bound(who), filters, 8 + 16);
    if (!keyset) throw invalid_cursor();
    q.after = std::pair{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string()};
  }
  TraderPage<store::OrderRecord> page;
  if (r.market) {
    auto m = engine_.board().market(*r.market);
    if (!m) return page;  // an unknown market has no orders
    q.market_id = m->id;
  }
  page.rows = engine_store_.list_orders(q);
  if (static_cast<int>(page.rows.size()) > r.limit) {
    page.rows.resize(static_cast<std::size_t>(r.limit));
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, page.rows.back().created_at);
    append_uuid(keyset, Uuid::parse(page.rows.back().order_id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::TraderOrders, tenant_bound(who), filters, keyset);
  }
  return page;
}

TraderPage<store::FillRecord> TradingService::fills(const auth::TraderPrincipal& who, const FillListRequest& r) {
  const auto ids = r.account_id ? std::vector<std::string>{owned_account(who, *r.account_id).id} : own_account_ids(who);
  const std::string filters = "user=" + std::to_string(who.user_id) + "&account=" + r.account_id.value_or("") +
                              "&market=" + r.market.value_or("") +
                              "&since=" + (r.since ? std::to_string(*r.since) : std::string()) +
                              "&until=" + (r.until ? std::to_string(*r.until) : std::string());
  store::FillQuery q;
  q.since = r.since;
  q.until = r.until;
  q.limit = r.limit + 1;
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::TraderFills, tenant_bound(who), filters, 8 + 16 + 16);
    if (!keyset) throw invalid_cursor();
    q.after = store::FillQuery::Keyset{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string(),
                                       read_uuid(*keyset, 24).to_string()};
  }
  TraderPage<store::FillRecord> page;
  if (r.market) {
    auto m = engine_.board().market(*r.market);
    if (!m) return page;
    q.market_id = m->id;
  }
  // One keyset query per account (each seeks its index), merged in the feed's order.
  for (const auto& id : ids) {
    q.account_id = id;
    auto rows = store_.list_fills(q);
    page.rows.insert(page.rows.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  }
  std::sort(page.rows.begin(), page.rows.end(), [](const store::FillRecord& a, const store::FillRecord& b) {
    return std::tie(a.filled_at, a.order_id, a.trade_id) > std::tie(b.filled_at, b.order_id, b.trade_id);
  });
  if (static_cast<int>(page.rows.size()) > r.limit) {
    page.rows.resize(static_cast<std::size_t>(r.limit));
    const auto& last = page.rows.back();
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, last.filled_at);
    append_uuid(keyset, Uuid::parse(last.order_id).value_or(Uuid{}));
    append_uuid(keyset, Uuid::parse(last.trade_id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::TraderFills, tenant_bound(who), filters, keyset);
  }
  return page;
}

TraderPage<engine::MarketPtr> TradingService::markets(const MarketListRequest& r) {
  const std::string filters = "status=" + r.status.value_or("all") + "&q=" + r.q.value_or("") +
                              "&category=" + r.category.value_or("");
  std::optional<std::pair<std::int64_t, std::string>> after;
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::TraderMarkets, Uuid{}, filters, 8 + 16);
    if (!keyset) throw invalid_cursor();
    after = std::pair{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string()};
  }
  const auto needle = r.q ? lower(*r.q) : std::string();
  std::vector<engine::MarketPtr> rows;
  for (auto& m : engine_.board().markets()) {
    if (r.status && m->status != *r.status) continue;
    if (r.category && m->category != *r.category) continue;
    if (r.q && lower(m->question).find(needle) == std::string::npos && m->slug.find(needle) == std::string::npos)
      continue;
    // Newest first, like every other list.
    if (after && std::pair{m->created_at, m->id} >= *after) continue;
    rows.push_back(std::move(m));
  }
  std::sort(rows.begin(), rows.end(), [](const engine::MarketPtr& a, const engine::MarketPtr& b) {
    return std::tie(a->created_at, a->id) > std::tie(b->created_at, b->id);
  });
  TraderPage<engine::MarketPtr> page;
  if (static_cast<int>(rows.size()) > r.limit) {
    rows.resize(static_cast<std::size_t>(r.limit));
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, rows.back()->created_at);
    append_uuid(keyset, Uuid::parse(rows.back()->id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::TraderMarkets, Uuid{}, filters, keyset);
  }
  page.rows = std::move(rows);
  return page;
}

engine::MarketPtr TradingService::market(const std::string& id_or_slug) {
  auto m = engine_.board().market(id_or_slug);
  if (!m) throw auth::AuthFailure(404, "market_not_found", "No such market.");
  return m;
}

}  // namespace polysim::trader
