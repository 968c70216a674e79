// Desktop sync (20-trader-api.md §11), domain side: a snapshot of the user's accounts valued
// now. There is no change log yet, so every snapshot is version 0.
#pragma once
#include <cstdint>
#include <vector>

#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "store/store.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::trader {

struct SyncSnapshot {
  std::int64_t version = 0;
  std::vector<engine::AccountView> accounts;
};

class SyncService {
 public:
  SyncService(store::Store& store, engine::Engine& engine) : store_(store), engine_(engine) {}
  SyncSnapshot snapshot(const auth::TraderPrincipal& principal);

 private:
  store::Store& store_;
  engine::Engine& engine_;
};

}  // namespace polysim::trader
