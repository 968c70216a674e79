// Trading through the real binary: a manual market created and moved on the admin listener, a
// retail trader's orders over /api/v1, the spec's example A decimals, idempotent retries, maker
// fills, cancels, settlement, and open orders surviving a restart and a kill -9.
#include <gtest/gtest.h>

#include <thread>

#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

void push_yes(const ServerProcess& server, const std::string& slug, boost::json::array bids, boost::json::array asks) {
  auto r = admin(server, "POST", "/admin/markets/" + slug + "/book",
                 {{"outcome", "YES"}, {"bids", std::move(bids)}, {"asks", std::move(asks)}});
  ASSERT_EQ(r.status, 200) << r.summary();
}

void push_example_book(const ServerProcess& server, const std::string& slug) {
  push_yes(server, slug, {{"0.55", "300"}, {"0.54", "400"}, {"0.53", "500"}},
           {{"0.56", "100"}, {"0.57", "200"}, {"0.58", "500"}});
}

std::string create_market(const ServerProcess& server, const std::string& slug) {
  auto r = admin(server, "POST", "/admin/markets",
                 {{"slug", slug}, {"question", "Rain in London on 1 Dec?"}, {"category", "weather"}, {"feed", "manual"}});
  EXPECT_EQ(r.status, 201) << r.summary();
  return std::string(r.json().at("market_id").as_string());
}

std::string demo_account(const ServerProcess& server, const Session& s) {
  auto r = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(s.access_token));
  EXPECT_EQ(r.status, 200) << r.summary();
  const auto data = r.json().at("data").as_array();
  EXPECT_EQ(data.size(), 1u);
  return data.empty() ? std::string() : std::string(data[0].at("accountId").as_string());
}

boost::json::object order_body(const std::string& account, const std::string& market, std::string_view side,
                               std::string_view type, std::string_view size) {
  return {{"accountId", account}, {"marketId", market}, {"outcome", "YES"},
          {"side", side},         {"orderType", type},  {"size", size}};
}

TEST(TraderOrders, MarketOrderFillsAcrossLevelsWithTheSpecsDecimalsAndReplays) {
  ServerProcess server(server_args());
  const std::string slug = "rain-london-2026-12-01";
  const auto market = create_market(server, slug);
  push_example_book(server, slug);
  auto s = sign_up(server, unique_email());
  const auto account = demo_account(server, s);

  auto body = order_body(account, slug, "buy", "MARKET", "250");
  body["worstPrice"] = "0.58";
  body["clientOrderId"] = "bot-7781";
  auto r = post(server, "/api/v1/orders", body, bearer(s.access_token));
  ASSERT_EQ(r.status, 201) << r.summary();
  auto order = r.json().as_object();
  EXPECT_EQ(order.at("status").as_string(), "FILLED");
  EXPECT_EQ(order.at("marketId").as_string(), market);
  EXPECT_EQ(order.at("filledSize").as_string(), "250");
  EXPECT_EQ(order.at("filledNotional").as_string(), "141.50");
  EXPECT_EQ(order.at("fees").as_string(), "3.07025");
  EXPECT_EQ(order.at("avgFillPrice").as_string(), "0.566000");
  EXPECT_EQ(order.at("origin").as_string(), "web");

  auto again = post(server, "/api/v1/orders", body, bearer(s.access_token));
  ASSERT_EQ(again.status, 200) << again.summary();
  EXPECT_EQ(again.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(again.json().at("orderId"), order.at("orderId"));
  body["size"] = "251";
  expect_error(post(server, "/api/v1/orders", body, bearer(s.access_token)), 409, "duplicate_client_order_id");

  auto detail = send(server, "GET", "/api/v1/orders/" + std::string(order.at("orderId").as_string()), std::nullopt,
                     bearer(s.access_token));
  ASSERT_EQ(detail.status, 200) << detail.summary();
  const auto fills = detail.json().at("fills").as_array();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].at("price").as_string(), "0.56");
  EXPECT_EQ(fills[0].at("fee").as_string(), "1.232");
  EXPECT_EQ(fills[1].at("fee").as_string(), "1.83825");

  auto positions = send(server, "GET", "/api/v1/positions?accountId=" + account, std::nullopt, bearer(s.access_token));
  ASSERT_EQ(positions.status, 200) << positions.summary();
  const auto p = positions.json().at("data").as_array().at(0).as_object();
  EXPECT_EQ(p.at("size").as_string(), "250");
  EXPECT_EQ(p.at("costBasis").as_string(), "141.50");
  EXPECT_EQ(p.at("markPrice").as_string(), "0.55");
  EXPECT_EQ(p.at("markSource").as_string(), "best_bid");
  EXPECT_EQ(p.at("marketValue").as_string(), "137.50");

  // The trader's account row carries the committed cash.
  auto accounts = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(s.access_token));
  EXPECT_EQ(accounts.json().at("data").as_array().at(0).at("cash").as_string(), "9855.42975");
}

