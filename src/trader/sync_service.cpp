#include "trader/sync_service.hpp"

#include "trader/own_accounts.hpp"

namespace polysim::trader {

SyncSnapshot SyncService::snapshot(const auth::TraderPrincipal& principal) {
  SyncSnapshot out;
  out.accounts = valued_accounts(engine_, own_accounts(store_, principal));
  return out;
}

}  // namespace polysim::trader
