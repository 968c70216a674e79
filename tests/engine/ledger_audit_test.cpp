// `polysim engine verify`'s checks (40-trading-engine.md §12) over the rows the account executor
// writes: a consistent account passes, and each kind of corruption is named with its numbers.
#include "engine/ledger_audit.hpp"

#include <gtest/gtest.h>

#include <random>

#include "engine_fixture.hpp"

namespace polysim::engine {
namespace {

using namespace testing;

// Applies write sets the way the store does: rows of mutable tables replaced by id, append-only
// rows appended in commit order. What it holds is what the database would hold.
struct StoredRows {
  store::AccountAuditRows rows;

  explicit StoredRows(const store::AccountRecord& account) {
    rows.account = account;
    // create_account's deposit, which the fixture's state already counts as seq 1.
    rows.ledger.push_back(store::LedgerEntryRecord{account.id, 1, 0, "deposit", account.starting_balance,
                                                   account.starting_balance, std::nullopt, std::nullopt, 0});
  }

  template <class Row, class Key>
  static void upsert(std::vector<Row>& table, const Row& row, Key key) {
    for (auto& r : table)
      if (key(r) == key(row)) {
        r = row;
        return;
      }
    table.push_back(row);
  }

  void absorb(const store::WriteSet& w) {
    for (const auto& a : w.accounts) rows.account = a;
    for (const auto& o : w.orders) upsert(rows.orders, o, [](const auto& r) { return r.order_id; });
    for (const auto& p : w.positions) upsert(rows.positions, p, [](const auto& r) { return r.position_id; });
    rows.fills.insert(rows.fills.end(), w.fills.begin(), w.fills.end());
    rows.ledger.insert(rows.ledger.end(), w.ledger.begin(), w.ledger.end());
    rows.settlements.insert(rows.settlements.end(), w.settlements.begin(), w.settlements.end());
  }
};

std::string describe(const std::vector<AuditViolation>& found) {
  std::string out;
  for (const auto& v : found)
    out += v.property + " expected " + std::to_string(v.expected) + " found " + std::to_string(v.found) + " (" +
           v.detail + ")\n";
  return out;
}

// Exactly one violation, this one.
void expect_only(const std::vector<AuditViolation>& found, const std::string& property, std::int64_t expected,
                 std::int64_t found_value) {
  ASSERT_EQ(found.size(), 1u) << describe(found);
  EXPECT_EQ(found[0].account_id, "acct-a");
  EXPECT_EQ(found[0].property, property);
  EXPECT_EQ(found[0].expected, expected);
  EXPECT_EQ(found[0].found, found_value);
}

bool contains(const std::vector<AuditViolation>& found, const std::string& property, std::int64_t expected,
              std::int64_t found_value) {
  for (const auto& v : found)
    if (v.property == property && v.expected == expected && v.found == found_value) return true;
  return false;
}

// §5.7's account A and more: taker BUYs, a resting SELL that fills as maker, a resting BUY that
// keeps cash reserved, a market SELL; one OPEN position with shares reserved and one OPEN BUY.
struct TradedAccount : ::testing::Test {
  EngineFixture f;
  StoredRows stored{f.state.account};

  void run(const std::function<void(store::WriteSet&)>& step) {
    store::WriteSet w;
    step(w);
    stored.absorb(w);
  }

  void SetUp() override {
    run([&](store::WriteSet& w) { f.push_yes(levels({{"0.55", "300"}, {"0.54", "400"}, {"0.53", "500"}}),
                                             levels({{"0.56", "100"}, {"0.57", "200"}, {"0.58", "500"}}), &w); });
    run([&](store::WriteSet& w) { ASSERT_FALSE(f.place(f.market_order(Side::Buy, "250"), &w).error); });
    run([&](store::WriteSet& w) { ASSERT_FALSE(f.place(f.limit_order(Side::Sell, "100", "0.60"), &w).error); });
    run([&](store::WriteSet& w) { ASSERT_FALSE(f.place(f.limit_order(Side::Sell, "40", "0.65"), &w).error); });
    auto no_buy = f.limit_order(Side::Buy, "50", "0.30");
    no_buy.outcome = Outcome::No;
    run([&](store::WriteSet& w) { ASSERT_FALSE(f.place(no_buy, &w).error); });
    f.now += 1'000'000;
    // Bids through 0.60: the resting SELL fills 70 as maker.
    run([&](store::WriteSet& w) { f.push_yes(levels({{"0.61", "70"}, {"0.55", "300"}}), levels({{"0.62", "100"}}), &w); });
    run([&](store::WriteSet& w) {
      auto r = f.place(f.market_order(Side::Sell, "20", "0.55"), &w);
      ASSERT_FALSE(r.error) << code_name(r.error->code) << " " << r.error->message;
    });
  }

