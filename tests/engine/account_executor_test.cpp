// The worked examples of 40-trading-engine.md (§5.7 A–D, §7.4, §8, §9) through the account
// executor, with the spec's exact decimals.
#include <gtest/gtest.h>

#include "engine/account_executor.hpp"
#include "engine_fixture.hpp"

namespace polysim::engine {
namespace {

using namespace testing;

TEST(AccountExecutor, ExampleAMarketBuyWalksTwoLevels) {
  EngineFixture f;
  f.push_example_book();
  store::WriteSet out;
  auto r = f.place(f.market_order(Side::Buy, "250", "0.58"), &out);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(text(r.fills[0].price), "0.56");
  EXPECT_EQ(text(r.fills[0].size), "100");
  EXPECT_EQ(text(r.fills[0].fee), "1.232");
  EXPECT_EQ(text(r.fills[1].price), "0.57");
  EXPECT_EQ(text(r.fills[1].size), "150");
  EXPECT_EQ(text(r.fills[1].notional), "85.5");
  EXPECT_EQ(text(r.fills[1].fee), "1.83825");
  EXPECT_EQ(r.order->status, "FILLED");
  EXPECT_EQ(text(r.order->filled_notional), "141.5");
  EXPECT_EQ(text(r.order->fees), "3.07025");
  EXPECT_EQ(text(f.state.account.cash), "9855.42975");
  EXPECT_EQ(r.fills[0].filled_at, r.fills[1].filled_at);
  EXPECT_LT(r.fills[0].trade_id, r.fills[1].trade_id);
  // Trade and fee entries per fill; the balance follows cash.
  ASSERT_EQ(out.ledger.size(), 4u);
  EXPECT_EQ(out.ledger.back().balance_after, f.state.account.cash);
  ASSERT_EQ(out.snapshots.size(), 1u);
  EXPECT_EQ(out.snapshots[0].reason, "fill");

  // The same snapshot, depleted for A only: 50 left at 0.57, then 0.58.
  auto again = f.place(f.market_order(Side::Buy, "200", "0.58"));
  ASSERT_FALSE(again.error);
  ASSERT_EQ(again.fills.size(), 2u);
  EXPECT_EQ(text(again.fills[0].size), "50");
  EXPECT_EQ(text(again.fills[0].price), "0.57");
  EXPECT_EQ(text(again.fills[1].size), "150");
  EXPECT_EQ(text(again.fills[1].price), "0.58");

  // Another account on the same snapshot still sees the full book.
  AccountState b = f.state;
  b.account.id = "acct-b";
  b.account.cash = usd("10000");
  b.positions.clear();
  b.depletion.clear();
  store::WriteSet scratch;
  auto rb = place_order(b, f.market_order(Side::Buy, "100", "0.58"), f.ctx(), scratch);
  ASSERT_FALSE(rb.error);
  EXPECT_EQ(text(rb.fills[0].price), "0.56");
  EXPECT_EQ(text(rb.fills[0].size), "100");
}

TEST(AccountExecutor, ExampleCNotionalBuySpendsTheBudget) {
  EngineFixture f;
  f.push_example_book();
  auto r = f.market_order(Side::Buy, "1");
  r.size.reset();
  r.notional = usd("100");
  auto result = f.place(r);
  ASSERT_FALSE(result.error) << result.error->message;
  ASSERT_EQ(result.fills.size(), 2u);
  EXPECT_EQ(text(result.fills[1].size), "73.452349");
  EXPECT_EQ(text(result.fills[1].notional), "41.867839");
  EXPECT_EQ(text(result.fills[1].fee), "0.900159");
  EXPECT_EQ(text(result.order->size), "173.452349");
  EXPECT_EQ(text(result.order->filled_notional + result.order->fees), "99.999998");
  EXPECT_EQ(result.order->status, "FILLED");
}

TEST(AccountExecutor, ExampleDRestingBuyFillsAtItsLimitAsBooksCross) {
  EngineFixture f;
  f.push_example_book();
  auto r = f.place(f.limit_order(Side::Buy, "200", "0.53"));
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.order->status, "OPEN");
  EXPECT_TRUE(r.fills.empty());
  EXPECT_EQ(text(f.state.account.reserved), "106");
  EXPECT_EQ(text(f.state.account.cash), "9894");

