#include "trader/trading_service.hpp"

#include <algorithm>
#include <cctype>

#include "engine/valuation.hpp"
#include "trader/own_accounts.hpp"

namespace polysim::trader {

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

PlacedOrder TradingService::place(const auth::TraderPrincipal& who, engine::OrderRequest request) {
  owned_account(who, request.account_id);
  auto result = engine_.place_sync(std::move(request));
  if (result.error) throw engine_failure(*result.error);
  return PlacedOrder{*result.order, result.replayed};
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
  for (auto& p : engine_store_.list_positions(q)) {
    PositionView v;
    if (p.status == "OPEN") {
      v.mark = engine::position_mark(p, engine_.board(), now);
      v.market_value = engine::market_value(p.size, v.mark.price).value_or(0);
    } else {
      v.mark = engine::Mark{p.mark_at_close.value_or(0), engine::MarkSource::Entry};
    }
    v.position = std::move(p);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace polysim::trader
