// Signal bodies and per-target sizing (20-trader-api.md §10.1, §10.4), without a server.
#include "trader/signal_body.hpp"

#include <gtest/gtest.h>

#include "auth/auth_failure.hpp"
#include "trader/signal_render.hpp"
#include "trader/signal_service.hpp"

namespace polysim::trader {
namespace {

JsonValue json(std::string_view text) { return std::get<JsonValue>(parse_json(text)); }

// The field a validation failure names, or "" when parsing succeeded.
std::string refused_field(std::string_view text, std::optional<std::string> header = std::nullopt) {
  auto body = json(text);
  try {
    parse_signal_body(&body, header);
  } catch (const auth::AuthFailure& f) {
    EXPECT_EQ(f.status, 400);
    EXPECT_EQ(f.error, "validation_error");
    return f.details.empty() ? std::string("?") : f.details.front().first;
  }
  return "";
}

constexpr std::string_view kBuy = R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"usd","size":"50")";

TEST(SignalBody, StrictBodyReadsEveryFieldExactly) {
  auto body = json(R"({"marketId":"snow","action":"BUY","outcome":"no","sizeType":"percent_equity","size":"2.5",
                       "orderType":"limit","limitPrice":"0.55","timeInForce":"ioc","targets":["a","b"],
                       "idempotencyKey":"tv-1","label":"breakout","metadata":{"k":[1,2]}})");
  auto r = parse_signal_body(&body, std::nullopt);
  EXPECT_EQ(r.market, "snow");
  EXPECT_EQ(r.action, "buy");
  EXPECT_EQ(r.outcome, engine::Outcome::No);
  EXPECT_EQ(r.size_type, "percent_equity");
  EXPECT_EQ(r.size, 2'500'000);
  EXPECT_EQ(r.order_type, engine::OrderType::Limit);
  EXPECT_EQ(r.limit_price, 550'000);
  EXPECT_EQ(r.time_in_force, engine::TimeInForce::Fak);
  EXPECT_EQ(r.targets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.idempotency_key, "tv-1");
  EXPECT_EQ(r.label, "breakout");
  EXPECT_EQ(r.metadata_json, R"({"k":[1,2]})");
}

TEST(SignalBody, ValidationNamesTheField) {
  EXPECT_EQ(refused_field(std::string(kBuy) + "}"), "");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"clientOrderID":"x"})"), "clientOrderID");  // strict
  EXPECT_EQ(refused_field(R"({"action":"buy","outcome":"YES","sizeType":"usd","size":"5"})"), "marketId");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"hold","outcome":"YES","sizeType":"usd","size":"5"})"), "action");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","sizeType":"usd","size":"5"})"), "outcome");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","size":"5"})"), "sizeType");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"usd"})"), "size");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"usd","size":"0"})"), "size");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"usd","size":"-1"})"), "size");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"lots","size":"1"})"), "sizeType");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"percent_equity","size":"100"})"), "");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"percent_equity","size":"100.000001"})"),
            "size");
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"close"})"), "");  // no outcome, no size: both outcomes
  EXPECT_EQ(refused_field(R"({"marketId":"m","action":"close","size":"5"})"), "size");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"orderType":"limit"})"), "limitPrice");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"targets":[]})"), "targets");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"targets":["a","a"]})"), "targets");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"label":")" + std::string(101, 'x') + "\"}"), "label");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"metadata":"x"})"), "metadata");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"metadata":{"k":")" + std::string(4100, 'x') + "\"}}"), "metadata");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"idempotencyKey":"a\u0001b"})"), "idempotencyKey");
  // Body key and header both given: they must agree.
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"idempotencyKey":"k1"})", "k2"), "idempotencyKey");
  EXPECT_EQ(refused_field(std::string(kBuy) + R"(,"idempotencyKey":"k1"})", "k1"), "");
}

TEST(SignalBody, HeaderKeyIsTheKey) {
  auto body = json(std::string(kBuy) + "}");
  EXPECT_EQ(parse_signal_body(&body, std::string("hdr-1")).idempotency_key, "hdr-1");
}

TEST(SignalBody, WebhookBodyIsTolerantAndTakesDefaults) {
  SignalDefaults d;
  d.size_type = "usd";
  d.size = 50'000'000;
  d.order_type = engine::OrderType::Market;
  auto body = json(R"({"marketId":"m","action":"Buy","outcome":"yes","ticker":"SNOW","targets":["x"],"strategy":{}})");
  auto r = parse_webhook_signal_body(body, d, std::nullopt);
  EXPECT_EQ(r.action, "buy");
  EXPECT_EQ(r.outcome, engine::Outcome::Yes);
  EXPECT_EQ(r.size_type, "usd");
  EXPECT_EQ(r.size, 50'000'000);
  EXPECT_FALSE(r.targets);  // the webhook's targets, never the body's
  // Sent size fields win over the defaults; close ignores them.
  auto sized = json(R"({"marketId":"m","action":"SELL","outcome":"NO","sizeType":"Shares","size":7})");
  auto s = parse_webhook_signal_body(sized, d, std::nullopt);
  EXPECT_EQ(s.size_type, "shares");
  EXPECT_EQ(s.size, 7'000'000);
  auto close = json(R"({"marketId":"m","action":"close","sizeType":"usd","size":"5"})");
  EXPECT_FALSE(parse_webhook_signal_body(close, d, std::nullopt).size);
  // Without defaults a size-less buy is still refused.
  EXPECT_THROW(parse_webhook_signal_body(body, SignalDefaults{}, std::nullopt), auth::AuthFailure);
}

