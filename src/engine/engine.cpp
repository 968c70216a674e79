#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/decimal.hpp"
#include "engine/book_json.hpp"
#include "engine/maker_fill.hpp"
#include "engine/valuation.hpp"

namespace polysim::engine {

namespace {

constexpr std::int64_t kDayMicros = 86'400'000'000;
constexpr std::int64_t kMinuteMicros = 60'000'000;

EngineError unavailable() {
  return EngineError{EngineCode::EngineUnavailable, "The engine could not complete the command; retry with the same "
                                                    "client_order_id."};
}

}  // namespace

struct Engine::Shard {
  Engine& engine;
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::function<void()>> tasks;
  std::unordered_map<std::string, int> queued;  // per account: commands admitted, not yet answered
  bool stopping = false;
  std::thread thread;

  // Owned by the shard thread.
  std::unordered_map<std::string, std::unique_ptr<AccountState>> accounts;
  std::unordered_map<std::string, std::set<std::string>> resting_by_token;  // token → accounts
  std::unordered_map<std::string, std::set<std::string>> tokens_of;         // account → tokens
  std::shared_ptr<std::atomic<bool>> chain = std::make_shared<std::atomic<bool>>(false);
  std::chrono::steady_clock::time_point next_sweep = std::chrono::steady_clock::now();
  std::int64_t last_minute = 0;         // the minute index of the last `minute` snapshots
  std::int64_t idle_rolled_day = -1;    // the UTC day whose rollover of idle accounts ran (shard 0)
  bool rolls_idle_accounts = false;

