#include "trader/sync_service.hpp"

namespace polysim::trader {

namespace {
// A trader holds a handful of accounts; this bounds a pathological one.
constexpr int kMaxSnapshotAccounts = 1000;
}  // namespace

SyncSnapshot SyncService::snapshot(const auth::TraderPrincipal& principal) {
  store::AccountListQuery q;
  q.tenant_id = principal.tenant_id;
  q.user_id = principal.user_id;
  q.governed_only = false;
  q.limit = kMaxSnapshotAccounts;
  SyncSnapshot out;
  out.accounts = store_.list_accounts(q);
  return out;
}

}  // namespace polysim::trader
