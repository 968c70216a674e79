#include "apps/app_trading.hpp"

namespace polysim::apps {

using engine::EngineCode;

AppFailure app_engine_failure(const engine::EngineError& e) {
  const std::string& m = e.message;
  switch (e.code) {
    case EngineCode::ValidationFailed:
    case EngineCode::PriceRequired:
    case EngineCode::InvalidPrice:
    case EngineCode::InvalidExpiration:
    case EngineCode::PostOnlyWouldCross: return {400, "validation_failed", m};
    case EngineCode::InvalidTickSize: return {400, "invalid_tick_size", m};
    case EngineCode::InvalidMinSize: return {400, "below_min_size", m};
    case EngineCode::AmountOutOfRange: return {400, "amount_out_of_range", m};
    case EngineCode::AccountNotFound: return {404, "account_not_found", "Account not found."};
    case EngineCode::MarketNotFound: return {404, "market_not_found", "Market not found."};
    case EngineCode::OrderNotFound: return {404, "order_not_found", "Order not found."};
    case EngineCode::AccountClosed: return {409, "account_closed", m};
    case EngineCode::AccountBusy: return {409, "account_busy", m};
    case EngineCode::DuplicateClientOrderId: return {409, "duplicate_client_order_id", m};
    case EngineCode::OrderNotCancellable: return {409, "order_not_open", "Order is not open."};
    case EngineCode::TradeInProgress: return {409, "trade_in_progress", m, 1};
    case EngineCode::InsufficientBalance: return {422, "insufficient_funds", m};
    case EngineCode::InsufficientPosition: return {422, "insufficient_position", m};
    case EngineCode::MarketClosed: return {422, "market_closed", m};
    case EngineCode::NoExecutableDepth: return {422, "no_liquidity", m};
    case EngineCode::FokNotFilled: return {422, "fok_not_filled", m};
    case EngineCode::StaleQuote: return {422, "stale_quote", m, 1};
    case EngineCode::EngineUnavailable: return {503, "engine_unavailable", m, 1};
    case EngineCode::OrdersNotCancelled: break;
  }
  return {500, "internal_error", "Internal error."};
}

AppTrading::AppTrading(store::Store& store, store::AppStore& apps, store::EngineStore& engine_store,
                       engine::Engine& engine, const Clock& clock, std::function<void(std::string_view)> on_cap_refusal)
    : store_(store),
      apps_(apps),
      engine_store_(engine_store),
      engine_(engine),
      clock_(clock),
      on_cap_refusal_(std::move(on_cap_refusal)) {}

store::AccountRecord AppTrading::account_for(const AppPrincipal& who, const std::optional<std::string>& account_id) {
  if (account_id) {
    auto account = store_.find_account(who.tenant_id, *account_id);
    if (!account || account->user_id != who.user_id) throw AppFailure(404, "account_not_found", "Account not found.");
    return *account;
  }
  // One demo account per user, found again by its external id: the unique index makes
  // concurrent first uses create it once.
  const std::string external_id = "app-demo:" + who.user_uuid;
  if (auto found = store_.find_account_by_external_id(who.tenant_id, external_id)) return *found;
  auto tenant = store_.find_tenant(who.tenant_id);
  if (!tenant) throw AppFailure(404, "account_not_found", "Account not found.");
  const auto now = clock_.now_unix_micros();
  store::AccountRecord a;
  a.id = ids_.next(clock_).to_string();
  a.tenant_id = who.tenant_id;
  a.user_id = who.user_id;
  a.external_id = external_id;
  a.governed = false;
  a.stage = "demo";
  a.starting_balance = a.cash = a.peak_equity = a.min_equity = a.day_start_equity = a.day_low_equity =
      tenant->demo_starting_balance;
  a.day_start_at = a.created_at = a.updated_at = now;
  return store_.create_account(a).second;
}

PreparedFill AppTrading::prepare(const store::AppRecord& app, const AppPrincipal& who, FillInput input) {
  PreparedFill fill;
  fill.request = std::move(input.request);
  const auto account = account_for(who, input.account_id);
  fill.request.account_id = account.id;
  fill.request.app_id = app.id;
  fill.request.owner = std::pair{who.tenant_id, who.user_id};
  // A replay answers with the stored outcome, whatever the cap says (§8 processing order).
  if (fill.request.client_order_id &&
      engine_store_.find_order_by_client_id(account.id, *fill.request.client_order_id)) {
    fill.replay = true;
    return fill;
  }
  const auto slot = ids_.next(clock_).to_string();
  switch (apps_.reserve_trade_slot(app.id, slot, clock_.now_unix_micros())) {
    case store::TradeSlot::Reserved:
      fill.slot = slot;
      fill.request.order_id = slot;
      break;
    case store::TradeSlot::Uncapped: fill.live = true; break;
    case store::TradeSlot::CapReached:
      if (on_cap_refusal_) on_cap_refusal_("trades");
      throw trade_cap_reached();
    case store::TradeSlot::AppGone: throw AppFailure(401, "invalid_app_id", "Missing or invalid x-app-id header.");
  }
  return fill;
}

void AppTrading::place_async(const PreparedFill& fill, std::function<void(engine::PlaceResult)> done) {
  engine_.place(fill.request, std::move(done));
}

engine::OrderRequest AppTrading::quote_request(const AppPrincipal& who, FillInput input) {
  auto request = std::move(input.request);
  request.account_id = account_for(who, input.account_id).id;
  request.owner = std::pair{who.tenant_id, who.user_id};
  return request;
}

void AppTrading::quote_async(const engine::OrderRequest& request, std::function<void(engine::PlaceResult)> done) {
  engine_.quote(request, std::move(done));
}

void AppTrading::finish(const PreparedFill& fill, const engine::PlaceResult& result) {
  const bool accepted = !result.error && result.order && !result.replayed && result.order->status != "REJECTED";
  if (fill.slot) apps_.settle_trade_slot(*fill.slot, accepted);
  else if (fill.live && accepted && fill.request.app_id) apps_.count_live_trade(*fill.request.app_id);
}

}  // namespace polysim::apps