  explicit Shard(Engine& e) : engine(e) {}

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex);
      tasks.push_back(std::move(task));
    }
    cv.notify_one();
  }

  bool admit(const std::string& account_id) {
    std::lock_guard lock(mutex);
    auto& n = queued[account_id];
    if (n >= engine.options_.max_queued_per_account) return false;
    ++n;
    return true;
  }

  void release(const std::string& account_id) {
    std::lock_guard lock(mutex);
    if (auto it = queued.find(account_id); it != queued.end() && --it->second <= 0) queued.erase(it);
  }

  void run() {
    auto next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex);
        cv.wait_until(lock, next_tick, [&] { return stopping || !tasks.empty(); });
        if (tasks.empty() && stopping) return;
        if (!tasks.empty()) {
          task = std::move(tasks.front());
          tasks.pop_front();
        }
      }
      if (task) {
        try {
          task();
        } catch (const std::exception& e) {
          spdlog::error("engine shard task failed: {}", e.what());
        }
      }
      if (std::chrono::steady_clock::now() >= next_tick) {
        next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        housekeeping();
      }
    }
  }

  ExecContext context() {
    ExecContext ctx{engine.board_, engine.now(), [this] { return engine.new_id(); },
                    [this](const std::string& account, const std::string& client_id) {
                      return engine.store_.find_order_by_client_id(account, client_id);
                    },
                    engine.options_.limits};
    return ctx;
  }

  // The account in memory, loaded (and its ledger checked) on first use.
  AccountState* account(const std::string& id, std::optional<EngineError>& error) {
    if (auto it = accounts.find(id); it != accounts.end()) return it->second.get();
    std::optional<store::LoadedAccount> loaded;
    try {
      loaded = engine.store_.load_account(id);
    } catch (const std::exception& e) {
      spdlog::error("engine could not load account {}: {}", id, e.what());
      error = unavailable();
      return nullptr;
    }
    if (!loaded) {
      error = EngineError{EngineCode::AccountNotFound, "No such account."};
      return nullptr;
    }
    auto state = std::make_unique<AccountState>();
    state->account = loaded->account;
    state->ledger_seq = loaded->ledger_seq;
    state->last_filled_at = loaded->last_filled_at;
    std::int64_t reserved = 0;
    for (auto& p : loaded->positions) state->positions[p.token_id] = p;
    for (auto& o : loaded->open_orders) {
      if (o.side == "BUY") reserved += o.reserved_cash;
      state->open_orders[o.order_id] = o;
    }
    state->account.open_orders_count = static_cast<std::int64_t>(state->open_orders.size());
    if (state->ledger_balance() != loaded->ledger_balance || state->account.reserved != reserved) {
      spdlog::critical("account {}: cash + reserved {} disagrees with its ledger {} (or reserved {} with its orders {})",
                       id, state->ledger_balance(), loaded->ledger_balance, state->account.reserved, reserved);
      error = unavailable();
      return nullptr;
    }
    auto* raw = state.get();
    accounts[id] = std::move(state);
    reindex(*raw);
    return raw;
  }

  void reindex(const AccountState& s) {
    const auto& id = s.account.id;
    for (const auto& token : tokens_of[id]) {
      auto it = resting_by_token.find(token);
      if (it == resting_by_token.end()) continue;
      it->second.erase(id);
      if (it->second.empty()) resting_by_token.erase(it);
    }
    auto& mine = tokens_of[id];
    mine.clear();
    for (const auto& [oid, o] : s.open_orders) mine.insert(o.token_id);
    for (const auto& token : mine) resting_by_token[token].insert(id);
    if (mine.empty()) tokens_of.erase(id);
  }

  // Hands the write set to the group commit; `done` hears the outcome on the writer thread.
  void commit(store::WriteSet&& writes, std::function<void(bool ok)> done) {
    auto chain_now = chain;
    auto shared = std::make_shared<const store::WriteSet>(std::move(writes));
    engine.store_.commit_async(shared, chain_now, [this, chain_now, shared, done = std::move(done)](std::exception_ptr error) {
      if (!error && engine.account_observer_)
        for (const auto& a : shared->accounts) engine.account_observer_(a.id);
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          spdlog::error("engine commit failed: {}", e.what());
        }
        // Every later command of this shard built on the lost state: start over from the database.
        post([this, chain_now] {
          if (chain != chain_now) return;
          accounts.clear();
          resting_by_token.clear();
          tokens_of.clear();
          chain = std::make_shared<std::atomic<bool>>(false);
        });
      }
      done(!error);
    });
  }

  // Runs `done` once every write set this shard handed over so far has committed (write sets
  // commit in call order), so market-wide events answer only when their effects are durable.
  void after_commits(std::function<void()> done) {
    engine.store_.commit_async(std::make_shared<const store::WriteSet>(), chain,
                               [done = std::move(done)](std::exception_ptr) { done(); });
  }

  // §7.2: values every account held, stores extremes found since the last sweep, captures the
  // day start after 00:00 UTC and writes a `minute` snapshot when equity moved that minute.
  void sweep() {
    const auto ctx = context();
    const auto day_began = ctx.now - ctx.now % kDayMicros;
    const auto minute = ctx.now / kMinuteMicros;
    const bool new_minute = minute != last_minute;
    last_minute = minute;
    if (rolls_idle_accounts && idle_rolled_day != day_began) {
      try {
        engine.store_.roll_day_for_idle_accounts(day_began, ctx.now);
        idle_rolled_day = day_began;
      } catch (const std::exception& e) {
        spdlog::warn("day rollover of idle accounts failed, retrying next sweep: {}", e.what());
      }
    }
    for (auto& [id, state] : accounts) {
      auto& a = state->account;
      if (a.status != "active") continue;
      const auto v = value_account(*state, engine.board_, ctx.now);
      const auto before = a;
      record_extremes(a, v.equity);
      bool changed = state->extremes_unsaved || moves_extremes(before, a);
      store::WriteSet ws;
      if (a.day_start_at < day_began) {
        a.day_start_equity = a.day_low_equity = v.equity;
        a.day_start_at = ctx.now;
        ws.snapshots.push_back(make_snapshot(a, v, "day_start", ctx.now));
        changed = true;
      }
      if (!state->last_minute_equity) {
        state->last_minute_equity = v.equity;
      } else if (new_minute && *state->last_minute_equity != v.equity) {
        ws.snapshots.push_back(make_snapshot(a, v, "minute", ctx.now));
        state->last_minute_equity = v.equity;
      }
      // Observations, not changes: updated_at stays.
      if (changed) ws.accounts.push_back(a);
      ws.valuation_only = true;
      state->extremes_unsaved = false;
      if (!ws.empty()) commit(std::move(ws), [](bool) {});
    }
  }

  AccountView view(AccountState& state) {
    std::vector<store::PositionRecord> open;
    open.reserve(state.positions.size());
    for (const auto& [token, p] : state.positions) open.push_back(p);
    auto v = view_account(state.account, open, engine.board_, engine.now());
    if (state.account.status == "active" && moves_extremes(state.account, v.account)) {
      auto& a = state.account;
      a.peak_equity = v.account.peak_equity;
      a.min_equity = v.account.min_equity;
      a.day_low_equity = v.account.day_low_equity;
      a.max_drawdown = v.account.max_drawdown;
      a.max_drawdown_pct_micros = v.account.max_drawdown_pct_micros;
      state.extremes_unsaved = true;
    }
    return v;
  }

  void housekeeping() {
    if (std::chrono::steady_clock::now() >= next_sweep) {
      next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(engine.options_.valuation_interval_s);
      sweep();
    }
    std::set<std::string> with_orders;
    for (const auto& [token, ids] : resting_by_token) with_orders.insert(ids.begin(), ids.end());
    for (const auto& id : with_orders) {
      auto it = accounts.find(id);
      if (it == accounts.end()) continue;
      store::WriteSet ws;
      expire_due_orders(*it->second, context(), ws);
      if (ws.empty()) continue;
      reindex(*it->second);
      commit(std::move(ws), [](bool) {});
    }
  }

  void on_books(const std::vector<BookPtr>& books) {
    for (const auto& book : books) {
      auto it = resting_by_token.find(book->token_id);
      if (it == resting_by_token.end()) continue;
      const std::vector<std::string> ids(it->second.begin(), it->second.end());
      for (const auto& id : ids) {
        auto a = accounts.find(id);
        if (a == accounts.end()) continue;
        store::WriteSet ws;
        evaluate_resting(*a->second, *book, context(), ws);
        if (ws.empty()) continue;
        reindex(*a->second);
        commit(std::move(ws), [](bool) {});
      }
    }
  }
};

