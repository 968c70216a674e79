// Records of the trading engine (40-trading-engine.md §4–§10) and the write set one engine command
// commits: everything a command changed, applied in one transaction or not at all. Money, prices
// and shares are int64 micros, times Unix microseconds.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace polysim::store {

struct OrderRecord {
  std::string order_id;
  std::string account_id;
  std::string market_id;
  std::string token_id;
  std::string outcome;        // YES | NO
  std::string side;           // BUY | SELL
  std::string order_type;     // market | limit
  std::string time_in_force;  // FOK | FAK | GTC | GTD
  std::optional<std::int64_t> limit_price;
  std::optional<std::int64_t> worst_price;
  std::int64_t size = 0;  // for notional orders the walked size
  std::optional<std::int64_t> notional;  // a market BUY's budget
  bool post_only = false;
  std::optional<std::int64_t> expires_at;
  std::string status = "OPEN";  // OPEN | FILLED | CANCELLED | EXPIRED | REJECTED
  std::int64_t filled_size = 0;
  std::int64_t filled_notional = 0;
  std::int64_t maker_filled_size = 0;  // the cumulative M of telescoping maker rounding
  std::int64_t fees = 0;
  std::int64_t reserved_cash = 0;
  std::int64_t reserved_size = 0;
  std::optional<std::string> end_reason;
  std::int64_t entry_book_seq = 0;
  std::int64_t epoch = 0;
  std::optional<std::string> client_order_id;
  std::string origin = "api";
  std::optional<std::string> app_id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> done_at;
};

struct PositionRecord {
  std::string position_id;
  std::string account_id;
  std::string market_id;
  std::string token_id;
  std::string outcome;
  std::int64_t size = 0;
  std::int64_t reserved_size = 0;
  std::int64_t cost_basis = 0;
  std::int64_t realized_pnl = 0;
  std::string status = "OPEN";  // OPEN | CLOSED | SETTLED | CLOSED_BY_RESET
  // The mark when the account was closed or reset (price micros, and its source): a closed
  // account's figures are frozen, a voided position keeps what it was worth.
  std::optional<std::int64_t> mark_at_close;
  std::optional<std::string> mark_source_at_close;
  std::int64_t opened_at = 0;
  std::optional<std::int64_t> closed_at;
  std::int64_t epoch = 0;
  std::int64_t updated_at = 0;
};

struct LedgerEntryRecord {
  std::string account_id;
  std::int64_t seq = 0;
  std::int64_t epoch = 0;
  std::string type;  // deposit | trade | fee | settlement | reset
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
  std::optional<std::string> trade_id;
  std::optional<std::string> settlement_id;
  std::int64_t created_at = 0;
};

struct SettlementRecord {
  std::string settlement_id;
  std::string account_id;
  std::string market_id;
  std::string token_id;
  std::string outcome;
  std::int64_t size = 0;
  std::int64_t payout_price = 0;
  std::int64_t amount = 0;
  std::int64_t cost_basis_released = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t epoch = 0;
  std::int64_t settled_at = 0;
};

struct SnapshotRecord {
  std::string account_id;
  std::int64_t at = 0;
  std::string reason;  // created | fill | settlement | reset | close | day_start | minute
  std::int64_t cash = 0;
  std::int64_t reserved = 0;
  std::int64_t positions_value = 0;
  std::int64_t equity = 0;
  std::int64_t peak_equity = 0;
  std::int64_t drawdown = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t unrealized_pnl = 0;
  std::int64_t fees_paid = 0;
  std::int64_t epoch = 0;
};

// The latest accepted book of a token, stored so a restart can show it (stale until the feed
// speaks) and continue the simulated walk.
struct BookRecord {
  std::string token_id;
  std::string market_id;
  std::int64_t seq = 0;
  std::string bids_json;  // [["0.55","300"],…] best first
  std::string asks_json;
  std::int64_t received_at = 0;
  std::optional<std::int64_t> last_bid;
  std::optional<std::string> sim_state;
};

// What one command changed. The account row is written in full (engine columns only).
struct WriteSet {
  std::vector<AccountRecord> accounts;
  std::vector<OrderRecord> orders;  // inserted or replaced
  std::vector<PositionRecord> positions;
  std::vector<FillRecord> fills;
  std::vector<LedgerEntryRecord> ledger;
  std::vector<SettlementRecord> settlements;
  std::vector<SnapshotRecord> snapshots;
  std::vector<AuditEntry> audit;
  // The sweep's write sets only record observations (extremes, day start, minute snapshots):
  // desktop sync logs no change for them (40-trading-engine.md §10).
  bool valuation_only = false;

  bool empty() const {
    return accounts.empty() && orders.empty() && positions.empty() && fills.empty() && ledger.empty() &&
           settlements.empty() && snapshots.empty() && audit.empty();
  }
};

}  // namespace polysim::store