  store::WriteSet out;
  f.push_yes(levels({{"0.51", "100"}}), levels({{"0.52", "80"}, {"0.53", "50"}, {"0.55", "300"}}), &out);
  ASSERT_EQ(out.fills.size(), 1u);
  EXPECT_EQ(out.fills[0].liquidity, "maker");
  EXPECT_EQ(text(out.fills[0].price), "0.53");
  EXPECT_EQ(text(out.fills[0].size), "130");
  EXPECT_EQ(text(out.fills[0].notional), "68.9");
  EXPECT_EQ(out.fills[0].fee, 0);
  EXPECT_EQ(text(f.state.account.reserved), "37.1");

  store::WriteSet out2;
  f.push_yes(levels({{"0.52", "100"}}), levels({{"0.53", "500"}}), &out2);
  ASSERT_EQ(out2.fills.size(), 1u);
  EXPECT_EQ(text(out2.fills[0].size), "70");
  EXPECT_EQ(text(out2.fills[0].notional), "37.1");
  EXPECT_EQ(f.state.account.reserved, 0);
  EXPECT_TRUE(f.state.open_orders.empty());
  EXPECT_EQ(text(f.state.account.cash), "9894");
  ASSERT_FALSE(out2.orders.empty());
  EXPECT_EQ(out2.orders.back().status, "FILLED");
}

TEST(AccountExecutor, SectionSevenFourEquityDrawdownAndSettlement) {
  EngineFixture f;
  f.push_example_book();
  ASSERT_FALSE(f.place(f.market_order(Side::Buy, "250", "0.58")).error);
  auto v = f.value();
  EXPECT_EQ(text(v.positions_value), "137.5");
  EXPECT_EQ(text(v.equity), "9992.92975");
  EXPECT_EQ(text(f.state.account.peak_equity - v.equity), "7.07025");
  EXPECT_EQ(format_fixed(drawdown_pct_micros(f.state.account.peak_equity - v.equity, f.state.account.peak_equity), 4,
                         Rounding::HalfUp),
            "0.0707");

  f.push_yes(levels({{"0.62", "300"}}), levels({{"0.63", "300"}}));
  store::WriteSet scratch;
  revalue(f.state, f.ctx(), scratch, std::nullopt);
  EXPECT_EQ(text(f.value().equity), "10010.42975");
  EXPECT_EQ(text(f.state.account.peak_equity), "10010.42975");

  f.push_yes(levels({{"0.50", "300"}}), levels({{"0.51", "300"}}));
  revalue(f.state, f.ctx(), scratch, std::nullopt);
  v = f.value();
  EXPECT_EQ(text(v.equity), "9980.42975");
  EXPECT_EQ(text(f.state.account.peak_equity - v.equity), "30");
  EXPECT_EQ(format_fixed(f.state.account.max_drawdown_pct_micros, 4, Rounding::HalfUp), "0.2997");

  auto sell = f.place(f.market_order(Side::Sell, "100", "0.50"));
  ASSERT_FALSE(sell.error) << sell.error->message;
  ASSERT_EQ(sell.fills.size(), 1u);
  EXPECT_EQ(text(sell.fills[0].notional), "50");
  EXPECT_EQ(text(sell.fills[0].fee), "1.25");
  EXPECT_EQ(text(f.state.account.cash), "9904.17975");
  EXPECT_EQ(text(f.state.account.realized_pnl), "-10.92025");
  v = f.value();
  EXPECT_EQ(text(v.unrealized_pnl), "-9.9");
  EXPECT_EQ(text(v.equity), "9979.17975");
  EXPECT_EQ(text(f.state.account.peak_equity - v.equity), "31.25");

  auto m = f.market;
  m.status = "resolved";
  m.resolution = "YES";
  f.board.put_market(m);
  store::WriteSet out;
  settle_market(f.state, m, f.ctx(), out);
  ASSERT_EQ(out.settlements.size(), 1u);
  EXPECT_EQ(text(out.settlements[0].amount), "150");
  EXPECT_EQ(text(out.settlements[0].realized_pnl), "65.1");
  EXPECT_TRUE(out.fills.empty());
  EXPECT_EQ(text(f.state.account.cash), "10054.17975");
  EXPECT_TRUE(f.state.positions.empty());
  EXPECT_EQ(text(f.state.account.peak_equity), "10054.17975");
  EXPECT_EQ(out.ledger.back().type, "settlement");
}

TEST(AccountExecutor, ChecksAnswerInTheSpecsOrder) {
  EngineFixture f;
  f.push_example_book();
  auto limit = f.limit_order(Side::Buy, "10", "0.555");
  EXPECT_EQ(f.place(limit).error->code, EngineCode::InvalidTickSize);
  limit.limit_price = px("0.995");
  EXPECT_EQ(f.place(limit).error->code, EngineCode::InvalidPrice);
  auto tiny = f.limit_order(Side::Buy, "4", "0.50");
  EXPECT_EQ(f.place(tiny).error->code, EngineCode::InvalidMinSize);
  auto naked = f.market_order(Side::Sell, "10");
  EXPECT_EQ(f.place(naked).error->code, EngineCode::InsufficientPosition);
  EngineFixture poor;
  poor.state.account.cash = usd("100");
  poor.push_example_book();
  auto result = poor.place(poor.market_order(Side::Buy, "600", "0.58"));  // depth exists, cash does not
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, EngineCode::InsufficientBalance);
  EXPECT_EQ(poor.state.account.cash, usd("100"));
  auto fok = f.market_order(Side::Buy, "900", "0.58");
  EXPECT_EQ(f.place(fok).error->code, EngineCode::FokNotFilled);
  auto none = f.market_order(Side::Buy, "10", "0.55");
  EXPECT_EQ(f.place(none).error->code, EngineCode::NoExecutableDepth);
  auto post = f.limit_order(Side::Buy, "10", "0.56");
  post.post_only = true;
  EXPECT_EQ(f.place(post).error->code, EngineCode::PostOnlyWouldCross);
  EXPECT_TRUE(f.state.open_orders.empty());
  EXPECT_EQ(f.state.account.cash, usd("10000"));
}