Engine::Engine(store::EngineStore& store, MarketBoard& board, const Clock& clock, EngineOptions options)
    : store_(store), board_(board), clock_(clock), options_(options) {
  const int n = std::max(1, std::min(options_.shards, 64));
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(*this));
  shards_.front()->rolls_idle_accounts = true;
}

Engine::~Engine() { stop(); }

std::string Engine::new_id() { return ids_.next(clock_).to_string(); }

Engine::Shard& Engine::shard_for(const std::string& account_id) {
  return *shards_[std::hash<std::string>{}(account_id) % shards_.size()];
}

void Engine::start() {
  for (const auto& m : store_.list_markets()) board_.put_market(m);
  for (const auto& b : store_.load_books()) {
    Book book;
    book.token_id = b.token_id;
    book.market_id = b.market_id;
    book.seq = b.seq;
    book.received_at = b.received_at;
    auto bids = levels_from_text(b.bids_json);
    auto asks = levels_from_text(b.asks_json);
    if (!bids || !asks) {
      spdlog::warn("stored book of token {} is unreadable; it waits for the next update", b.token_id);
      continue;
    }
    book.bids = std::move(*bids);
    book.asks = std::move(*asks);
    board_.restore(book, b.last_bid);
  }
  running_ = true;
  for (auto& s : shards_) s->thread = std::thread([shard = s.get()] { shard->run(); });
  // Accounts with resting orders are held from the start so books can fill them.
  std::vector<std::string> broken;
  std::mutex broken_mutex;
  std::vector<std::future<void>> loads;
  for (const auto& id : store_.accounts_to_hold()) {
    auto promise = std::make_shared<std::promise<void>>();
    loads.push_back(promise->get_future());
    auto& shard = shard_for(id);
    shard.post([&shard, id, promise, &broken, &broken_mutex] {
      std::optional<EngineError> error;
      if (!shard.account(id, error) && error && error->code == EngineCode::EngineUnavailable) {
        std::lock_guard lock(broken_mutex);  // shards load in parallel
        broken.push_back(id);
      }
      promise->set_value();
    });
  }
  for (auto& f : loads) f.wait();
  if (!broken.empty()) {
    std::string names;
    for (const auto& id : broken) names += (names.empty() ? "" : ", ") + id;
    stop();
    throw std::runtime_error("ledger check failed for accounts: " + names);
  }
  // Markets whose end_date passed while the server was down close now, then on a 1 s tick.
  close_due_markets();
  market_clock_ = std::thread([this] {
    std::unique_lock lock(clock_mutex_);
    while (!clock_stopping_) {
      clock_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return clock_stopping_; });
      if (clock_stopping_) break;
      lock.unlock();
      close_due_markets();
      lock.lock();
    }
  });
}

