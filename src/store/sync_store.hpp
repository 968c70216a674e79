// Reads behind desktop sync (20-trader-api.md §11): the change log the engine's commits write,
// and single entities at their latest state; and the log's 30-day retention.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine_records.hpp"
#include "store/records.hpp"

namespace polysim::store {

struct SyncChangeRow {
  std::int64_t version = 0;
  std::string changes_json;  // [["order","<id>"],…]: what the commit touched
};

class SyncStore {
 public:
  virtual ~SyncStore() = default;
  // The user's log rows after `since`, ascending, at most `limit`.
  virtual std::vector<SyncChangeRow> sync_changes_after(std::int64_t user_id, std::int64_t since, int limit) = 0;
  // The user's latest version (0 before any change), pruned rows included.
  virtual std::int64_t sync_version(std::int64_t user_id) = 0;
  // The highest version pruned from the user's log (0: none): changes after an earlier version
  // may be gone.
  virtual std::int64_t sync_pruned_version(std::int64_t user_id) = 0;
  // The time of the oldest log row, so a pruner can tell cheaply whether anything is due.
  virtual std::optional<std::int64_t> oldest_sync_change_at() = 0;
  // Deletes at most `limit` log rows written before `before`, oldest first, raising each
  // user's pruned version in the same transaction; returns how many went.
  virtual int prune_sync_changes(std::int64_t before, int limit) = 0;
  virtual std::optional<FillRecord> find_fill(std::string_view trade_id) = 0;
  virtual std::optional<PositionRecord> find_position(std::string_view position_id) = 0;
  virtual std::optional<SettlementRecord> find_settlement(std::string_view settlement_id) = 0;
};

}  // namespace polysim::store
