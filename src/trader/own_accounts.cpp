#include "trader/own_accounts.hpp"

#include "engine/engine.hpp"

namespace polysim::trader {

namespace {
// A trader holds a handful of accounts; this bounds a pathological one.
constexpr int kMaxOwnAccounts = 1000;
}  // namespace

std::vector<store::AccountRecord> own_accounts(store::Store& store, const auth::TraderPrincipal& who) {
  store::AccountListQuery q;
  q.tenant_id = who.tenant_id;
  q.user_id = who.user_id;
  q.governed_only = false;
  q.limit = kMaxOwnAccounts;
  return store.list_accounts(q);
}

std::vector<engine::AccountView> valued_accounts(engine::Engine& engine, const std::vector<store::AccountRecord>& rows) {
  std::vector<engine::AccountView> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    if (row.status == "active") {
      auto outcome = engine.view_account_sync(row.id);
      if (outcome.view) {
        outcome.view->account = engine::with_engine_columns(row, outcome.view->account);
        out.push_back(std::move(*outcome.view));
        continue;
      }
    }
    out.push_back(engine.view_stored(row));
  }
  return out;
}

}  // namespace polysim::trader