void Engine::close_due_markets() {
  const auto t = now();
  for (const auto& m : board_.markets()) {
    if (m->status != "open" || !m->end_date || *m->end_date > t) continue;
    try {
      close_market(m->id);
    } catch (const std::exception& e) {
      spdlog::warn("market {} past its end_date not closed yet: {}", m->slug, e.what());
    }
  }
}

void Engine::stop() {
  {
    std::lock_guard lock(clock_mutex_);
    clock_stopping_ = true;
  }
  clock_cv_.notify_all();
  if (market_clock_.joinable()) market_clock_.join();
  for (auto& s : shards_) {
    {
      std::lock_guard lock(s->mutex);
      s->stopping = true;
    }
    s->cv.notify_all();
  }
  for (auto& s : shards_)
    if (s->thread.joinable()) s->thread.join();
  running_ = false;
}

namespace {

PlaceResult trade_in_progress() {
  PlaceResult r;
  r.error = EngineError{EngineCode::TradeInProgress, "Too many commands are queued for this account; retry shortly."};
  return r;
}

}  // namespace

// On the shard: the request's account, unless it belongs to someone other than the request's
// owner, which reads as no such account.
AccountState* Engine::owned_account(Shard& shard, const OrderRequest& request, std::optional<EngineError>& error) {
  auto* state = shard.account(request.account_id, error);
  if (state && request.owner &&
      (state->account.tenant_id != request.owner->first || state->account.user_id != request.owner->second)) {
    error = EngineError{EngineCode::AccountNotFound, "No such account."};
    return nullptr;
  }
  return state;
}

void Engine::place(OrderRequest request, std::function<void(PlaceResult)> done) {
  auto& shard = shard_for(request.account_id);
  if (!shard.admit(request.account_id)) return done(trade_in_progress());
  shard.post([this, &shard, request = std::move(request), done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = owned_account(shard, request, error);
    if (!state) {
      shard.release(request.account_id);
      PlaceResult r;
      r.error = error;
      done(std::move(r));
      return;
    }
    store::WriteSet ws;
    PlaceResult result;
    try {
      result = place_order(*state, request, shard.context(), ws);
    } catch (const std::exception& e) {
      spdlog::error("engine place failed: {}", e.what());
      shard.accounts.erase(request.account_id);  // reload from what committed
      shard.release(request.account_id);
      PlaceResult r;
      r.error = unavailable();
      done(std::move(r));
      return;
    }
    shard.reindex(*state);
    auto id = request.account_id;
    shard.commit(std::move(ws), [&shard, id, result = std::move(result), done = std::move(done)](bool ok) mutable {
      shard.release(id);
      if (!ok) {
        PlaceResult r;
        r.error = unavailable();
        done(std::move(r));
        return;
      }
      done(std::move(result));
    });
  });
}

void Engine::quote(OrderRequest request, std::function<void(PlaceResult)> done) {
  auto& shard = shard_for(request.account_id);
  if (!shard.admit(request.account_id)) return done(trade_in_progress());
  shard.post([this, &shard, request = std::move(request), done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = owned_account(shard, request, error);
    PlaceResult result;
    if (!state) {
      result.error = error;
    } else {
      // A copy: the walk records depletion and reservations, which a quote must not keep.
      AccountState scratch = *state;
      store::WriteSet discarded;
      request.client_order_id.reset();
      request.record_rejection = false;
      try {
        result = place_order(scratch, request, shard.context(), discarded);
      } catch (const std::exception& e) {
        spdlog::error("engine quote failed: {}", e.what());
        result = PlaceResult{};
        result.error = unavailable();
      }
    }
    shard.release(request.account_id);
    done(std::move(result));
  });
}

