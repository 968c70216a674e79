// Property tests (40-trading-engine.md §12): random books and orders against one account, with
// the conservation, reservation, equity and ledger invariants checked after every step, and the
// same seed replayed for identical fills.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "engine/account_executor.hpp"
#include "engine/maker_fill.hpp"
#include "engine_fixture.hpp"

namespace polysim::engine {
namespace {

using namespace testing;

struct Totals {
  std::int64_t ledger_sum = 0;
  std::int64_t last_balance = 0;
  std::int64_t realized = 0;  // epoch
  std::int64_t fees = 0;      // epoch
};

void absorb(Totals& t, const store::WriteSet& w, std::int64_t epoch_before, std::int64_t epoch_after) {
  for (const auto& e : w.ledger) {
    t.ledger_sum += e.amount;
    t.last_balance = e.balance_after;
  }
  if (epoch_after != epoch_before) t.realized = t.fees = 0;
  for (const auto& f : w.fills) {
    t.realized += f.realized_pnl;
    t.fees += f.fee;
  }
  for (const auto& s : w.settlements) t.realized += s.realized_pnl;
}

void check_invariants(EngineFixture& f, const Totals& t, const std::string& step) {
  SCOPED_TRACE(step);
  const auto& a = f.state.account;
  ASSERT_GE(a.cash, 0);
  ASSERT_GE(a.reserved, 0);
  ASSERT_EQ(a.cash + a.reserved, t.ledger_sum);
  ASSERT_EQ(a.cash + a.reserved, t.last_balance);
  std::int64_t reserved = 0;
  std::map<std::string, std::int64_t> reserved_size;
  for (const auto& [id, o] : f.state.open_orders) {
    ASSERT_EQ(o.status, "OPEN");
    if (o.side == "BUY") reserved += o.reserved_cash;
    else reserved_size[o.token_id] += o.reserved_size;
  }
  ASSERT_EQ(a.reserved, reserved);
  std::int64_t cost = 0;
  for (const auto& [token, p] : f.state.positions) {
    ASSERT_GT(p.size, 0);
    ASSERT_GE(p.reserved_size, 0);
    ASSERT_GE(p.size, p.reserved_size);
    ASSERT_EQ(p.reserved_size, reserved_size[token]);
    cost += p.cost_basis;
  }
  ASSERT_EQ(a.cash + a.reserved + cost, a.starting_balance + a.realized_pnl);
  ASSERT_EQ(a.realized_pnl, t.realized);
  ASSERT_EQ(a.fees_paid, t.fees);
  const auto v = f.value();
  ASSERT_EQ(v.equity, a.starting_balance + a.realized_pnl + v.unrealized_pnl);
  ASSERT_GE(a.peak_equity, v.equity);
  ASSERT_LE(a.min_equity, v.equity);
  ASSERT_GE(a.max_drawdown, a.peak_equity - v.equity);
  ASSERT_EQ(a.open_orders_count, static_cast<std::int64_t>(f.state.open_orders.size()));
}

std::vector<BookLevel> random_side(std::mt19937_64& rng, std::int64_t start, int direction, int count) {
  std::vector<BookLevel> out;
  std::int64_t price = start;
  for (int i = 0; i < count; ++i) {
    if (price <= 0 || price >= 1'000'000) break;
    out.push_back(BookLevel{price, static_cast<std::int64_t>(1 + rng() % 400) * 1'000'000});
    price += direction * 10'000 * static_cast<std::int64_t>(1 + rng() % 2);
  }
  return out;
}

// Runs one random session and returns its fills as text, for the determinism check.
std::string run_session(std::uint64_t seed, int steps) {
  EngineFixture f;
  Totals t;
  t.ledger_sum = t.last_balance = f.state.account.starting_balance;
  std::mt19937_64 rng(seed);
  std::ostringstream log;
  auto step_name = [&](int i, const char* what) { return "seed " + std::to_string(seed) + " step " + std::to_string(i) + " " + what; };
  for (int i = 0; i < steps; ++i) {
    store::WriteSet w;
    const auto epoch = f.state.account.reset_count;
    const int op = static_cast<int>(rng() % 100);
    const char* what = "";
    if (op < 25) {
      what = "book";
      const std::int64_t bid = 10'000 * static_cast<std::int64_t>(5 + rng() % 85);
      const std::int64_t ask = bid + 10'000 * static_cast<std::int64_t>(1 + rng() % 3);
      f.now += 1'000'000;
      f.push_yes(random_side(rng, bid, -1, 1 + static_cast<int>(rng() % 5)),
                 random_side(rng, ask, +1, 1 + static_cast<int>(rng() % 5)), &w);
      revalue(f.state, f.ctx(), w, std::nullopt);  // what the valuation sweep does after a mark moves
    } else if (op < 85) {
      what = "order";
      const auto r = random_order(f, rng);
      auto result = place_order(f.state, r, f.ctx(), w);
      if (!result.error && result.order) log << result.order->order_id << ' ' << result.order->status << '\n';
    } else if (op < 95) {
      what = "cancel";
      if (!f.state.open_orders.empty()) {
        auto it = f.state.open_orders.begin();
        std::advance(it, static_cast<long>(rng() % f.state.open_orders.size()));
        const auto id = it->first;
        EXPECT_FALSE(cancel_order(f.state, id, "user", f.ctx(), w).error);
      }
    } else if (op < 98) {
      what = "reset";
      while (reset_account(f.state, f.ctx(), w).step == LifecycleStep::OrdersRemain) {
      }
    } else {
      what = "time";
      f.now += 3'600'000'000;
      revalue(f.state, f.ctx(), w, std::nullopt);
    }
    absorb(t, w, epoch, f.state.account.reset_count);
    for (const auto& fill : w.fills)
      log << fill.trade_id << ' ' << fill.liquidity << ' ' << fill.side << ' ' << fill.price << ' ' << fill.size << ' ' << fill.fee << '\n';
    check_invariants(f, t, step_name(i, what));
    if (::testing::Test::HasFatalFailure()) return {};
  }
  // Settlement leaves no OPEN position and pays each winning share exactly 1.
  auto m = f.market;
  m.status = "resolved";
  m.resolution = "YES";
  f.board.put_market(m);
  store::WriteSet w;
  std::int64_t yes_size = 0;
  if (auto p = f.state.positions.find(m.yes_token_id); p != f.state.positions.end()) yes_size = p->second.size;
  const auto cash_before = f.state.account.cash;
  const auto reserved_before = f.state.account.reserved;
  settle_market(f.state, m, f.ctx(), w);
  absorb(t, w, f.state.account.reset_count, f.state.account.reset_count);
  EXPECT_TRUE(f.state.positions.empty());
  EXPECT_TRUE(w.fills.empty());
  EXPECT_EQ(f.state.account.cash, cash_before + reserved_before + yes_size);
  check_invariants(f, t, "settlement");
  return log.str();
}

TEST(EngineProperties, InvariantsHoldAfterEveryStepOfRandomSessions) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    run_session(seed, 400);
    if (HasFatalFailure()) return;
  }
}

TEST(EngineProperties, SameInputsGiveIdenticalFills) {
  const auto first = run_session(7, 500);
  const auto second = run_session(7, 500);
  // The session exercises both kinds of execution and resting orders.
  EXPECT_NE(first.find(" taker "), std::string::npos);
  EXPECT_NE(first.find(" maker "), std::string::npos);
  EXPECT_NE(first.find(" OPEN\n"), std::string::npos);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, run_session(8, 500));
}

}  // namespace
}  // namespace polysim::engine
