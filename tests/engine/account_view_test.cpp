// An account valued at one instant: the §7.4 figures with positions, extremes moved by the
// observation, and a closed account's frozen marks.
#include <gtest/gtest.h>

#include "engine/account_view.hpp"
#include "engine_fixture.hpp"

namespace polysim::engine {
namespace {

using testing::EngineFixture;
using testing::levels;
using testing::text;

std::vector<store::PositionRecord> open_positions(const AccountState& s) {
  std::vector<store::PositionRecord> out;
  for (const auto& [token, p] : s.positions) out.push_back(p);
  return out;
}

TEST(AccountView, ValuesPositionsAtTheBestBidAndMovesExtremes) {
  EngineFixture f;
  f.push_example_book();
  ASSERT_FALSE(f.place(f.market_order(Side::Buy, "250")).error);

  auto v = view_account(f.state.account, open_positions(f.state), f.board, f.now);
  ASSERT_EQ(v.positions.size(), 1u);
  EXPECT_EQ(text(v.positions[0].mark.price), "0.55");
  EXPECT_EQ(v.positions[0].mark.source, MarkSource::BestBid);
  EXPECT_EQ(v.positions[0].market_slug, "rain-london-2026-12-01");
  EXPECT_EQ(text(v.positions_value), "137.5");
  EXPECT_EQ(text(v.equity), "9992.92975");
  EXPECT_EQ(text(v.drawdown), "7.07025");

  // Step 2 of §7.4: the bid rises to 0.62; the observation raises the peak in the view only.
  f.push_yes(levels({{"0.62", "300"}}), levels({{"0.63", "100"}}));
  v = view_account(f.state.account, open_positions(f.state), f.board, f.now);
  EXPECT_EQ(text(v.equity), "10010.42975");
  EXPECT_EQ(text(v.account.peak_equity), "10010.42975");
  EXPECT_EQ(v.drawdown, 0);
  EXPECT_TRUE(moves_extremes(f.state.account, v.account));
  EXPECT_EQ(text(f.state.account.peak_equity), "10000");
  // The identity holds at every valuation.
  EXPECT_EQ(v.equity, v.account.starting_balance + v.account.realized_pnl + v.unrealized_pnl);
}

TEST(AccountView, ClosedAccountKeepsTheMarksOfItsClose) {
  EngineFixture f;
  f.push_example_book();
  ASSERT_FALSE(f.place(f.market_order(Side::Buy, "250")).error);
  store::WriteSet ws;
  auto closed = close_account(f.state, f.ctx(), ws);
  ASSERT_EQ(closed.step, LifecycleStep::Completed);
  ASSERT_EQ(ws.positions.size(), 1u);
  EXPECT_EQ(text(ws.positions[0].mark_at_close.value()), "0.55");
  EXPECT_EQ(ws.positions[0].mark_source_at_close.value(), "best_bid");

  // Later books move nothing: the figures are the close's.
  f.push_yes(levels({{"0.90", "300"}}), levels({{"0.91", "100"}}));
  auto v = view_account(f.state.account, open_positions(f.state), f.board, f.now + 1'000'000);
  ASSERT_EQ(v.positions.size(), 1u);
  EXPECT_EQ(text(v.positions[0].mark.price), "0.55");
  EXPECT_EQ(text(v.equity), "9992.92975");
}

TEST(AccountView, WithEngineColumnsKeepsThePartnersColumns) {
  store::AccountRecord partner_row;
  partner_row.metadata_json = R"({"plan":"10k"})";
  partner_row.cash = 1;
  partner_row.updated_at = 50;
  store::AccountRecord engine_row;
  engine_row.metadata_json = "{}";
  engine_row.cash = 2;
  engine_row.peak_equity = 3;
  engine_row.updated_at = 40;
  auto merged = with_engine_columns(partner_row, engine_row);
  EXPECT_EQ(merged.metadata_json, R"({"plan":"10k"})");
  EXPECT_EQ(merged.cash, 2);
  EXPECT_EQ(merged.peak_equity, 3);
  EXPECT_EQ(merged.updated_at, 50);
}

}  // namespace
}  // namespace polysim::engine
