// Benchmark (on demand, not a test): persisted market orders per second through the engine and
// the SQLite group commit, without HTTP (40-trading-engine.md §11: ≥ 20,000 per shard into
// distinct accounts), and the acknowledgement latency each order sees with a fixed number in
// flight. Every order is a FAK BUY that fills, so each writes its order, fill, two ledger
// entries, position, account row and `fill` snapshot.
//
//   build/release/bench/engine_orders_bench [orders=100000] [accounts=2000] [in_flight=256] [shards=cores]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "engine/engine.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace polysim;
using Steady = std::chrono::steady_clock;

long arg(int argc, char** argv, int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; }

}  // namespace

int main(int argc, char** argv) {
  const long orders = arg(argc, argv, 1, 100'000);
  const long accounts = arg(argc, argv, 2, 2'000);
  const long in_flight = arg(argc, argv, 3, 256);
  const long shards = arg(argc, argv, 4, static_cast<long>(std::max(1u, std::thread::hardware_concurrency())));

  const auto dir = std::filesystem::temp_directory_path() / ("polysim-engine-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SystemClock clock;
  {
    store::sqlite::SqliteStore store({(dir / "polysim.db").string(), "normal"});
    store.migrate();
    const auto now = clock.now_unix_micros();
    store::TenantRecord tenant;
    tenant.id = "bench-tenant";
    tenant.name = "bench";
    tenant.display_name = "Bench";
    tenant.created_at = tenant.updated_at = now;
    store.create_tenant(tenant);
    {
      // One owner for every account: the engine never looks at users.
      store::sqlite::SqliteConnection c((dir / "polysim.db").string(), "normal", false);
      c.exec("INSERT INTO users (id, uuid, tenant_id, email, created_at, updated_at) VALUES "
             "(1, 'bench-user', 'bench-tenant', 'bench@example.com', 0, 0)");
    }
    UuidV7Generator ids;
    std::vector<std::string> account_ids;
    for (long i = 0; i < accounts; ++i) {
      store::AccountRecord a;
      a.id = ids.next(clock).to_string();
      a.tenant_id = tenant.id;
      a.user_id = 1;
      a.stage = "demo";
      a.starting_balance = a.cash = a.peak_equity = a.min_equity = a.day_start_equity = a.day_low_equity =
          1'000'000'000'000;  // $1,000,000: never runs out
      a.day_start_at = a.created_at = a.updated_at = now;
      store.create_account(a);
      account_ids.push_back(a.id);
    }

    engine::MarketBoard board;
    engine::EngineOptions options;
    options.shards = static_cast<int>(shards);
    options.max_queued_per_account = 1'000'000;
    engine::Engine engine(store, board, clock, options);
    engine.start();
    auto market = engine.draft_market("bench-market", "Bench?", "other", 10'000, "manual");
    engine.create_market(market);
    const std::int64_t deep = 1'000'000'000'000'000;  // 10^9 shares a level: depletion never bites
    auto pushed = engine.push_books({{market.yes_token_id, {{550'000, deep}}, {{560'000, deep}}, std::nullopt},
                                     {market.no_token_id, {{440'000, deep}}, {{450'000, deep}}, std::nullopt}});
    if (std::holds_alternative<std::string>(pushed)) {
      std::fprintf(stderr, "book refused: %s\n", std::get<std::string>(pushed).c_str());
      return 1;
    }

    std::mutex mutex;
    std::condition_variable cv;
    long sent = 0, answered = 0, failed = 0;
    std::vector<double> latencies_us;
    latencies_us.reserve(static_cast<std::size_t>(orders));
    const auto started = Steady::now();
    std::unique_lock lock(mutex);
    while (answered < orders) {
      while (sent < orders && sent - answered < in_flight) {
        engine::OrderRequest r;
        r.account_id = account_ids[static_cast<std::size_t>(sent % accounts)];
        r.market = market.id;
        r.side = engine::Side::Buy;
        r.type = engine::OrderType::Market;
        r.time_in_force = engine::TimeInForce::Fak;
        r.size = 5'000'000;
        const auto t0 = Steady::now();
        ++sent;
        lock.unlock();
        engine.place(std::move(r), [&, t0](engine::PlaceResult result) {
          const auto us = std::chrono::duration<double, std::micro>(Steady::now() - t0).count();
          std::lock_guard inner(mutex);
          latencies_us.push_back(us);
          if (result.error || result.fills.empty()) ++failed;
          ++answered;
          cv.notify_one();
        });
        lock.lock();
      }
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return answered >= orders || (sent < orders && sent - answered < in_flight); });
    }
    const double seconds = std::chrono::duration<double>(Steady::now() - started).count();
    lock.unlock();
    engine.stop();
    std::sort(latencies_us.begin(), latencies_us.end());
    auto pct = [&](double p) { return latencies_us[static_cast<std::size_t>(p * (latencies_us.size() - 1))] / 1000.0; };
    std::printf("engine orders: %ld in %.2f s = %.0f orders/s (%ld shards, %ld accounts, %ld in flight), "
                "ack p50 %.2f ms p99 %.2f ms, failed %ld\n",
                orders, seconds, orders / seconds, shards, accounts, in_flight, pct(0.50), pct(0.99), failed);
    std::printf("per-shard target 20,000/s: %.2f of it per shard\n", orders / seconds / shards / 20'000.0);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
