// Storage of the desktop journal (20-trader-api.md §11): one row per (user, localId), kept after
// a delete as a tombstone so the local id still names it and a re-sent delete is a no-op.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::store {

struct JournalRecord {
  std::string id;
  std::int64_t user_id = 0;
  std::string local_id;
  std::string kind;  // note | plan | review
  std::optional<std::string> account_id;
  std::optional<std::string> market_id;
  std::optional<std::string> order_id;
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::vector<std::string> tags;
  std::int64_t version = 0;  // the user's version that last wrote it
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> deleted_at;
};

// Sees the stored entry of a local id (if any) and returns what to store, or nullopt to write
// nothing. Runs inside the write transaction, on the store's writer: it must not call the store.
using JournalDecision = std::function<std::optional<JournalRecord>(const std::optional<JournalRecord>& stored)>;

class JournalStore {
 public:
  virtual ~JournalStore() = default;
  // Decides and writes in one transaction, so a concurrent push cannot slip between the version
  // check and the write. A written entry takes the user's next version, its change-log row
  // written alongside; the entry as stored is returned (nullopt when nothing was written).
  virtual std::optional<JournalRecord> write_journal_entry(std::int64_t user_id, std::string_view local_id,
                                                           const JournalDecision& decide) = 0;
  // Deleted ones too: changes render them as deletes.
  virtual std::optional<JournalRecord> find_journal_entry(std::int64_t user_id, std::string_view id) = 0;
  // Live entries updated at or after `since`, oldest first, at most `limit`.
  virtual std::vector<JournalRecord> recent_journal_entries(std::int64_t user_id, std::int64_t since, int limit) = 0;
};

}  // namespace polysim::store