void Engine::cancel(std::string account_id, std::string order_id, std::function<void(CancelResult)> done) {
  auto& shard = shard_for(account_id);
  shard.post([&shard, account_id, order_id, done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = shard.account(account_id, error);
    if (!state) {
      CancelResult r;
      r.error = error && error->code == EngineCode::AccountNotFound
                    ? EngineError{EngineCode::OrderNotFound, "No such order."}
                    : error;
      done(std::move(r));
      return;
    }
    store::WriteSet ws;
    auto result = cancel_order(*state, order_id, "user", shard.context(), ws);
    shard.reindex(*state);
    shard.commit(std::move(ws), [result = std::move(result), done = std::move(done)](bool ok) mutable {
      if (!ok) {
        CancelResult r;
        r.error = unavailable();
        done(std::move(r));
        return;
      }
      done(std::move(result));
    });
  });
}

void Engine::cancel_all(std::string account_id, std::optional<std::string> market_id,
                        std::function<void(CancelAllOutcome)> done) {
  auto& shard = shard_for(account_id);
  shard.post([&shard, account_id, market_id, done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = shard.account(account_id, error);
    if (!state) {
      done(CancelAllOutcome{error, {}});
      return;
    }
    store::WriteSet ws;
    auto result = engine::cancel_all(*state, market_id, shard.context(), ws);
    shard.reindex(*state);
    shard.commit(std::move(ws), [result = std::move(result), done = std::move(done)](bool ok) mutable {
      if (!ok) return done(CancelAllOutcome{unavailable(), {}});
      done(CancelAllOutcome{std::nullopt, std::move(result)});
    });
  });
}

void Engine::close_account(std::string account_id, std::function<void(LifecycleOutcome)> done) {
  run_lifecycle(std::move(account_id), false, std::move(done));
}

void Engine::reset_account(std::string account_id, std::function<void(LifecycleOutcome)> done) {
  run_lifecycle(std::move(account_id), true, std::move(done));
}

void Engine::run_lifecycle(std::string account_id, bool reset, std::function<void(LifecycleOutcome)> done) {
  auto& shard = shard_for(account_id);
  shard.post([&shard, account_id, reset, done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = shard.account(account_id, error);
    if (!state) return done(LifecycleOutcome{error, {}, std::nullopt});
    store::WriteSet ws;
    auto ctx = shard.context();
    auto result = reset ? engine::reset_account(*state, ctx, ws) : engine::close_account(*state, ctx, ws);
    shard.reindex(*state);
    auto account = state->account;
    shard.commit(std::move(ws), [result, account, done = std::move(done)](bool ok) mutable {
      if (!ok) return done(LifecycleOutcome{unavailable(), {}, std::nullopt});
      done(LifecycleOutcome{std::nullopt, result, account});
    });
  });
}

ViewOutcome Engine::view_account_sync(const std::string& account_id) {
  auto& shard = shard_for(account_id);
  std::promise<ViewOutcome> promise;
  auto future = promise.get_future();
  bool held = true;
  shard.post([&shard, &account_id, &promise, &held] {
    ViewOutcome out;
    try {
      // Only an account the shard holds is valued there: reading must not make the shard hold
      // every account ever read.
      if (auto it = shard.accounts.find(account_id); it != shard.accounts.end()) out.view = shard.view(*it->second);
      else held = false;
    } catch (const std::exception& e) {
      spdlog::error("engine could not value account {}: {}", account_id, e.what());
      out.error = unavailable();
    }
    promise.set_value(std::move(out));
  });
  auto out = future.get();
  if (held) return out;
  // Not held means no OPEN position (those are held from start-up or their first order on), so
  // no mark moves its equity and the stored row is the whole truth.
  try {
    auto loaded = store_.load_account(account_id);
    if (!loaded) return ViewOutcome{EngineError{EngineCode::AccountNotFound, "No such account."}, std::nullopt};
    return ViewOutcome{std::nullopt, view_account(loaded->account, loaded->positions, board_, now())};
  } catch (const std::exception& e) {
    spdlog::error("engine could not read account {}: {}", account_id, e.what());
    return ViewOutcome{unavailable(), std::nullopt};
  }
}

AccountView Engine::view_stored(const store::AccountRecord& account) {
  store::PositionQuery q;
  q.account_ids = {account.id};
  q.open_only = true;
  q.limit = 10'000;
  return view_account(account, store_.list_positions(q), board_, now());
}

namespace {
template <class R, class F>
R wait_for(F start) {
  std::promise<R> promise;
  auto future = promise.get_future();
  start([&promise](R r) { promise.set_value(std::move(r)); });
  return future.get();
}
}  // namespace

