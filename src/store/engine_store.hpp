// Storage the trading engine needs beyond the partner store: loading an account's live state,
// committing a command's write set (synchronously or through the group-commit pipeline),
// markets and books, and the reads behind the trading endpoints.
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine_records.hpp"
#include "store/store_errors.hpp"

namespace polysim::store {

struct LoadedAccount {
  AccountRecord account;
  std::vector<PositionRecord> positions;  // OPEN
  std::vector<OrderRecord> open_orders;
  std::int64_t ledger_seq = 0;
  std::int64_t ledger_balance = 0;  // the last entry's balance_after
  std::int64_t last_filled_at = 0;
};

struct OrderQuery {
  std::vector<std::string> account_ids;
  std::optional<std::string> status;  // nullopt: all
  std::optional<std::string> market_id;
  std::optional<std::string> client_order_id;
  // Keyset of the last row returned: (created_at, order_id), newest first.
  std::optional<std::pair<std::int64_t, std::string>> after;
  int limit = 100;
};

struct PositionQuery {
  std::vector<std::string> account_ids;
  std::optional<std::string> market_id;
  bool open_only = true;
  std::optional<std::pair<std::int64_t, std::string>> after;  // (opened_at, position_id), newest first
  int limit = 100;
};

struct LedgerTotals {
  std::int64_t sum = 0;
  std::int64_t last_balance_after = 0;
  std::int64_t entries = 0;
};

class EngineStore {
 public:
  virtual ~EngineStore() = default;

  // Applies the write set in one transaction shared with other queued commits; `done` runs on the
  // writer thread after COMMIT (nullptr) or with the failure. Write sets are applied in call order.
  // Write sets sharing a `chain` build on each other: once one fails, the later ones are refused
  // instead of being applied on top of a state that never committed.
  virtual void commit_async(std::shared_ptr<const WriteSet> writes, std::shared_ptr<std::atomic<bool>> chain,
                            std::function<void(std::exception_ptr)> done) = 0;
  virtual void commit(const WriteSet& writes) = 0;

  virtual std::optional<LoadedAccount> load_account(std::string_view account_id) = 0;
  virtual std::optional<OrderRecord> find_order_by_client_id(std::string_view account_id,
                                                             std::string_view client_order_id) = 0;
  virtual std::optional<OrderRecord> find_order(std::string_view order_id) = 0;
  virtual std::vector<OrderRecord> list_orders(const OrderQuery& query) = 0;
  virtual std::vector<PositionRecord> list_positions(const PositionQuery& query) = 0;
  virtual std::vector<FillRecord> fills_of_order(std::string_view order_id) = 0;
  // The account's latest snapshot taken at or before `at`: one point of an equity history.
  virtual std::optional<SnapshotRecord> snapshot_at_or_before(std::string_view account_id, std::int64_t at) = 0;
  virtual std::vector<SnapshotRecord> list_snapshots(std::string_view account_id, std::int64_t from,
                                                     std::int64_t to) = 0;
  virtual LedgerTotals ledger_totals(std::string_view account_id) = 0;

  // Accounts the engine must hold at start-up (active, with an open order or an OPEN position:
  // every account whose equity a book can move) or for a market-wide event.
  virtual std::vector<std::string> accounts_to_hold() = 0;
  virtual std::vector<std::string> active_accounts_in_market(std::string_view market_id) = 0;

  // The UTC day rollover (§7.2) for active accounts that hold no OPEN position (their equity is
  // cash + reserved): day start and day low become that equity, with a `day_start` snapshot.
  // Accounts the engine holds are rolled by their shard. Returns how many rows changed.
  virtual std::int64_t roll_day_for_idle_accounts(std::int64_t day_began_at, std::int64_t now) = 0;

  virtual std::vector<MarketRecord> list_markets() = 0;
  virtual void create_market(const MarketRecord& market) = 0;  // UniqueViolation on a taken slug or id
  virtual void save_market(const MarketRecord& market) = 0;    // a known market's new state
  virtual void save_books(const std::vector<BookRecord>& books) = 0;
  virtual std::vector<BookRecord> load_books() = 0;
};

}  // namespace polysim::store
