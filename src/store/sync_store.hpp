// Reads behind desktop sync (20-trader-api.md §11): the change log the engine's commits write,
// and single entities at their latest state.
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
  // The user's latest version (0 before any change).
  virtual std::int64_t sync_version(std::int64_t user_id) = 0;
  virtual std::optional<FillRecord> find_fill(std::string_view trade_id) = 0;
  virtual std::optional<PositionRecord> find_position(std::string_view position_id) = 0;
};

}  // namespace polysim::store
