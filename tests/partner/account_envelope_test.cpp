// The account-state envelope (10-partner-api.md §7) rendered from a valued account with a
// position: every position field, and the identities between the totals.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/json_writer.hpp"
#include "engine/account_view.hpp"
#include "../engine/engine_fixture.hpp"
#include "partner/account_envelope.hpp"

namespace polysim::partner {
namespace {

TEST(AccountEnvelope, ShowsPositionsAndTheirValue) {
  engine::testing::EngineFixture f;
  f.push_example_book();
  ASSERT_FALSE(f.place(f.market_order(engine::Side::Buy, "250")).error);
  std::vector<store::PositionRecord> open;
  for (const auto& [token, p] : f.state.positions) open.push_back(p);
  const auto view = engine::view_account(f.state.account, open, f.board, f.now);

  std::string body;
  JsonWriter w(body);
  write_account_envelope(w, view, EnvelopeOptions{});
  const auto json = boost::json::parse(body).as_object();
  EXPECT_EQ(json.at("positions_value").as_string(), "137.50");
  EXPECT_EQ(json.at("equity").as_string(), "9992.92975");
  EXPECT_EQ(json.at("unrealized_pnl").as_string(), "-4.00");
  EXPECT_EQ(json.at("drawdown").as_string(), "7.07025");
  EXPECT_EQ(json.at("drawdown_pct").as_string(), "0.0707");
  EXPECT_EQ(json.at("realized_pnl").as_string(), "-3.07025");  // the fee
  EXPECT_EQ(json.at("positions_count").as_int64(), 1);
  const auto& p = json.at("positions").as_array().at(0).as_object();
  EXPECT_EQ(p.at("market_id").as_string(), "m-rain");
  EXPECT_EQ(p.at("market_slug").as_string(), "rain-london-2026-12-01");
  EXPECT_EQ(p.at("outcome").as_string(), "YES");
  EXPECT_EQ(p.at("size").as_string(), "250");
  EXPECT_EQ(p.at("cost_basis").as_string(), "141.50");
  EXPECT_EQ(p.at("avg_entry_price").as_string(), "0.566000");
  EXPECT_EQ(p.at("mark_price").as_string(), "0.5500");
  EXPECT_EQ(p.at("mark_source").as_string(), "best_bid");
  EXPECT_EQ(p.at("market_value").as_string(), "137.50");
  EXPECT_EQ(p.at("unrealized_pnl").as_string(), "-4.00");

  // Omitted in list items, still counted.
  std::string item;
  JsonWriter iw(item);
  EnvelopeOptions list_item;
  list_item.include_positions = false;
  write_account_envelope(iw, view, list_item);
  const auto listed = boost::json::parse(item).as_object();
  EXPECT_FALSE(listed.contains("positions"));
  EXPECT_EQ(listed.at("positions_count").as_int64(), 1);
}

}  // namespace
}  // namespace polysim::partner
