// Desktop sync (20-trader-api.md §11), the trader surface's side: a snapshot of the user's
// accounts valued now, their OPEN positions and open orders, the user's signal targets and recent
// journal, at the user's version; the changes after a version, each entity once at its latest
// state, from the change log that the engine's commits and the signal and journal writes keep
// (410 sync_cursor_expired once retention pruned changes after that version); and journal pushes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "store/engine_store.hpp"
#include "store/journal_store.hpp"
#include "store/signal_store.hpp"
#include "store/sync_store.hpp"
#include "store/store.hpp"
#include "trader/journal_service.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::trader {

struct SyncSnapshot {
  std::int64_t version = 0;
  std::vector<engine::AccountView> accounts;  // each with its OPEN positions
  std::vector<store::OrderRecord> open_orders;
  std::vector<std::string> signal_targets;
  std::vector<store::JournalRecord> journal;
};

struct SyncChange {
  std::int64_t version = 0;
  std::string entity;     // account | order | fill | position | settlement | signal | signalTargets | journal
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
              store::SyncStore& sync, store::JournalStore& journal, engine::Engine& engine)
      : store_(store),
        engine_store_(engine_store),
        signals_(signals),
        sync_(sync),
        journal_store_(journal),
        engine_(engine),
        journal_(store, engine_store, journal, sync, engine) {}
  SyncSnapshot snapshot(const auth::TraderPrincipal& principal);
  // `limit` counts log entries (commits); their entities are merged, each at its latest state.
  // Throws 410 sync_cursor_expired when retention pruned changes after `since`.
  SyncChanges changes(const auth::TraderPrincipal& principal, std::int64_t since, int limit);
  JournalPush push_journal(const auth::TraderPrincipal& principal, const std::vector<JournalItem>& entries) {
    return journal_.push(principal, entries);
  }

 private:
  store::Store& store_;
  store::EngineStore& engine_store_;
  store::SignalStore& signals_;
  store::SyncStore& sync_;
  store::JournalStore& journal_store_;
  engine::Engine& engine_;
  JournalService journal_;
};

}  // namespace polysim::trader