  const store::OrderRecord& order_where(const std::string& status, const std::string& side) {
    for (const auto& o : stored.rows.orders)
      if (o.status == status && o.side == side && o.token_id == "t-yes") return o;
    throw std::logic_error("no such order");
  }
  store::OrderRecord& mutable_order(const std::string& id) {
    for (auto& o : stored.rows.orders)
      if (o.order_id == id) return o;
    throw std::logic_error("no such order");
  }
  store::PositionRecord& open_yes_position() {
    for (auto& p : stored.rows.positions)
      if (p.status == "OPEN" && p.token_id == "t-yes") return p;
    throw std::logic_error("no OPEN YES position");
  }
};

TEST_F(TradedAccount, ConsistentAccountHasNoViolations) {
  // The session produced what the checks are about.
  ASSERT_GT(stored.rows.account.reserved, 0);
  ASSERT_GT(open_yes_position().reserved_size, 0);
  bool maker = false;
  for (const auto& fill : stored.rows.fills) maker = maker || fill.liquidity == "maker";
  ASSERT_TRUE(maker);
  EXPECT_EQ(describe(audit_account(stored.rows)), "");
}

TEST_F(TradedAccount, CashOffByOneMicroIsAConservationViolation) {
  const auto balance = stored.rows.ledger.back().balance_after;
  stored.rows.account.cash += 1;
  expect_only(audit_account(stored.rows), "conservation.ledger", balance, balance + 1);
}

TEST_F(TradedAccount, NegativeCashIsReported) {
  stored.rows.account.cash = -5;
  const auto found = audit_account(stored.rows);
  EXPECT_TRUE(contains(found, "nonnegative.cash", 0, -5)) << describe(found);
}

TEST_F(TradedAccount, OrderReservationThatDisagreesWithTheAccountIsReported) {
  // The NO BUY is the only OPEN BUY.
  store::OrderRecord* open_buy = nullptr;
  for (auto& o : stored.rows.orders)
    if (o.status == "OPEN" && o.side == "BUY") open_buy = &o;
  ASSERT_NE(open_buy, nullptr);
  const auto reserved = stored.rows.account.reserved;
  open_buy->reserved_cash += 5;
  expect_only(audit_account(stored.rows), "reservations.reserved", reserved + 5, reserved);
}

TEST_F(TradedAccount, PositionReservedSizeMustMatchOpenSells) {
  auto& p = open_yes_position();
  const auto reserved = p.reserved_size;
  p.reserved_size += 1;
  expect_only(audit_account(stored.rows), "reservations.position_reserved_size", reserved, reserved + 1);
}

TEST_F(TradedAccount, OpenSellReservationMustBeItsRemainder) {
  const auto& sell = order_where("OPEN", "SELL");
  const auto remainder = sell.size - sell.filled_size;
  auto& o = mutable_order(sell.order_id);
  o.reserved_size -= 1;
  const auto found = audit_account(stored.rows);
  ASSERT_EQ(found.size(), 2u) << describe(found);
  EXPECT_TRUE(contains(found, "reservations.sell_remainder", remainder, remainder - 1)) << describe(found);
  const auto position_reserved = open_yes_position().reserved_size;
  EXPECT_TRUE(contains(found, "reservations.position_reserved_size", position_reserved - 1, position_reserved))
      << describe(found);
}

TEST_F(TradedAccount, OrderTotalsMustBeTheSumsOfItsFills) {
  const auto filled = order_where("FILLED", "BUY");
  auto& o = mutable_order(filled.order_id);
  o.filled_size -= 1;
  o.fees += 2;
  o.filled_notional += 3;
  const auto found = audit_account(stored.rows);
  ASSERT_EQ(found.size(), 3u) << describe(found);
  EXPECT_TRUE(contains(found, "orders.filled_size", filled.filled_size, filled.filled_size - 1));
  EXPECT_TRUE(contains(found, "orders.fees", filled.fees, filled.fees + 2));
  EXPECT_TRUE(contains(found, "orders.filled_notional", filled.filled_notional, filled.filled_notional + 3));
}

TEST_F(TradedAccount, OpenOrderCountMustMatch) {
  const auto count = stored.rows.account.open_orders_count;
  ASSERT_EQ(count, 3);
  stored.rows.account.open_orders_count = 2;
  expect_only(audit_account(stored.rows), "orders.open_count", 3, 2);
}

TEST_F(TradedAccount, PositionSizeAndCostAreReplayedFromFills) {
  auto& p = open_yes_position();
  const auto size = p.size;
  p.size += 1'000'000;
  expect_only(audit_account(stored.rows), "positions.size", size, size + 1'000'000);
  p.size = size;
  const auto cost = p.cost_basis;
  p.cost_basis -= 7;
  expect_only(audit_account(stored.rows), "positions.cost_basis", cost, cost - 7);
}

TEST_F(TradedAccount, EpochFiguresAreSumsOverFills) {
  const auto realized = stored.rows.account.realized_pnl;
  const auto fees = stored.rows.account.fees_paid;
  ASSERT_GT(fees, 0);
  stored.rows.account.realized_pnl += 11;
  expect_only(audit_account(stored.rows), "figures.realized_pnl", realized, realized + 11);
  stored.rows.account.realized_pnl = realized;
  stored.rows.account.fees_paid = 0;
  expect_only(audit_account(stored.rows), "figures.fees_paid", fees, 0);
}

TEST_F(TradedAccount, LedgerSequenceMustHaveNoGaps) {
  ASSERT_GT(stored.rows.ledger.size(), 4u);
  stored.rows.ledger[3].seq = 10;
  expect_only(audit_account(stored.rows), "ledger.seq", 4, 10);
}

TEST_F(TradedAccount, LastBalanceAfterMustBeTheSumOfAmounts) {
  auto& last = stored.rows.ledger.back();
  const auto balance = last.balance_after;
  last.balance_after += 9;
  expect_only(audit_account(stored.rows), "ledger.balance_after", balance, balance + 9);
}

TEST_F(TradedAccount, EveryFillHasItsTradeAndFeeEntries) {
  const auto fill = stored.rows.fills.front();
  ASSERT_GT(fill.fee, 0);
  std::erase_if(stored.rows.ledger,
                [&](const auto& e) { return e.type == "fee" && e.trade_id == std::optional(fill.trade_id); });
  const auto found = audit_account(stored.rows);
  EXPECT_TRUE(contains(found, "ledger.fee_entry", -fill.fee, 0)) << describe(found);
}

TEST_F(TradedAccount, LedgerEntryWithoutItsFillIsAnOrphan) {
  auto entry = stored.rows.ledger.back();
  entry.seq += 1;
  entry.trade_id = "ghost";
  entry.amount = 0;
  stored.rows.ledger.push_back(entry);
  expect_only(audit_account(stored.rows), "ledger.orphan", 0, 0);
}

TEST_F(TradedAccount, FillOfAnUnknownOrderIsReported) {
  stored.rows.fills.back().order_id = "ghost";
  const auto found = audit_account(stored.rows);
  EXPECT_TRUE(contains(found, "fills.order", 1, 0)) << describe(found);
}

TEST_F(TradedAccount, FillPositionSizeAfterIsReplayed) {
  auto& fill = stored.rows.fills.front();
  const auto after = fill.position_size_after;
  fill.position_size_after += 1;
  expect_only(audit_account(stored.rows), "fills.position_size_after", after, after + 1);
}

TEST_F(TradedAccount, SecondOpenPositionOnATokenIsReported) {
  auto copy = open_yes_position();
  copy.position_id = "dup";
  stored.rows.positions.push_back(copy);
  const auto found = audit_account(stored.rows);
  EXPECT_TRUE(contains(found, "positions.open_duplicate", 1, 2)) << describe(found);
}

TEST(LedgerAudit, SettlementResetAndANewEpochPass) {
  EngineFixture f;
  StoredRows stored(f.state.account);
  const auto step = [&](const std::function<void(store::WriteSet&)>& run) {
    store::WriteSet w;
    run(w);
    stored.absorb(w);
  };
  step([&](store::WriteSet& w) { f.push_yes(levels({{"0.55", "300"}}), levels({{"0.56", "300"}}), &w); });
  step([&](store::WriteSet& w) { ASSERT_FALSE(f.place(f.market_order(Side::Buy, "100"), &w).error); });
  auto no = f.market_order(Side::Buy, "30");
  no.outcome = Outcome::No;
  step([&](store::WriteSet& w) { ASSERT_FALSE(f.place(no, &w).error); });
  auto m = f.market;
  m.status = "resolved";
  m.resolution = "NO";
  f.board.put_market(m);
  step([&](store::WriteSet& w) { settle_market(f.state, m, f.ctx(), w); });
  ASSERT_EQ(stored.rows.settlements.size(), 2u);
  EXPECT_EQ(describe(audit_account(stored.rows)), "");

  // A reset starts epoch 1; trading in a new market there is checked against epoch 1 only.
  step([&](store::WriteSet& w) { ASSERT_EQ(reset_account(f.state, f.ctx(), w).step, LifecycleStep::Completed); });
  f.market.id = "m-snow";
  f.market.yes_token_id = "t-snow-yes";
  f.market.no_token_id = "t-snow-no";
  f.board.put_market(f.market);
  step([&](store::WriteSet& w) { f.push_yes(levels({{"0.40", "300"}}), levels({{"0.41", "300"}}), &w); });
  step([&](store::WriteSet& w) { ASSERT_FALSE(f.place(f.market_order(Side::Buy, "50"), &w).error); });
  ASSERT_EQ(stored.rows.account.reset_count, 1);
  EXPECT_EQ(describe(audit_account(stored.rows)), "");

  // A settlement that paid out less than its size is caught against the replayed holding.
  auto& settlement = stored.rows.settlements.front();
  const auto size = settlement.size;
  settlement.size -= 1;
  const auto found = audit_account(stored.rows);
  EXPECT_TRUE(contains(found, "settlements.size", size, size - 1)) << describe(found);
}

// Random sessions (as engine_properties_test's) over the stored rows: no false alarms.
TEST(LedgerAudit, RandomSessionsVerifyClean) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    EngineFixture f;
    StoredRows stored(f.state.account);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 300; ++i) {
      store::WriteSet w;
      const int op = static_cast<int>(rng() % 100);
      if (op < 25) {
        const std::int64_t bid = 10'000 * static_cast<std::int64_t>(5 + rng() % 85);
        const std::int64_t ask = bid + 10'000 * static_cast<std::int64_t>(1 + rng() % 3);
        f.now += 1'000'000;
        f.push_yes({{bid, 200'000'000}, {bid - 10'000, 300'000'000}}, {{ask, 150'000'000}, {ask + 10'000, 400'000'000}},
                   &w);
      } else if (op < 85) {
        const auto r = random_order(f, rng);
        place_order(f.state, r, f.ctx(), w);
      } else if (op < 95) {
        if (!f.state.open_orders.empty()) cancel_order(f.state, f.state.open_orders.begin()->first, "user", f.ctx(), w);
      } else {
        while (reset_account(f.state, f.ctx(), w).step == LifecycleStep::OrdersRemain) {
        }
      }
      stored.absorb(w);
    }
    ASSERT_FALSE(stored.rows.fills.empty());
    EXPECT_EQ(describe(audit_account(stored.rows)), "");
    auto m = f.market;
    m.status = "resolved";
    m.resolution = "YES";
    f.board.put_market(m);
    store::WriteSet w;
    settle_market(f.state, m, f.ctx(), w);
    stored.absorb(w);
    EXPECT_EQ(describe(audit_account(stored.rows)), "");
  }
}

}  // namespace
}  // namespace polysim::engine
