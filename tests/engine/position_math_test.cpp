// Average cost, realized P&L net of fees and the mark rule, against the account example of
// 40-trading-engine.md §7.4 (account A of §5.7, $10,000), to the micro.
#include "engine/position_math.hpp"

#include <gtest/gtest.h>

#include "engine/taker_walk.hpp"

namespace polysim::engine {
namespace {

constexpr std::int64_t kShare = 1'000'000;
constexpr std::int64_t kStart = 10'000 * kShare;

TEST(EnginePositions, TheAccountExampleStepByStep) {
  // Step 1: buys 250 YES across 0.56 and 0.57 (example A).
  PositionState yes;
  std::int64_t cash = kStart;
  for (auto [price, size, notional, fee] : {std::tuple{560'000, 100, 56'000'000, 1'232'000},
                                            std::tuple{570'000, 150, 85'500'000, 1'838'250}}) {
    (void)price;
    auto change = apply_buy(yes, size * kShare, notional, fee);
    ASSERT_TRUE(change);
    EXPECT_EQ(change->realized_pnl, -fee);
    yes = change->after;
    cash -= notional + fee;
  }
  EXPECT_EQ(cash, 9'855'429'750);
  EXPECT_EQ(yes.cost_basis, 141'500'000);
  EXPECT_EQ(average_entry_price(yes), 566'000);
  auto equity_at = [&](std::int64_t bid) {
    const auto mark = mark_of(std::nullopt, bid, std::nullopt, yes);
    EXPECT_EQ(mark.source, MarkSource::BestBid);
    return cash + *market_value(yes.size, mark.price);
  };
  EXPECT_EQ(equity_at(550'000), 9'992'929'750);   // 137.50 of positions
  EXPECT_EQ(equity_at(620'000), 10'010'429'750);  // step 2
  EXPECT_EQ(equity_at(500'000), 9'980'429'750);   // step 3

  // Step 4: market SELL 100 at 0.50: proceeds 50.00, fee 1.25, cost released 56.60.
  const auto fee = *fill_fee(500, 100 * kShare, 500'000);
  EXPECT_EQ(fee, 1'250'000);
  auto sold = apply_sell(yes, 100 * kShare, 50'000'000, fee);
  ASSERT_TRUE(sold);
  EXPECT_EQ(sold->released, 56'600'000);
  EXPECT_EQ(sold->realized_pnl, -7'850'000);
  yes = sold->after;
  cash += 50'000'000 - fee;
  EXPECT_EQ(cash, 9'904'179'750);
  EXPECT_EQ(yes.realized_pnl, -10'920'250);
  const auto value = *market_value(yes.size, 500'000);
  EXPECT_EQ(value, 75'000'000);
  EXPECT_EQ(value - yes.cost_basis, -9'900'000);  // unrealized
  // The equity identity: starting balance + realized + unrealized.
  EXPECT_EQ(cash + value, kStart + yes.realized_pnl + (value - yes.cost_basis));
  EXPECT_EQ(cash + value, 9'979'179'750);

  // Step 5: resolves YES; before settlement the mark is the resolution value, then payout 150.00.
  EXPECT_EQ(mark_of(kShare, 500'000, std::nullopt, yes).source, MarkSource::Resolution);
  auto settled = apply_settlement(yes, 150'000'000);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->realized_pnl, 65'100'000);
  cash += 150'000'000;
  EXPECT_EQ(cash, 10'054'179'750);
  EXPECT_EQ(settled->after.size, 0);
}

TEST(EnginePositions, NoNakedShortsAndTheWholeBasisOnAFullSell) {
  PositionState p{3 * kShare, 1'000'001, 0};
  EXPECT_FALSE(apply_sell(p, 3 * kShare + 1, 1, 0));
  EXPECT_FALSE(apply_sell(PositionState{}, 1, 1, 0));
  auto part = apply_sell(p, kShare, 400'000, 0);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->released, 333'334);  // ceil(1.000001 / 3)
  auto rest = apply_sell(part->after, 2 * kShare, 800'000, 0);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->released, 666'667);  // all that is left
  EXPECT_EQ(rest->after.cost_basis, 0);
}

TEST(EnginePositions, TheMarkRuleFallsBackInOrder) {
  PositionState p{10 * kShare, 5'600'000, 0};
  EXPECT_EQ(mark_of(std::nullopt, 550'000, 540'000, p).source, MarkSource::BestBid);
  auto last = mark_of(std::nullopt, std::nullopt, 540'000, p);
  EXPECT_EQ(last.source, MarkSource::LastBid);
  EXPECT_EQ(last.price, 540'000);
  auto entry = mark_of(std::nullopt, std::nullopt, std::nullopt, p);
  EXPECT_EQ(entry.source, MarkSource::Entry);
  EXPECT_EQ(entry.price, 560'000);
  EXPECT_EQ(mark_source_name(MarkSource::LastBid), "last_bid");
}

}  // namespace
}  // namespace polysim::engine
