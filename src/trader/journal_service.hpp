// The desktop journal, domain side (20-trader-api.md §11): pushed entries applied one by one,
// each created or updated by its localId, refused as a conflict when the stored copy changed
// after the client's baseVersion, and recognised as unchanged when it says what is stored (so a
// re-sent batch writes nothing). Every write is a new version of the user, logged for sync.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/identity_service.hpp"
#include "store/engine_store.hpp"
#include "store/journal_store.hpp"
#include "store/store.hpp"
#include "store/sync_store.hpp"
#include "trader/journal_body.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::trader {

// The snapshot's journal: entries touched in the last 90 days.
inline constexpr std::int64_t kJournalSnapshotWindowUs = 90LL * 24 * 3600 * 1'000'000;
inline constexpr int kMaxSnapshotJournal = 10'000;

struct JournalResult {
  std::optional<std::string> local_id;
  std::optional<std::string> id;
  std::string status;  // created | updated | unchanged | deleted | conflict | invalid
  std::optional<std::int64_t> version;
  std::optional<store::JournalRecord> server;  // conflict: the stored copy
  std::optional<std::string> error;            // invalid: why
};

struct JournalPush {
  std::int64_t version = 0;  // the user's, after the push
  std::vector<JournalResult> results;
};

struct JournalDecisionOutcome {
  std::string status;                          // created | updated | unchanged | deleted | conflict
  std::optional<store::JournalRecord> write;   // what to store (without its version yet)
};

// The rule behind the statuses. `wanted` carries the pushed content and, for a create, the new
// id; `deleted` asks for a delete, whose content is ignored.
JournalDecisionOutcome decide_journal_entry(const std::optional<store::JournalRecord>& stored,
                                            const store::JournalRecord& wanted, bool deleted,
                                            std::int64_t base_version, std::int64_t now);

class JournalService {
 public:
  JournalService(store::Store& store, store::EngineStore& engine_store, store::JournalStore& journal,
                 store::SyncStore& sync, engine::Engine& engine)
      : store_(store), engine_store_(engine_store), journal_(journal), sync_(sync), engine_(engine) {}

  JournalPush push(const auth::TraderPrincipal& who, const std::vector<JournalItem>& items);
  std::vector<store::JournalRecord> recent(const auth::TraderPrincipal& who);

 private:
  JournalResult apply(const auth::TraderPrincipal& who, const JournalEntryInput& in);
  // The entry as it would be stored, its references checked to be the user's; or why not.
  std::variant<store::JournalRecord, std::string> resolve(const auth::TraderPrincipal& who,
                                                          const JournalEntryInput& in);

  store::Store& store_;
  store::EngineStore& engine_store_;
  store::JournalStore& journal_;
  store::SyncStore& sync_;
  engine::Engine& engine_;
};

}  // namespace polysim::trader
