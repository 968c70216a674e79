// Resting execution against worked example D of 40-trading-engine.md §5.7, and the fee table.
#include "engine/maker_fill.hpp"

#include <gtest/gtest.h>

namespace polysim::engine {
namespace {

constexpr std::int64_t kShare = 1'000'000;

TEST(EngineMakerFill, ExampleDFillsAtItsOwnLimitAndDrainsTheReservation) {
  RestingOrder order{Side::Buy, 530'000, 200 * kShare, 0};
  EXPECT_EQ(buy_reservation(order.limit, order.size), 106'000'000);
  // seq 41 does not reach the limit.
  const std::vector<BookLevel> seq41 = {{560'000, 100 * kShare}};
  EXPECT_FALSE(fill_resting(order, seq41, {}, 0));

  const std::vector<BookLevel> seq42 = {{520'000, 80 * kShare}, {530'000, 50 * kShare}, {550'000, 300 * kShare}};
  auto first = fill_resting(order, seq42, {}, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size, 130 * kShare);  // everything at or through 0.53, at 0.53, never better
  EXPECT_EQ(first->notional, 68'900'000);
  EXPECT_EQ(first->fee, 0);
  EXPECT_EQ(first->buy_reservation, 37'100'000);

  order.filled += first->size;
  const std::vector<BookLevel> seq43 = {{530'000, 500 * kShare}};  // touching counts
  auto second = fill_resting(order, seq43, {}, 0);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->size, 70 * kShare);
  EXPECT_EQ(second->notional, 37'100'000);
  EXPECT_EQ(second->remaining, 0);
  EXPECT_EQ(second->buy_reservation, 0);
}

TEST(EngineMakerFill, PartialFillsTelescopeToTheRoundedTotal) {
  // Uneven partial fills at 0.333, each of whose exact cost has a fraction of a micro: what they
  // pay in total is exactly the reservation of the whole order, because each fill pays the
  // difference of the rounded cumulative cost.
  RestingOrder order{Side::Buy, 333'000, 3 * kShare + 1, 0};
  const std::vector<BookLevel> one = {{333'000, 1 * kShare + 1}};
  std::int64_t paid = 0;
  for (int i = 0; i < 3 && order.filled < order.size; ++i) {
    auto fill = fill_resting(order, one, {}, 0);
    ASSERT_TRUE(fill);
    paid += fill->notional;
    order.filled += fill->size;
  }
  EXPECT_EQ(order.filled, order.size);
  EXPECT_EQ(paid, *buy_reservation(333'000, 3 * kShare + 1));
}

TEST(EngineMakerFill, DepletionOfTheSnapshotLimitsTheFill) {
  RestingOrder order{Side::Sell, 550'000, 100 * kShare, 0};
  const std::vector<BookLevel> bids = {{560'000, 60 * kShare}, {550'000, 60 * kShare}};
  const std::vector<std::int64_t> taken = {60 * kShare, 30 * kShare};
  auto fill = fill_resting(order, bids, taken, 0);
  ASSERT_TRUE(fill);
  EXPECT_EQ(fill->size, 30 * kShare);
  EXPECT_EQ(fill->notional, 16'500'000);
  EXPECT_EQ(fill->buy_reservation, 0);
}

TEST(EngineFees, DefaultTakerRatesByCategory) {
  EXPECT_EQ(default_taker_fee_bps("crypto"), 700);
  for (auto c : {"economics", "culture", "weather", "other", "no-such-category"}) EXPECT_EQ(default_taker_fee_bps(c), 500) << c;
  for (auto c : {"finance", "politics", "mentions", "tech"}) EXPECT_EQ(default_taker_fee_bps(c), 400) << c;
  EXPECT_EQ(default_taker_fee_bps("sports"), 300);
  EXPECT_EQ(default_taker_fee_bps("geopolitics"), 0);
}

}  // namespace
}  // namespace polysim::engine
