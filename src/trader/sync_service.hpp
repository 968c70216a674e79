// Desktop sync (20-trader-api.md §11), domain side: a snapshot of the user's accounts valued
// now, their OPEN positions and open orders, and the user's signal targets. There is no change
// log yet, so every snapshot is version 0 and there is no journal.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "store/engine_store.hpp"
#include "store/signal_store.hpp"
#include "store/store.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::trader {

struct SyncSnapshot {
  std::int64_t version = 0;
  std::vector<engine::AccountView> accounts;  // each with its OPEN positions
  std::vector<store::OrderRecord> open_orders;
  std::vector<std::string> signal_targets;
};

class SyncService {
 public:
  SyncService(store::Store& store, store::EngineStore& engine_store, store::SignalStore& signals, engine::Engine& engine)
      : store_(store), engine_store_(engine_store), signals_(signals), engine_(engine) {}
  SyncSnapshot snapshot(const auth::TraderPrincipal& principal);

 private:
  store::Store& store_;
  store::EngineStore& engine_store_;
  store::SignalStore& signals_;
  engine::Engine& engine_;
};

}  // namespace polysim::trader
