#include "trader/sync_service.hpp"

#include "trader/own_accounts.hpp"

namespace polysim::trader {

namespace {
// A trader holds a handful of accounts; this bounds a pathological one's open orders.
constexpr int kMaxSnapshotOrders = 5'000;
}  // namespace

SyncSnapshot SyncService::snapshot(const auth::TraderPrincipal& principal) {
  SyncSnapshot out;
  out.accounts = valued_accounts(engine_, own_accounts(store_, principal));
  store::OrderQuery q;
  for (const auto& v : out.accounts) q.account_ids.push_back(v.account.id);
  q.status = "OPEN";
  q.limit = kMaxSnapshotOrders;
  out.open_orders = engine_store_.list_orders(q);
  out.signal_targets = signals_.signal_targets(principal.user_id);
  return out;
}

}  // namespace polysim::trader
