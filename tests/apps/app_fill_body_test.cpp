// The /execution/fill body (30-partner-apps.md §8) as an engine request: defaults, the limit
// mappings, and every problem listed in one message.
#include <gtest/gtest.h>

#include "apps/app_failure.hpp"
#include "apps/app_fill_body.hpp"

namespace polysim::apps {
namespace {

JsonValue body(std::string_view text) { return std::get<JsonValue>(parse_json(text)); }

std::string problem_of(std::string_view text, bool quote = false) {
  const auto v = body(text);
  try {
    parse_fill_body(&v, quote);
  } catch (const AppFailure& f) {
    EXPECT_EQ(f.status, 400);
    EXPECT_EQ(f.code, "validation_failed");
    return f.what();
  }
  return "accepted";
}

TEST(AppFillBody, MarketBuyDefaultsToFokWithOnePercentSlippage) {
  const auto v = body(R"({"marketId":"m1","outcome":"yes","side":"BUY","amount":"12.5"})");
  const auto in = parse_fill_body(&v, false);
  const auto& r = in.request;
  EXPECT_EQ(r.type, engine::OrderType::Market);
  EXPECT_EQ(r.time_in_force, engine::TimeInForce::Fok);
  EXPECT_EQ(r.notional, 12'500'000);
  EXPECT_EQ(r.max_slippage_bps, 100);
  EXPECT_EQ(r.origin, "app");
  EXPECT_TRUE(r.record_rejection);
  EXPECT_EQ(r.outcome, engine::Outcome::Yes);
}

TEST(AppFillBody, LimitGtcRestsAndLimitFokBecomesABoundedMarketOrder) {
  const auto gtc = body(R"({"marketId":"m1","outcome":"NO","side":"sell","type":"limit","price":"0.42","size":"10"})");
  const auto rests = parse_fill_body(&gtc, false).request;
  EXPECT_EQ(rests.type, engine::OrderType::Limit);
  EXPECT_EQ(rests.limit_price, 420'000);
  const auto fok = body(
      R"({"marketId":"m1","outcome":"NO","side":"buy","type":"limit","price":"0.42","size":"10","timeInForce":"fok"})");
  const auto bounded = parse_fill_body(&fok, false).request;
  EXPECT_EQ(bounded.type, engine::OrderType::Market);
  EXPECT_EQ(bounded.worst_price, 420'000);
  EXPECT_FALSE(bounded.limit_price);
}

TEST(AppFillBody, EveryProblemIsNamedOnce) {
  EXPECT_EQ(problem_of(R"({"side":"buy","size":"1","amount":"2","extra":1})"),
            "marketId is required; outcome is required; a market buy needs exactly one of size and amount; "
            "unknown field extra");
  EXPECT_EQ(problem_of(R"({"marketId":"m","outcome":"YES","side":"buy","type":"limit","size":"1","price":"1.5"})"),
            "price must be between 0 and 1");
  EXPECT_EQ(problem_of(R"({"marketId":"m","outcome":"YES","side":"sell","size":"-1"})"),
            "size must be a decimal number with at most 6 decimals; size is required for market sell orders");
  EXPECT_EQ(problem_of(R"({"marketId":"m","outcome":"YES","side":"buy","amount":"1","slippageBps":20000})"),
            "slippageBps must be an integer from 0 to 10000");
  EXPECT_EQ(problem_of(R"({"marketId":"m","outcome":"YES","side":"buy","amount":"1","clientOrderId":"a b"})"),
            "clientOrderId must be 1-160 characters of A-Z a-z 0-9 . _ : -");
  EXPECT_EQ(problem_of(R"({"mode":"live"})"), "Only paper mode is available.");
}

TEST(AppFillBody, AQuoteIgnoresTheClientOrderId) {
  const auto v = body(R"({"marketId":"m","outcome":"YES","side":"buy","amount":"1","clientOrderId":"a b"})");
  EXPECT_FALSE(parse_fill_body(&v, true).request.client_order_id);
}

}  // namespace
}  // namespace polysim::apps
