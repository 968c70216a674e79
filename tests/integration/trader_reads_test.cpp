// The trader's trading reads through the real binary (20-trader-api.md §9): markets with their
// books, orders and fills with keyset cursors, an account with its positions, equity history.
#include <gtest/gtest.h>

#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

HttpResponse get(const ServerProcess& server, const std::string& target, const Session& s) {
  return send(server, "GET", target, std::nullopt, bearer(s.access_token));
}

TEST(TraderReads, MarketsListFilterPageAndShowBooks) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "rain-a", "Rain in Oslo?");
  create_manual_market(server, "rain-b", "Rain in Bergen?");
  create_manual_market(server, "snow-c", "Snow in Oslo?");
  auto s = sign_up(server, unique_email());

  auto all = get(server, "/api/v1/markets", s);
  ASSERT_EQ(all.status, 200) << all.summary();
  EXPECT_EQ(all.json().at("data").as_array().size(), 3u);

  auto oslo = get(server, "/api/v1/markets?q=oslo&limit=1", s);
  ASSERT_EQ(oslo.status, 200) << oslo.summary();
  const auto first = oslo.json();
  ASSERT_EQ(first.at("data").as_array().size(), 1u);
  EXPECT_EQ(first.at("data").at(0).at("slug").as_string(), "snow-c");  // newest first
  EXPECT_FALSE(first.at("data").at(0).as_object().contains("book"));
  const std::string cursor(first.at("nextCursor").as_string());
  auto second = get(server, "/api/v1/markets?q=oslo&limit=1&cursor=" + cursor, s);
  ASSERT_EQ(second.status, 200) << second.summary();
  EXPECT_EQ(second.json().at("data").at(0).at("slug").as_string(), "rain-a");
  EXPECT_TRUE(second.json().at("nextCursor").is_null());
  // A cursor only works with the filters it was issued for.
  EXPECT_EQ(get(server, "/api/v1/markets?q=rain&limit=1&cursor=" + cursor, s).status, 400);
  EXPECT_EQ(get(server, "/api/v1/markets?status=bogus", s).status, 400);

  auto detail = get(server, "/api/v1/markets/rain-a?depth=1", s);
  ASSERT_EQ(detail.status, 200) << detail.summary();
  const auto m = detail.json();
  EXPECT_EQ(m.at("tickSize").as_string(), "0.01");
  EXPECT_EQ(m.at("minOrderSize").as_string(), "5");
  EXPECT_EQ(m.at("takerFeeBps").as_int64(), 500);
  EXPECT_EQ(m.at("outcomes").at(0).at("bestBid").as_string(), "0.55");
  EXPECT_EQ(m.at("outcomes").at(1).at("bestAsk").as_string(), "0.45");
  const auto yes = m.at("book").at("YES");
  ASSERT_EQ(yes.at("bids").as_array().size(), 1u);
  EXPECT_EQ(yes.at("bids").at(0).at("price").as_string(), "0.55");
  EXPECT_EQ(yes.at("bids").at(0).at("size").as_string(), "300");
  EXPECT_FALSE(yes.at("stale").as_bool());
  EXPECT_EQ(get(server, "/api/v1/markets/nope", s).status, 404);
  EXPECT_EQ(get(server, "/api/v1/markets/rain-a?depth=51", s).status, 400);
}