TEST(SignalBody, WebhookCreateAndTargets) {
  auto body = json(R"({"name":"TradingView","auth":"HMAC","defaults":{"sizeType":"usd","size":"50","orderType":"market"}})");
  auto c = parse_webhook_create(&body);
  EXPECT_EQ(c.name, "TradingView");
  EXPECT_EQ(c.auth, "hmac");
  EXPECT_EQ(c.defaults.size, 50'000'000);
  EXPECT_FALSE(c.targets);
  auto bad = json(R"({"name":"x","auth":"basic"})");
  EXPECT_THROW(parse_webhook_create(&bad), auth::AuthFailure);
  auto unnamed = json(R"({"name":""})");
  EXPECT_THROW(parse_webhook_create(&unnamed), auth::AuthFailure);
  auto ids = json(R"({"accountIds":[]})");
  EXPECT_TRUE(parse_signal_targets(&ids).empty());
  auto twice = json(R"({"accountIds":["a","a"]})");
  EXPECT_THROW(parse_signal_targets(&twice), auth::AuthFailure);
}

SignalRequest request(std::string_view text) {
  auto body = json(text);
  return parse_signal_body(&body, std::nullopt);
}

TEST(SignalSizing, PercentOfEquityIsNotionalForAMarketBuy) {
  TargetState s;
  s.equity = 10'070'350'000;  // 10070.35
  auto plan = plan_target(request(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"percent_equity","size":"2"})"), s);
  ASSERT_EQ(plan.orders.size(), 1u);
  EXPECT_EQ(plan.orders[0].side, engine::Side::Buy);
  EXPECT_EQ(plan.orders[0].notional, 201'407'000);  // 201.407
  EXPECT_FALSE(plan.orders[0].size);
  // Rounded down to the micro: 0.333333% of 100.00 = 0.333333.
  s.equity = 100'000'000;
  plan = plan_target(request(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"percent_equity","size":"0.333333"})"), s);
  EXPECT_EQ(plan.orders[0].notional, 333'333);
}

TEST(SignalSizing, MoneyBecomesSharesAtTheLimitOrTheBid) {
  TargetState s;
  s.equity = 5'000'000'000;
  // 15 USD at a 0.51 limit: 29.411764 shares (29.41176470… rounded down).
  auto plan = plan_target(request(R"({"marketId":"m","action":"buy","outcome":"YES","sizeType":"usd","size":"15",
                                      "orderType":"limit","limitPrice":"0.51"})"), s);
  ASSERT_EQ(plan.orders.size(), 1u);
  EXPECT_EQ(plan.orders[0].size, 29'411'764);
  EXPECT_FALSE(plan.orders[0].notional);
  // 1% of 5000 = 50 at 0.50: exactly 100 shares.
  plan = plan_target(request(R"({"marketId":"m","action":"buy","outcome":"NO","sizeType":"percent_equity","size":"1",
                                 "orderType":"limit","limitPrice":"0.50"})"), s);
  EXPECT_EQ(plan.orders[0].size, 100'000'000);
  EXPECT_EQ(plan.orders[0].outcome, engine::Outcome::No);
  // A market SELL of 10 USD sizes at the best bid: 10 / 0.55 = 18.181818.
  s.yes_size = s.yes_available = 1'000'000'000;
  s.yes_best_bid = 550'000;
  plan = plan_target(request(R"({"marketId":"m","action":"sell","outcome":"YES","sizeType":"usd","size":"10"})"), s);
  ASSERT_EQ(plan.orders.size(), 1u);
  EXPECT_EQ(plan.orders[0].side, engine::Side::Sell);
  EXPECT_EQ(plan.orders[0].size, 18'181'818);
  EXPECT_FALSE(plan.orders[0].capped);
  // No bid to size against.
  s.yes_best_bid.reset();
  plan = plan_target(request(R"({"marketId":"m","action":"sell","outcome":"YES","sizeType":"usd","size":"10"})"), s);
  EXPECT_TRUE(plan.orders.empty());
  EXPECT_EQ(plan.error, "no_executable_depth");
}

TEST(SignalSizing, SellIsCappedAtTheAvailableHolding) {
  TargetState s;
  s.yes_size = 30'000'000;
  s.yes_available = 20'000'000;  // 10 reserved by a resting sell
  auto plan = plan_target(request(R"({"marketId":"m","action":"sell","outcome":"YES","sizeType":"shares","size":"25"})"), s);
  ASSERT_EQ(plan.orders.size(), 1u);
  EXPECT_EQ(plan.orders[0].size, 20'000'000);
  EXPECT_TRUE(plan.orders[0].capped);
  plan = plan_target(request(R"({"marketId":"m","action":"sell","outcome":"YES","sizeType":"shares","size":"20"})"), s);
  EXPECT_FALSE(plan.orders[0].capped);
  plan = plan_target(request(R"({"marketId":"m","action":"sell","outcome":"NO","sizeType":"shares","size":"1"})"), s);
  EXPECT_TRUE(plan.orders.empty());
  EXPECT_EQ(plan.skip_reason, "no_position");
}

TEST(SignalSizing, OpenAndClose) {
  TargetState s;
  s.no_size = 4'000'000;
  s.no_available = 4'000'000;
  auto open = plan_target(request(R"({"marketId":"m","action":"open","outcome":"YES","sizeType":"shares","size":"5"})"), s);
  EXPECT_TRUE(open.orders.empty());
  EXPECT_EQ(open.skip_reason, "position_exists");  // anything held in the market counts
  auto close = plan_target(request(R"({"marketId":"m","action":"close"})"), s);
  ASSERT_EQ(close.orders.size(), 1u);
  EXPECT_EQ(close.orders[0].outcome, engine::Outcome::No);
  EXPECT_EQ(close.orders[0].size, 4'000'000);
  s.yes_size = s.yes_available = 1'500'000;
  close = plan_target(request(R"({"marketId":"m","action":"close"})"), s);
  ASSERT_EQ(close.orders.size(), 2u);
  EXPECT_EQ(close.orders[0].outcome, engine::Outcome::Yes);
  EXPECT_EQ(close.orders[0].size, 1'500'000);
  close = plan_target(request(R"({"marketId":"m","action":"close","outcome":"YES"})"), s);
  ASSERT_EQ(close.orders.size(), 1u);
  EXPECT_EQ(close.orders[0].size, 1'500'000);
  TargetState empty;
  EXPECT_EQ(plan_target(request(R"({"marketId":"m","action":"close"})"), empty).skip_reason, "no_position");
  auto fresh = plan_target(request(R"({"marketId":"m","action":"open","outcome":"YES","sizeType":"shares","size":"5"})"), empty);
  ASSERT_EQ(fresh.orders.size(), 1u);
  EXPECT_EQ(fresh.orders[0].size, 5'000'000);
}

TEST(SignalStatus, FromTargetResults) {
  store::SignalResultRecord ok, skip, err;
  ok.status = "filled";
  skip.status = "skipped";
  err.status = "error";
  EXPECT_EQ(signal_status_of({ok, skip}), "succeeded");
  EXPECT_EQ(signal_status_of({ok, err}), "partial");
  EXPECT_EQ(signal_status_of({err, err}), "failed");
  store::OrderRecord o;
  o.status = "OPEN";
  EXPECT_EQ(target_status_of(o), "open");
  o.filled_size = 1;
  EXPECT_EQ(target_status_of(o), "partially_filled");
  o.status = "FILLED";
  EXPECT_EQ(target_status_of(o), "filled");
}

TEST(SignalFingerprint, SameRequestSameFingerprint) {
  auto a = request(std::string(kBuy) + R"(,"label":"x"})");
  auto b = request(R"({ "label" : "x", "size":"50.0", "sizeType":"usd","outcome":"YES","action":"buy","marketId":"m"})");
  EXPECT_EQ(signal_fingerprint(a), signal_fingerprint(b));  // field order, spelling of 50 do not matter
  auto c = request(std::string(kBuy) + R"(,"label":"y"})");
  EXPECT_NE(signal_fingerprint(a), signal_fingerprint(c));
}

TEST(SignalLog, WebhookSecretShowsOnlyItsPrefix) {
  const std::string secret = "wh_c2f7k5m3q6t4" + std::string(40, 'a');
  EXPECT_EQ(loggable_trader_path("/api/v1/signals/webhook/" + secret), "/api/v1/signals/webhook/wh_c2f7k5m3q6t4\xE2\x80\xA6");
  EXPECT_EQ(loggable_trader_path("/api/v1/signals/webhook/0193aaaa-0000-7000-8000-000000000000"),
            "/api/v1/signals/webhook/0193aaaa-0000-7000-8000-000000000000");
  EXPECT_EQ(loggable_trader_path("/api/v1/orders"), "/api/v1/orders");
}

}  // namespace
}  // namespace polysim::trader