PlaceResult Engine::place_sync(OrderRequest request) {
  return wait_for<PlaceResult>([&](auto cb) { place(std::move(request), cb); });
}
CancelResult Engine::cancel_sync(std::string account_id, std::string order_id) {
  return wait_for<CancelResult>([&](auto cb) { cancel(std::move(account_id), std::move(order_id), cb); });
}
CancelAllOutcome Engine::cancel_all_sync(std::string account_id, std::optional<std::string> market_id) {
  return wait_for<CancelAllOutcome>([&](auto cb) { cancel_all(std::move(account_id), std::move(market_id), cb); });
}
LifecycleOutcome Engine::close_account_sync(std::string account_id) {
  return wait_for<LifecycleOutcome>([&](auto cb) { close_account(std::move(account_id), cb); });
}
LifecycleOutcome Engine::reset_account_sync(std::string account_id) {
  return wait_for<LifecycleOutcome>([&](auto cb) { reset_account(std::move(account_id), cb); });
}

store::MarketRecord Engine::draft_market(std::string slug, std::string question, std::string category,
                                         std::int64_t tick_size, std::string feed) {
  store::MarketRecord m;
  m.id = new_id();
  m.yes_token_id = new_id();
  m.no_token_id = new_id();
  m.slug = std::move(slug);
  m.question = std::move(question);
  m.category = std::move(category);
  m.tick_size = tick_size;
  m.feed = std::move(feed);
  m.taker_fee_bps = default_taker_fee_bps(m.category);
  m.min_order_size = m.tick_size >= 10'000 ? 5'000'000 : 1'000'000;
  m.stale_after_s = m.feed == "manual" ? 0 : options_.stale_after_s;
  m.created_at = m.updated_at = now();
  return m;
}

MarketChange Engine::set_market_feed(const std::string& id_or_slug, const std::string& feed) {
  auto current = board_.market(id_or_slug);
  if (!current) return MarketChange{EngineError{EngineCode::MarketNotFound, "No such market."}, std::nullopt};
  if (current->feed == feed) return MarketChange{std::nullopt, *current};
  auto next = *current;
  next.feed = feed;
  next.updated_at = now();
  store_.save_market(next);
  board_.put_market(next);
  return MarketChange{std::nullopt, next};
}

MarketChange Engine::create_market(store::MarketRecord market) {
  try {
    store_.create_market(market);
  } catch (const store::UniqueViolation&) {
    return MarketChange{EngineError{EngineCode::ValidationFailed, "A market with this slug already exists."},
                        std::nullopt};
  } catch (const std::exception& e) {
    spdlog::error("market {} not stored: {}", market.slug, e.what());
    return MarketChange{unavailable(), std::nullopt};
  }
  board_.put_market(market);
  return MarketChange{std::nullopt, market};
}

MarketChange Engine::close_market(const std::string& id_or_slug) {
  auto current = board_.market(id_or_slug);
  if (!current) return MarketChange{EngineError{EngineCode::MarketNotFound, "No such market."}, std::nullopt};
  if (current->status != "open") return MarketChange{std::nullopt, *current};
  auto next = *current;
  next.status = "closed";
  next.updated_at = now();
  store_.save_market(next);
  board_.put_market(next);
  std::vector<std::future<void>> waits;
  for (auto& s : shards_) {
    auto promise = std::make_shared<std::promise<void>>();
    waits.push_back(promise->get_future());
    s->post([shard = s.get(), next, promise] {
      std::set<std::string> ids;
      for (const auto& token : {next.yes_token_id, next.no_token_id})
        if (auto it = shard->resting_by_token.find(token); it != shard->resting_by_token.end())
          ids.insert(it->second.begin(), it->second.end());
      for (const auto& id : ids) {
        auto a = shard->accounts.find(id);
        if (a == shard->accounts.end()) continue;
        store::WriteSet ws;
        expire_market_orders(*a->second, next.id, "market_closed", shard->context(), ws);
        shard->reindex(*a->second);
        if (!ws.empty()) shard->commit(std::move(ws), [](bool) {});
      }
      shard->after_commits([promise] { promise->set_value(); });
    });
  }
  for (auto& w : waits) w.wait();
  return MarketChange{std::nullopt, next};
}

