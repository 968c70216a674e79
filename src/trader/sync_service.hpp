// Desktop sync (20-trader-api.md §11), domain side. Until the trading engine lands there are no
// positions, orders, signal targets or journal entries and no change log, so a snapshot holds
// the user's accounts at version 0; the engine's issue fills in the rest.
#pragma once
#include <cstdint>
#include <vector>

#include "auth/identity_service.hpp"
#include "store/store.hpp"

namespace polysim::trader {

struct SyncSnapshot {
  std::int64_t version = 0;
  std::vector<store::AccountRecord> accounts;
};

class SyncService {
 public:
  explicit SyncService(store::Store& store) : store_(store) {}
  SyncSnapshot snapshot(const auth::TraderPrincipal& principal);

 private:
  store::Store& store_;
};

}  // namespace polysim::trader