TEST(TraderOrders, EngineRejectionsUseTheirCodesAndNothingIsStored) {
  ServerProcess server(server_args());
  const std::string slug = "snow-paris";
  create_market(server, slug);
  push_example_book(server, slug);
  auto s = sign_up(server, unique_email());
  const auto account = demo_account(server, s);
  expect_error(post(server, "/api/v1/orders", order_body(account, slug, "SELL", "market", "10"), bearer(s.access_token)),
               400, "insufficient_position");
  expect_error(post(server, "/api/v1/orders", order_body(account, "no-such-market", "BUY", "market", "10"),
                    bearer(s.access_token)),
               404, "market_not_found");
  auto limit = order_body(account, slug, "BUY", "limit", "10");
  limit["limitPrice"] = "0.555";
  expect_error(post(server, "/api/v1/orders", limit, bearer(s.access_token)), 400, "invalid_order_min_tick_size");
  auto misspelt = order_body(account, slug, "BUY", "market", "10");
  misspelt["clientOrderID"] = "x";
  expect_error(post(server, "/api/v1/orders", misspelt, bearer(s.access_token)), 400, "validation_error");
  // Someone else's account is not found.
  auto other = sign_up(server, unique_email("other"));
  expect_error(post(server, "/api/v1/orders", order_body(account, slug, "BUY", "market", "10"),
                    bearer(other.access_token)),
               404, "account_not_found");
}

TEST(TraderOrders, RestingOrdersFillOnNewBooksSurviveRestartAndKillAndSettle) {
  ServerProcess server(server_args());
  const std::string slug = "resting-example";
  create_market(server, slug);
  push_example_book(server, slug);
  auto s = sign_up(server, unique_email());
  const auto account = demo_account(server, s);

  auto limit = order_body(account, slug, "BUY", "limit", "200");
  limit["limitPrice"] = "0.53";
  auto placed = post(server, "/api/v1/orders", limit, bearer(s.access_token));
  ASSERT_EQ(placed.status, 201) << placed.summary();
  const std::string order_id(placed.json().at("orderId").as_string());
  EXPECT_EQ(placed.json().at("status").as_string(), "OPEN");
  EXPECT_EQ(placed.json().at("reservedCash").as_string(), "106.00");

  // A kill -9 and restart: the open order is rebuilt from the database and still fills.
  server.kill9();
  server.start();
  auto fresh = login(server, s.user.at("email").as_string(), kPassword);
  ASSERT_EQ(fresh.status, 200) << fresh.summary();
  auto token = session_of(fresh).access_token;
  push_yes(server, slug, {{"0.51", "100"}}, {{"0.52", "80"}, {"0.53", "50"}, {"0.55", "300"}});

  boost::json::object order;
  for (int i = 0; i < 100; ++i) {
    auto r = send(server, "GET", "/api/v1/orders/" + order_id, std::nullopt, bearer(token));
    ASSERT_EQ(r.status, 200) << r.summary();
    order = r.json().as_object();
    if (order.at("filledSize").as_string() != "0") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(order.at("filledSize").as_string(), "130");
  EXPECT_EQ(order.at("reservedCash").as_string(), "37.10");
  EXPECT_EQ(order.at("fills").as_array().at(0).at("liquidity").as_string(), "maker");

  auto cancelled = send(server, "DELETE", "/api/v1/orders/" + order_id, std::nullopt, bearer(token));
  ASSERT_EQ(cancelled.status, 200) << cancelled.summary();
  EXPECT_EQ(cancelled.json().at("status").as_string(), "CANCELLED");
  EXPECT_EQ(cancelled.json().at("endReason").as_string(), "user");
  expect_error(send(server, "DELETE", "/api/v1/orders/" + order_id, std::nullopt, bearer(token)), 400,
               "order_not_cancellable");

  auto resolved = admin(server, "POST", "/admin/markets/" + slug + "/resolve", {{"outcome", "YES"}});
  ASSERT_EQ(resolved.status, 200) << resolved.summary();
  auto positions = send(server, "GET", "/api/v1/positions?status=all", std::nullopt, bearer(token));
  ASSERT_EQ(positions.status, 200) << positions.summary();
  const auto p = positions.json().at("data").as_array().at(0).as_object();
  EXPECT_EQ(p.at("status").as_string(), "SETTLED");
  auto accounts = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(token));
  // 10,000 − 68.90 for 130 shares, + 130.00 paid at resolution.
  EXPECT_EQ(accounts.json().at("data").as_array().at(0).at("cash").as_string(), "10061.10");
}

}  // namespace
}  // namespace polysim::testing::trader_it