// §4.2: "first failing check answers": each order below fails two checks, and the one earlier
// in the table must answer.
TEST(AccountExecutor, TheEarlierOfTwoFailingChecksAnswers) {
  auto code_of = [](EngineFixture& f, const OrderRequest& r) {
    auto result = f.place(r);
    EXPECT_TRUE(result.error);
    return result.error ? result.error->code : EngineCode::ValidationFailed;
  };
  {  // 4 account active before 7 market open
    EngineFixture f;
    f.push_example_book();
    f.state.account.status = "closed";
    auto closed_market = f.market;
    closed_market.status = "closed";
    f.board.put_market(closed_market);
    EXPECT_EQ(code_of(f, f.market_order(Side::Buy, "10")), EngineCode::AccountClosed);
  }
  {  // 5 no pending action before 6 market exists
    EngineFixture f;
    f.state.account.pending_action = "close";
    auto order = f.market_order(Side::Buy, "10");
    order.market = "no-such-market";
    EXPECT_EQ(code_of(f, order), EngineCode::AccountBusy);
  }
  {  // 7 market open before 9 price range
    EngineFixture f;
    auto closed_market = f.market;
    closed_market.status = "closed";
    f.board.put_market(closed_market);
    EXPECT_EQ(code_of(f, f.limit_order(Side::Buy, "10", "0.995")), EngineCode::MarketClosed);
  }
  EngineFixture f;
  f.push_example_book();
  // 9 price range before 10 tick grid (0.995 fails both)
  EXPECT_EQ(code_of(f, f.limit_order(Side::Buy, "10", "0.995")), EngineCode::InvalidPrice);
  // 10 tick grid before 11 minimum size
  EXPECT_EQ(code_of(f, f.limit_order(Side::Buy, "4", "0.555")), EngineCode::InvalidTickSize);
  // 11 minimum size before 13 no naked shorts
  EXPECT_EQ(code_of(f, f.market_order(Side::Sell, "4")), EngineCode::InvalidMinSize);
  // 15 post-only before 17 balance
  EngineFixture poor;
  poor.state.account.cash = usd("1");
  poor.push_example_book();
  auto post = poor.limit_order(Side::Buy, "100", "0.56");
  post.post_only = true;
  EXPECT_EQ(code_of(poor, post), EngineCode::PostOnlyWouldCross);
  EXPECT_TRUE(f.state.open_orders.empty());
  EXPECT_EQ(f.state.account.cash, usd("10000"));
}

