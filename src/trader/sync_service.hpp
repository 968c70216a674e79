// Desktop sync (20-trader-api.md §11), the trader surface's side: a snapshot of the user's
// accounts valued now, their OPEN positions and open orders, and the user's signal targets, at
// the user's version; and the changes after a version, each entity once at its latest state,
// from the change log the engine's commits write. No journal yet.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "store/engine_store.hpp"
#include "store/signal_store.hpp"
#include "store/sync_store.hpp"
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

struct SyncChange {
  std::int64_t version = 0;
  std::string entity;     // account | order | fill | position
  std::string id;
  std::string data_json;  // the entity as the trader API renders it; "null" when it is gone
};

struct SyncChanges {
  std::int64_t from_version = 0;
  std::int64_t to_version = 0;
  bool has_more = false;
  std::vector<SyncChange> changes;
};

class SyncService {
 public:
  SyncService(store::Store& store, store::EngineStore& engine_store, store::SignalStore& signals,
              store::SyncStore& sync, engine::Engine& engine)
      : store_(store), engine_store_(engine_store), signals_(signals), sync_(sync), engine_(engine) {}
  SyncSnapshot snapshot(const auth::TraderPrincipal& principal);
  // `limit` counts log entries (commits); their entities are merged, each at its latest state.
  SyncChanges changes(const auth::TraderPrincipal& principal, std::int64_t since, int limit);

 private:
  store::Store& store_;
  store::EngineStore& engine_store_;
  store::SignalStore& signals_;
  store::SyncStore& sync_;
  engine::Engine& engine_;
};

}  // namespace polysim::trader
