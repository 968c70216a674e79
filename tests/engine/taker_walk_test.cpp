// The taker walk against the worked examples of 40-trading-engine.md §5.7, to the micro.
#include "engine/taker_walk.hpp"

#include <gtest/gtest.h>

namespace polysim::engine {
namespace {

constexpr std::int64_t kShare = 1'000'000;
constexpr std::int64_t kWeatherBps = 500;

// rain-london-2026-12-01, YES seq 41.
const std::vector<BookLevel> kAsks = {{560'000, 100 * kShare}, {570'000, 200 * kShare}, {580'000, 500 * kShare}};
const std::vector<BookLevel> kBids = {{550'000, 300 * kShare}, {540'000, 400 * kShare}, {530'000, 500 * kShare}};

TakerOrder buy(std::int64_t shares, std::int64_t worst, bool fok = true) {
  TakerOrder o;
  o.side = Side::Buy;
  o.size = shares * kShare;
  o.bound = worst;
  o.fill_or_kill = fok;
  o.fee_bps = kWeatherBps;
  return o;
}

TEST(EngineTakerWalk, ExampleAWalksTwoLevelsWithFees) {
  auto walk = walk_book(buy(250, 580'000), kAsks);
  ASSERT_EQ(walk.outcome, WalkOutcome::Filled);
  ASSERT_EQ(walk.fills.size(), 2u);
  EXPECT_EQ(walk.fills[0].price, 560'000);
  EXPECT_EQ(walk.fills[0].size, 100 * kShare);
  EXPECT_EQ(walk.fills[0].notional, 56'000'000);
  EXPECT_EQ(walk.fills[0].fee, 1'232'000);
  EXPECT_EQ(walk.fills[1].price, 570'000);
  EXPECT_EQ(walk.fills[1].size, 150 * kShare);
  EXPECT_EQ(walk.fills[1].notional, 85'500'000);
  EXPECT_EQ(walk.fills[1].fee, 1'838'250);
  EXPECT_EQ(walk.notional, 141'500'000);
  EXPECT_EQ(walk.fees, 3'070'250);
  // Cash after: 10,000 − 141.50 − 3.07025 = 9,855.42975.
  EXPECT_EQ(10'000 * kShare - walk.notional - walk.fees, 9'855'429'750);
}

TEST(EngineTakerWalk, ExampleADepletionOnTheSameSnapshot) {
  // What A took on seq 41: all of 0.56, 150 of 0.57.
  const std::vector<std::int64_t> taken = {100 * kShare, 150 * kShare};
  auto walk = walk_book(buy(200, 580'000), kAsks, taken);
  ASSERT_EQ(walk.outcome, WalkOutcome::Filled);
  ASSERT_EQ(walk.fills.size(), 2u);
  EXPECT_EQ(walk.fills[0].price, 570'000);
  EXPECT_EQ(walk.fills[0].size, 50 * kShare);
  EXPECT_EQ(walk.fills[1].price, 580'000);
  EXPECT_EQ(walk.fills[1].size, 150 * kShare);
  // Another account sees the whole book.
  EXPECT_EQ(walk_book(buy(100, 580'000), kAsks).fills.at(0).price, 560'000);
}

TEST(EngineTakerWalk, ExampleBFeeRoundsUpOnce) {
  EXPECT_EQ(fill_fee(500, 3 * kShare, 333'000), 33'317);  // exact 0.03331665
  EXPECT_EQ(fill_fee(0, 3 * kShare, 333'000), 0);
}

TEST(EngineTakerWalk, ExampleCNotionalBuySpendsTheBudget) {
  TakerOrder o;
  o.side = Side::Buy;
  o.notional = 100 * kShare;
  o.bound = 580'000;
  o.fee_bps = kWeatherBps;
  auto walk = walk_book(o, kAsks);
  ASSERT_EQ(walk.outcome, WalkOutcome::Filled);
  ASSERT_EQ(walk.fills.size(), 2u);
  EXPECT_EQ(walk.fills[1].size, 73'452'349);
  EXPECT_EQ(walk.fills[1].notional, 41'867'839);
  EXPECT_EQ(walk.fills[1].fee, 900'159);
  EXPECT_EQ(walk.filled_size, 173'452'349);
  EXPECT_EQ(walk.notional + walk.fees, 99'999'998);
}

TEST(EngineTakerWalk, FillOrKillAndFillAndKill) {
  EXPECT_EQ(walk_book(buy(350, 570'000), kAsks).outcome, WalkOutcome::FokNotFilled);
  EXPECT_TRUE(walk_book(buy(350, 570'000), kAsks).fills.empty());
  auto fak = walk_book(buy(350, 570'000, false), kAsks);
  EXPECT_EQ(fak.outcome, WalkOutcome::PartiallyFilled);
  EXPECT_EQ(fak.filled_size, 300 * kShare);
  EXPECT_EQ(walk_book(buy(10, 550'000), kAsks).outcome, WalkOutcome::NoExecutableDepth);
  EXPECT_EQ(walk_book(buy(0, 580'000), kAsks).outcome, WalkOutcome::AmountOutOfRange);
}

TEST(EngineTakerWalk, SellWalksBidsAndRoundsProceedsDown) {
  TakerOrder o;
  o.side = Side::Sell;
  o.size = 350 * kShare + 1;  // a micro-share into the second level
  o.bound = 540'000;
  o.fee_bps = kWeatherBps;
  auto walk = walk_book(o, kBids);
  ASSERT_EQ(walk.outcome, WalkOutcome::Filled);
  ASSERT_EQ(walk.fills.size(), 2u);
  EXPECT_EQ(walk.fills[0].notional, 165'000'000);
  EXPECT_EQ(walk.fills[1].size, 50 * kShare + 1);
  // 0.54 × 50.000001 = 27.00000054 → proceeds 27.000000 (down).
  EXPECT_EQ(walk.fills[1].notional, 27'000'000);
}

TEST(EngineTakerWalk, SameInputsSameFills) {
  auto a = walk_book(buy(250, 580'000), kAsks);
  auto b = walk_book(buy(250, 580'000), kAsks);
  ASSERT_EQ(a.fills.size(), b.fills.size());
  for (std::size_t i = 0; i < a.fills.size(); ++i) {
    EXPECT_EQ(a.fills[i].size, b.fills[i].size);
    EXPECT_EQ(a.fills[i].fee, b.fills[i].fee);
  }
}

}  // namespace
}  // namespace polysim::engine