MarketChange Engine::open_market(const std::string& id_or_slug) {
  auto current = board_.market(id_or_slug);
  if (!current) return MarketChange{EngineError{EngineCode::MarketNotFound, "No such market."}, std::nullopt};
  if (current->status == "resolved")
    return MarketChange{EngineError{EngineCode::MarketClosed, "A resolved market cannot reopen."}, std::nullopt};
  if (current->end_date && *current->end_date <= now())
    return MarketChange{EngineError{EngineCode::ValidationFailed, "The market's end_date has passed."}, std::nullopt};
  auto next = *current;
  next.status = "open";
  next.updated_at = now();
  store_.save_market(next);
  board_.put_market(next);
  return MarketChange{std::nullopt, next};
}

MarketChange Engine::resolve_market(const std::string& id_or_slug, const std::string& outcome) {
  auto current = board_.market(id_or_slug);
  if (!current) return MarketChange{EngineError{EngineCode::MarketNotFound, "No such market."}, std::nullopt};
  if (outcome != "YES" && outcome != "NO")
    return MarketChange{EngineError{EngineCode::ValidationFailed, "outcome must be YES or NO"}, std::nullopt};
  if (current->status == "resolved") {
    if (current->resolution == outcome) return MarketChange{std::nullopt, *current};
    return MarketChange{EngineError{EngineCode::ValidationFailed, "The market is already resolved."}, std::nullopt};
  }
  auto next = *current;
  next.status = "resolved";
  next.resolution = outcome;
  next.resolved_at = now();
  next.updated_at = now();
  store_.save_market(next);
  board_.put_market(next);
  // Holders in the database, plus anything the shards hold that has not committed yet.
  std::map<Shard*, std::set<std::string>> by_shard;
  for (const auto& id : store_.active_accounts_in_market(next.id)) by_shard[&shard_for(id)].insert(id);
  std::vector<std::future<void>> waits;
  for (auto& s : shards_) {
    auto promise = std::make_shared<std::promise<void>>();
    waits.push_back(promise->get_future());
    s->post([shard = s.get(), next, ids = by_shard[s.get()], promise]() mutable {
      for (const auto& [id, state] : shard->accounts) {
        if (state->positions.count(next.yes_token_id) || state->positions.count(next.no_token_id)) ids.insert(id);
        for (const auto& [oid, o] : state->open_orders)
          if (o.market_id == next.id) ids.insert(id);
      }
      for (const auto& id : ids) {
        std::optional<EngineError> error;
        auto* state = shard->account(id, error);
        if (!state) continue;
        store::WriteSet ws;
        settle_market(*state, next, shard->context(), ws);
        shard->reindex(*state);
        if (!ws.empty()) shard->commit(std::move(ws), [](bool) {});
      }
      shard->after_commits([promise] { promise->set_value(); });
    });
  }
  for (auto& w : waits) w.wait();
  return MarketChange{std::nullopt, next};
}

std::variant<std::vector<BookPtr>, std::string> Engine::push_books(const std::vector<BookUpdate>& updates) {
  auto published = board_.publish(updates, now());
  if (auto* books = std::get_if<std::vector<BookPtr>>(&published)) {
    std::vector<store::BookRecord> rows;
    for (std::size_t i = 0; i < books->size(); ++i) {
      const auto& b = *(*books)[i];
      store::BookRecord r;
      r.token_id = b.token_id;
      r.market_id = b.market_id;
      r.seq = b.seq;
      r.bids_json = levels_to_json(b.bids);
      r.asks_json = levels_to_json(b.asks);
      r.received_at = b.received_at;
      r.last_bid = board_.last_bid(b.token_id);
      r.sim_state = updates[i].sim_state;
      rows.push_back(std::move(r));
    }
    try {
      store_.save_books(rows);
    } catch (const std::exception& e) {
      spdlog::warn("books not stored: {}", e.what());
    }
    std::vector<std::future<void>> waits;
    for (auto& s : shards_) {
      auto promise = std::make_shared<std::promise<void>>();
      waits.push_back(promise->get_future());
      s->post([shard = s.get(), copy = *books, promise] {
        shard->on_books(copy);
        shard->after_commits([promise] { promise->set_value(); });
      });
    }
    for (auto& w : waits) w.wait();
  }
  return published;
}

}  // namespace polysim::engine
