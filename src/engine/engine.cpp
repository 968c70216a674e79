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

namespace polysim::engine {

namespace {

EngineError unavailable() {
  return EngineError{EngineCode::EngineUnavailable, "The engine could not complete the command; retry with the same "
                                                    "client_order_id."};
}

std::string levels_json(const std::vector<BookLevel>& side) {
  std::string out = "[";
  for (std::size_t i = 0; i < side.size(); ++i) {
    if (i) out += ',';
    out += "[\"" + format_decimal(side[i].price, 0) + "\",\"" + format_decimal(side[i].size, 0) + "\"]";
  }
  return out + "]";
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
    engine.store_.commit_async(shared, chain_now, [this, chain_now, done = std::move(done)](std::exception_ptr error) {
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

  void housekeeping() {
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
    auto parse = [](const std::string& json) {
      std::vector<BookLevel> out;
      // [["0.55","300"],…] as written by persist_books.
      std::size_t pos = 0;
      while ((pos = json.find("[\"", pos)) != std::string::npos) {
        const auto a_end = json.find('"', pos + 2);
        const auto b_start = json.find('"', a_end + 1);
        const auto b_end = json.find('"', b_start + 1);
        auto price = parse_decimal(json.substr(pos + 2, a_end - pos - 2), 6);
        auto size = parse_decimal(json.substr(b_start + 1, b_end - b_start - 1), 6);
        if (price && size) out.push_back(BookLevel{*price, *size});
        pos = b_end + 1;
      }
      return out;
    };
    book.bids = parse(b.bids_json);
    book.asks = parse(b.asks_json);
    board_.restore(book, b.last_bid);
  }
  running_ = true;
  for (auto& s : shards_) s->thread = std::thread([shard = s.get()] { shard->run(); });
  // Accounts with resting orders are held from the start so books can fill them.
  std::vector<std::string> broken;
  std::vector<std::future<void>> loads;
  for (const auto& id : store_.accounts_with_open_orders()) {
    auto promise = std::make_shared<std::promise<void>>();
    loads.push_back(promise->get_future());
    auto& shard = shard_for(id);
    shard.post([&shard, id, promise, &broken] {
      std::optional<EngineError> error;
      if (!shard.account(id, error) && error && error->code == EngineCode::EngineUnavailable) broken.push_back(id);
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
}

void Engine::stop() {
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

void Engine::place(OrderRequest request, std::function<void(PlaceResult)> done) {
  auto& shard = shard_for(request.account_id);
  if (!shard.admit(request.account_id)) {
    PlaceResult r;
    r.error = EngineError{EngineCode::TradeInProgress, "Too many commands are queued for this account; retry shortly."};
    done(std::move(r));
    return;
  }
  shard.post([this, &shard, request = std::move(request), done = std::move(done)]() mutable {
    std::optional<EngineError> error;
    auto* state = shard.account(request.account_id, error);
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

MarketChange Engine::create_market(store::MarketRecord market) {
  try {
    store_.save_market(market);
  } catch (const std::exception&) {
    return MarketChange{EngineError{EngineCode::ValidationFailed, "the market could not be stored (slug or token id taken?)"},
                        std::nullopt};
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
      promise->set_value();
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
      promise->set_value();
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
      r.bids_json = levels_json(b.bids);
      r.asks_json = levels_json(b.asks);
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
    for (auto& s : shards_) s->post([shard = s.get(), copy = *books] { shard->on_books(copy); });
  }
  return published;
}

}  // namespace polysim::engine