TEST(AccountExecutor, FakKeepsWhatFilledAndCancelsTheRest) {
  EngineFixture f;
  f.push_example_book();
  auto r = f.market_order(Side::Buy, "900", "0.58");
  r.time_in_force = TimeInForce::Fak;
  auto result = f.place(r);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.order->status, "CANCELLED");
  EXPECT_EQ(result.order->end_reason, "fak_remainder");
  EXPECT_EQ(text(result.order->filled_size), "800");
}

TEST(AccountExecutor, StaleBooksRefuseMarketOrdersAndRestLimits) {
  EngineFixture f;
  auto m = f.market;
  m.stale_after_s = 30;
  f.board.put_market(m);
  f.push_example_book();
  f.now += 31'000'000;
  EXPECT_EQ(f.place(f.market_order(Side::Buy, "10")).error->code, EngineCode::StaleQuote);
  auto crossing = f.place(f.limit_order(Side::Buy, "10", "0.60"));
  ASSERT_FALSE(crossing.error);
  EXPECT_EQ(crossing.order->status, "OPEN");
  EXPECT_TRUE(crossing.fills.empty());
}

TEST(AccountExecutor, ClientOrderIdReplaysOrConflicts) {
  EngineFixture f;
  f.push_example_book();
  auto r = f.market_order(Side::Buy, "10", "0.58");
  r.client_order_id = "bot-1";
  auto first = f.place(r);
  ASSERT_FALSE(first.error);
  auto again = f.place(r);
  ASSERT_FALSE(again.error);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.order->order_id, first.order->order_id);
  EXPECT_TRUE(again.fills.empty());
  r.size = shares("11");
  EXPECT_EQ(f.place(r).error->code, EngineCode::DuplicateClientOrderId);
}

TEST(AccountExecutor, CloseAndResetCancelAtMostOneHundredOrdersPerCall) {
  EngineFixture f;
  f.push_example_book();
  for (int i = 0; i < 250; ++i) ASSERT_FALSE(f.place(f.limit_order(Side::Buy, "5", "0.10")).error);
  ASSERT_FALSE(f.place(f.market_order(Side::Buy, "100", "0.58")).error);
  store::WriteSet out;
  auto first = reset_account(f.state, f.ctx(), out);
  EXPECT_EQ(first.step, LifecycleStep::OrdersRemain);
  EXPECT_EQ(first.cancelled, 100);
  EXPECT_EQ(first.remaining, 150);
  EXPECT_EQ(f.state.account.pending_action, "reset");
  EXPECT_EQ(f.place(f.market_order(Side::Buy, "5", "0.58")).error->code, EngineCode::AccountBusy);
  EXPECT_EQ(reset_account(f.state, f.ctx(), out).step, LifecycleStep::OrdersRemain);
  auto last = reset_account(f.state, f.ctx(), out);
  EXPECT_EQ(last.step, LifecycleStep::Completed);
  EXPECT_EQ(f.state.account.cash, usd("10000"));
  EXPECT_EQ(f.state.account.reserved, 0);
  EXPECT_EQ(f.state.account.reset_count, 1);
  EXPECT_TRUE(f.state.positions.empty());
  EXPECT_FALSE(f.state.account.pending_action);
  EXPECT_EQ(f.value().equity, usd("10000"));
  ASSERT_FALSE(out.positions.empty());
  EXPECT_EQ(out.positions.back().status, "CLOSED_BY_RESET");

  store::WriteSet closing;
  EXPECT_EQ(close_account(f.state, f.ctx(), closing).step, LifecycleStep::Completed);
  EXPECT_EQ(f.state.account.status, "closed");
  EXPECT_EQ(f.place(f.market_order(Side::Buy, "5", "0.58")).error->code, EngineCode::AccountClosed);
  EXPECT_EQ(reset_account(f.state, f.ctx(), closing).step, LifecycleStep::Closed);
  EXPECT_EQ(close_account(f.state, f.ctx(), closing).step, LifecycleStep::AlreadyClosed);
}

}  // namespace
}  // namespace polysim::engine
