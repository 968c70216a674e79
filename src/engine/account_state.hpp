// One account as its shard holds it in memory (40-trading-engine.md §11): the stored row plus its
// OPEN positions and orders, the depletion of the current book snapshots (§5.2) and the ids of
// orders placed since it was loaded. Only the owning shard thread touches it.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/engine_records.hpp"

namespace polysim::engine {

struct LevelTaken {
  std::int64_t price = 0;
  std::int64_t taken = 0;
};

// What the account took from one token's book on snapshot `seq`, per side.
struct TokenDepletion {
  std::int64_t seq = 0;
  std::vector<LevelTaken> bids;
  std::vector<LevelTaken> asks;
};

struct AccountState {
  store::AccountRecord account;
  std::int64_t ledger_seq = 0;       // last entry's seq
  std::int64_t last_filled_at = 0;   // fills never go back in time within an account
  std::map<std::string, store::PositionRecord> positions;  // OPEN, by token id
  std::map<std::string, store::OrderRecord> open_orders;   // by order id (UUIDv7: oldest first)
  std::unordered_map<std::string, std::string> client_order_ids;  // since load: client id → order id
  // Orders that ended since load, newest last and bounded: enough to answer a retry whose
  // original may not have reached the database yet.
  std::deque<store::OrderRecord> recent_done;
  std::unordered_map<std::string, TokenDepletion> depletion;
  // Extremes found by reads are stored by the next sweep (§7.2), not by the read itself.
  bool extremes_unsaved = false;
  std::optional<std::int64_t> last_minute_equity;  // equity of the last `minute` snapshot

  const store::OrderRecord* find_order(const std::string& order_id) const;
  std::int64_t ledger_balance() const { return account.cash + account.reserved; }
};

inline constexpr std::size_t kRecentDoneOrders = 256;

}  // namespace polysim::engine