TEST(TraderReads, OrdersFillsAccountAndEquity) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "rain-x", "Rain in Oslo?");
  auto s = sign_up(server, unique_email());
  auto accounts = get(server, "/api/v1/accounts", s);
  ASSERT_EQ(accounts.status, 200) << accounts.summary();
  const std::string account(accounts.json().at("data").at(0).at("accountId").as_string());

  auto place = [&](boost::json::object body) {
    body["accountId"] = account;
    body["marketId"] = "rain-x";
    body["outcome"] = "YES";
    auto r = post(server, "/api/v1/orders", body, bearer(s.access_token));
    EXPECT_EQ(r.status, 201) << r.summary();
    return std::string(r.json().at("orderId").as_string());
  };
  const auto bought = place({{"side", "buy"}, {"orderType", "market"}, {"size", "100"}});
  const auto resting1 = place({{"side", "buy"}, {"orderType", "limit"}, {"size", "10"}, {"limitPrice", "0.50"}});
  const auto resting2 = place({{"side", "buy"}, {"orderType", "limit"}, {"size", "10"}, {"limitPrice", "0.51"}});

  auto open = get(server, "/api/v1/orders?limit=1", s);  // default: OPEN only, newest first
  ASSERT_EQ(open.status, 200) << open.summary();
  EXPECT_EQ(open.json().at("data").at(0).at("orderId").as_string(), resting2);
  auto next = get(server, "/api/v1/orders?limit=1&cursor=" + std::string(open.json().at("nextCursor").as_string()), s);
  ASSERT_EQ(next.status, 200) << next.summary();
  EXPECT_EQ(next.json().at("data").at(0).at("orderId").as_string(), resting1);
  EXPECT_TRUE(next.json().at("nextCursor").is_null());
  auto everything = get(server, "/api/v1/orders?status=all&accountId=" + account, s);
  EXPECT_EQ(everything.json().at("data").as_array().size(), 3u);
  auto filled = get(server, "/api/v1/orders?status=FILLED", s);
  EXPECT_EQ(filled.json().at("data").at(0).at("orderId").as_string(), bought);

  auto fills = get(server, "/api/v1/fills?marketId=rain-x", s);
  ASSERT_EQ(fills.status, 200) << fills.summary();
  const auto rows = fills.json().at("data").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("orderId").as_string(), bought);
  EXPECT_EQ(rows[0].at("price").as_string(), "0.56");
  EXPECT_EQ(rows[0].at("size").as_string(), "100");
  EXPECT_EQ(get(server, "/api/v1/fills?since=yesterday", s).status, 400);

  auto detail = get(server, "/api/v1/accounts/" + account, s);
  ASSERT_EQ(detail.status, 200) << detail.summary();
  const auto a = detail.json();
  EXPECT_EQ(a.at("positionsValue").as_string(), "55.00");  // 100 at the 0.55 bid
  EXPECT_EQ(a.at("positions").as_array().size(), 1u);
  EXPECT_EQ(a.at("positions").at(0).at("markSource").as_string(), "best_bid");
  EXPECT_EQ(a.at("openOrdersCount").as_int64(), 2);

  auto equity = get(server, "/api/v1/accounts/" + account + "/equity?interval=hour", s);
  ASSERT_EQ(equity.status, 200) << equity.summary();
  EXPECT_EQ(equity.json().at("interval").as_string(), "hour");
  // Created this hour: the first boundary is the next whole hour, still in the future.
  EXPECT_TRUE(equity.json().at("data").as_array().empty());
  // Two hours on, two boundaries have passed; each shows the last snapshot before it (the fill's).
  ASSERT_EQ(admin(server, "POST", "/admin/test/clock", {{"advance_ms", 2 * 3'600'000}}).status, 200);
  auto refreshed = post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.summary();
  s.access_token = std::string(refreshed.json().at("accessToken").as_string());
  equity = get(server, "/api/v1/accounts/" + account + "/equity?interval=hour", s);
  ASSERT_EQ(equity.status, 200) << equity.summary();
  const auto points = equity.json().at("data").as_array();
  ASSERT_EQ(points.size(), 2u) << equity.summary();
  EXPECT_EQ(std::string(points[0].at("at").as_string()).substr(13), ":00:00.000Z");
  EXPECT_EQ(points[1].at("positionsValue").as_string(), "55.00");
  EXPECT_EQ(points[1].at("equity"), points[0].at("equity"));
  EXPECT_EQ(get(server, "/api/v1/accounts/" + account + "/equity?interval=minute", s).status, 400);

  auto other = sign_up(server, unique_email());
  EXPECT_EQ(get(server, "/api/v1/accounts/" + account, other).status, 404);
  EXPECT_EQ(get(server, "/api/v1/orders?accountId=" + account, other).status, 404);
  EXPECT_EQ(get(server, "/api/v1/accounts?status=closed", s).json().at("data").as_array().size(), 0u);
}

}  // namespace
}  // namespace polysim::testing::trader_it
