// Everything the engine does to one account (40-trading-engine.md §4–§9): place, cancel, maker
// fills on a new book, expiry, settlement, close and reset. Each call mutates the in-memory
// state and appends what changed to a write set; the shard commits the write set in one
// transaction before anyone hears of the result. Deterministic given its context (clock and id
// source), so replays and property tests can drive it without threads or a database.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/account_state.hpp"
#include "engine/engine_code.hpp"
#include "engine/market_board.hpp"
#include "engine/order_request.hpp"
#include "store/engine_records.hpp"

namespace polysim::engine {

struct EngineLimits {
  std::int64_t max_order_size = 10'000'000'000'000;      // 10,000,000 shares
  std::int64_t max_order_notional = 10'000'000'000'000;  // $10,000,000
  std::int64_t default_slippage_bps = 500;
  std::int64_t max_position_size = 1'000'000'000'000'000'000;  // 10^12 shares
  std::int64_t max_cash = 1'000'000'000'000'000'000;           // $10^12
};

struct ExecContext {
  const MarketBoard& board;
  std::int64_t now = 0;  // µs
  std::function<std::string()> new_id;  // UUIDv7 text
  // The database's copy of an order by client id, for retries of orders placed before load.
  std::function<std::optional<store::OrderRecord>(const std::string& account_id, const std::string& client_order_id)>
      find_by_client_id;
  EngineLimits limits;
};

struct EngineError {
  EngineCode code = EngineCode::ValidationFailed;
  std::string message;
};

struct PlaceResult {
  std::optional<EngineError> error;
  std::optional<store::OrderRecord> order;  // placed, replayed, or a recorded rejection
  bool replayed = false;
  std::vector<store::FillRecord> fills;
};

PlaceResult place_order(AccountState& state, const OrderRequest& request, const ExecContext& ctx,
                        store::WriteSet& out);

struct CancelResult {
  std::optional<EngineError> error;
  std::optional<store::OrderRecord> order;
};

// `reason`: user | account_close | account_reset (CANCELLED) or gtd | market_closed |
// market_resolved (EXPIRED).
CancelResult cancel_order(AccountState& state, const std::string& order_id, std::string_view reason,
                          const ExecContext& ctx, store::WriteSet& out);

struct CancelAllResult {
  std::vector<std::string> cancelled;
  std::int64_t remaining = 0;
};
inline constexpr int kBulkCancelLimit = 100;
// Oldest first, at most 100; `market_id` narrows it.
CancelAllResult cancel_all(AccountState& state, const std::optional<std::string>& market_id, const ExecContext& ctx,
                           store::WriteSet& out);

// Maker fills of the account's resting orders on this token's new book (§5.4).
void evaluate_resting(AccountState& state, const Book& book, const ExecContext& ctx, store::WriteSet& out);

// GTD orders past expires_at end EXPIRED (gtd).
void expire_due_orders(AccountState& state, const ExecContext& ctx, store::WriteSet& out);

// Market closed or resolved: its resting orders end EXPIRED with `reason`.
void expire_market_orders(AccountState& state, const std::string& market_id, std::string_view reason,
                          const ExecContext& ctx, store::WriteSet& out);

// Resolution: expire the market's orders, settle every OPEN position in it (§8).
void settle_market(AccountState& state, const store::MarketRecord& market, const ExecContext& ctx,
                   store::WriteSet& out);

enum class LifecycleStep { Completed, OrdersRemain, AlreadyClosed, Closed };
struct LifecycleResult {
  LifecycleStep step = LifecycleStep::Completed;
  std::int64_t cancelled = 0;
  std::int64_t remaining = 0;
};
// §9: cancels at most 100 open orders; completes the close or reset when none remain.
LifecycleResult close_account(AccountState& state, const ExecContext& ctx, store::WriteSet& out);
LifecycleResult reset_account(AccountState& state, const ExecContext& ctx, store::WriteSet& out);

// Values the account at current marks, moves its extremes and records the account row (and a
// snapshot when `snapshot_reason` is given) in the write set.
void revalue(AccountState& state, const ExecContext& ctx, store::WriteSet& out,
             std::optional<std::string_view> snapshot_reason);

}  // namespace polysim::engine
