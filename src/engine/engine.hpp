// The running engine (40-trading-engine.md §11): accounts hash onto shards, each a thread that
// alone mutates its accounts, executes commands in memory and hands their write sets to the
// store's group commit. Callers hear a result only after its commit. Market-wide events (book
// updates, close, resolution) fan out to the shards.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "engine/account_executor.hpp"
#include "engine/account_view.hpp"
#include "engine/market_board.hpp"
#include "store/engine_store.hpp"

namespace polysim::engine {

struct EngineOptions {
  int shards = 2;
  EngineLimits limits;
  int max_queued_per_account = 32;  // more → TRADE_IN_PROGRESS
  std::int64_t valuation_interval_s = 5;  // the sweep (§7.2)
  std::int64_t stale_after_s = 30;        // default of a feed-driven market (feed.stale_after)
};

struct ViewOutcome {
  std::optional<EngineError> error;
  std::optional<AccountView> view;
};

struct CancelAllOutcome {
  std::optional<EngineError> error;
  CancelAllResult result;
};

struct LifecycleOutcome {
  std::optional<EngineError> error;  // ACCOUNT_NOT_FOUND, ENGINE_UNAVAILABLE, …
  LifecycleResult result;
  std::optional<store::AccountRecord> account;  // as committed
};

struct MarketChange {
  std::optional<EngineError> error;
  std::optional<store::MarketRecord> market;
};

class Engine {
 public:
  Engine(store::EngineStore& store, MarketBoard& board, const Clock& clock, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads markets, books and every account with open orders, checking each ledger; then starts
  // the shards. Throws std::runtime_error naming accounts whose cash + reserved disagrees with
  // their ledger.
  void start();
  void stop();

  // Asynchronous commands: `done` runs on an engine thread once the outcome is durable.
  void place(OrderRequest request, std::function<void(PlaceResult)> done);
  // §4.5: the same checks and walk on a copy of the account; nothing is written or reserved.
  // `done` runs on the account's shard thread with what placing now would do.
  void quote(OrderRequest request, std::function<void(PlaceResult)> done);
  void cancel(std::string account_id, std::string order_id, std::function<void(CancelResult)> done);
  void cancel_all(std::string account_id, std::optional<std::string> market_id,
                  std::function<void(CancelAllOutcome)> done);
  void close_account(std::string account_id, std::function<void(LifecycleOutcome)> done);
  void reset_account(std::string account_id, std::function<void(LifecycleOutcome)> done);

  // The same, waiting (CLI, blocking-pool callers, tests).
  PlaceResult place_sync(OrderRequest request);
  CancelResult cancel_sync(std::string account_id, std::string order_id);
  CancelAllOutcome cancel_all_sync(std::string account_id, std::optional<std::string> market_id);
  LifecycleOutcome close_account_sync(std::string account_id);
  LifecycleOutcome reset_account_sync(std::string account_id);

  // Values the account now: on its shard when the shard holds it (extremes it finds are stored
  // by the next sweep), else from the database (an account not held has no OPEN position).
  ViewOutcome view_account_sync(const std::string& account_id);
  // Values a stored row with its stored positions without a shard (list pages): extremes shown
  // are this valuation's, stored only when the account's shard next values it.
  AccountView view_stored(const store::AccountRecord& account);
  // Told (on the writer thread) the id of every account whose row a commit changed.
  void set_account_observer(std::function<void(const std::string& account_id)> observer) {
    account_observer_ = std::move(observer);
  }

  // A new market with fresh ids and the §2 defaults that follow from its category, tick and feed
  // (taker fee, minimum order size, staleness); callers then apply what they were given.
  store::MarketRecord draft_market(std::string slug, std::string question, std::string category,
                                   std::int64_t tick_size, std::string feed);

  // Markets (admin listener, CLI, replay feed). Blocking: they write the market row first.
  MarketChange create_market(store::MarketRecord market);
  MarketChange close_market(const std::string& id_or_slug);
  MarketChange open_market(const std::string& id_or_slug);
  MarketChange resolve_market(const std::string& id_or_slug, const std::string& outcome);
  // The source that moves the market's books from now on (a replay line takes a market over).
  MarketChange set_market_feed(const std::string& id_or_slug, const std::string& feed);
  // Publishes books (validated, atomically) and lets resting orders react.
  std::variant<std::vector<BookPtr>, std::string> push_books(const std::vector<BookUpdate>& updates);

  MarketBoard& board() { return board_; }
  std::int64_t now() const { return clock_.now_unix_micros(); }
  std::string new_id();

 private:
  struct Shard;
  AccountState* owned_account(Shard& shard, const OrderRequest& request, std::optional<EngineError>& error);
  Shard& shard_for(const std::string& account_id);
  void run_lifecycle(std::string account_id, bool reset, std::function<void(LifecycleOutcome)> done);
  void persist_books(const std::vector<BookPtr>& books);

  store::EngineStore& store_;
  MarketBoard& board_;
  const Clock& clock_;
  EngineOptions options_;
  UuidV7Generator ids_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> running_{false};
  std::function<void(const std::string&)> account_observer_;

  // Closes open markets whose end_date has passed (§2 lifecycle), from the market clock thread.
  void close_due_markets();
  std::thread market_clock_;
  std::mutex clock_mutex_;
  std::condition_variable clock_cv_;
  bool clock_stopping_ = false;
};

}  // namespace polysim::engine
