// Signals through the real binary (20-trader-api.md §10): fan-out to several accounts with exact
// sizing, skipped and capped targets, idempotent replay and conflict, history with a keyset
// cursor, signal targets, webhooks in url and hmac mode, the 20-webhook limit and rotation.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "support/partner_fixture.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

HttpResponse get(const ServerProcess& server, const std::string& target, const std::string& token) {
  return send(server, "GET", target, std::nullopt, bearer(token));
}

HttpResponse signal(const ServerProcess& server, const std::string& token, const boost::json::object& body,
                    Headers extra = {}) {
  auto headers = bearer(token);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return post(server, "/api/v1/signals", body, headers);
}

std::string str(const boost::json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

// A partner user with three paper accounts (two active, one closed), signed in through a login link.
struct PartnerTrader {
  std::string token;
  std::string a, b, closed;
};

std::string create_account(const ServerProcess& server, const PartnerTenant& t, std::int64_t uid, const char* external,
                           const char* balance) {
  auto r = partner_post(server.api_port(), t.key, "/v1/partner/accounts",
                        json_text({{"user_id", uid}, {"external_id", external}, {"stage", "demo"},
                                   {"starting_balance", balance}}));
  EXPECT_EQ(r.status, 201) << r.summary();
  return str(r.json(), "account_id");
}

PartnerTrader partner_trader(ServerProcess& server) {
  PartnerTrader out;
  auto tenant = make_tenant(server, "signals-" + Uuid::v4().to_string().substr(0, 6));
  const auto email = unique_email("sig");
  auto user = partner_post(server.api_port(), tenant.key, "/v1/partner/users",
                           json_text({{"external_id", "s1"}, {"email", email}}));
  EXPECT_EQ(user.status, 201) << user.summary();
  const auto uid = user.json().at("user_id").as_int64();
  out.a = create_account(server, tenant, uid, "acc-a", "10000.00");
  out.b = create_account(server, tenant, uid, "acc-b", "5000.00");
  out.closed = create_account(server, tenant, uid, "acc-c", "1000.00");
  auto closed = partner_post(server.api_port(), tenant.key, "/v1/partner/accounts/" + out.closed + "/close");
  EXPECT_EQ(closed.status, 200) << closed.summary();
  EXPECT_EQ(partner_post(server.api_port(), tenant.key, "/v1/partner/users/" + std::to_string(uid) + "/login-link").status,
            202);
  auto mail = wait_for_mail(server, email, "login_link");
  EXPECT_TRUE(mail);
  if (!mail) return out;
  auto signed_in = post(server, "/api/v1/auth/link", {{"token", token_in(*mail)}});
  EXPECT_EQ(signed_in.status, 200) << signed_in.summary();
  out.token = session_of(signed_in).access_token;
  return out;
}

boost::json::value result_of(const HttpResponse& r, std::size_t i) { return r.json().at("results").at(i); }

TEST(TraderSignals, FanOutSizesSkipsCapsAndClosedTargets) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "snow-sig");
  auto t = partner_trader(server);
  ASSERT_FALSE(t.token.empty());

  // 10 shares at market to A, B and the closed account: two fills and one engine error.
  auto first = signal(server, t.token,
                      {{"marketId", "snow-sig"}, {"action", "buy"}, {"outcome", "YES"}, {"sizeType", "shares"},
                       {"size", "10"}, {"targets", boost::json::array{t.a.c_str(), t.b.c_str(), t.closed.c_str()}},
                       {"label", "breakout-v2"}, {"metadata", {{"strategy", "s1"}}}});
  ASSERT_EQ(first.status, 201) << first.summary();
  const auto s1 = first.json();
  EXPECT_EQ(str(s1, "status"), "partial");
  EXPECT_EQ(str(s1, "source"), "api");
  EXPECT_EQ(str(s1, "action"), "buy");
  EXPECT_EQ(str(s1, "sizeType"), "shares");
  EXPECT_EQ(str(s1, "size"), "10");
  EXPECT_EQ(str(s1, "orderType"), "market");
  EXPECT_EQ(str(s1, "label"), "breakout-v2");
  EXPECT_EQ(str(s1.at("metadata"), "strategy"), "s1");
  EXPECT_TRUE(s1.at("idempotencyKey").is_null());
  ASSERT_EQ(s1.at("results").as_array().size(), 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& r = result_of(first, i);
    EXPECT_EQ(str(r, "accountId"), i == 0 ? t.a : t.b);
    EXPECT_EQ(str(r, "mode"), "paper");
    EXPECT_EQ(str(r, "status"), "filled");
    EXPECT_EQ(str(r, "filledSize"), "10");
    EXPECT_EQ(str(r, "avgFillPrice"), "0.560000");
    EXPECT_FALSE(r.at("capped").as_bool());
    EXPECT_TRUE(r.at("error").is_null());
  }
  const auto& err = result_of(first, 2);
  EXPECT_EQ(str(err, "status"), "error");
  EXPECT_TRUE(err.at("orderId").is_null());
  EXPECT_EQ(str(err.at("error"), "error"), "account_closed");
  EXPECT_EQ(str(err.at("error"), "code"), "ACCOUNT_CLOSED");
  // The engine order carries origin signal and the deterministic client order id.
  const std::string signal_id = str(s1, "id");
  auto order = get(server, "/api/v1/orders/" + str(result_of(first, 0), "orderId"), t.token);
  ASSERT_EQ(order.status, 200) << order.summary();
  EXPECT_EQ(str(order.json(), "origin"), "signal");
  EXPECT_EQ(str(order.json(), "clientOrderId"), "sig:" + signal_id + ":0");
  auto second_order = get(server, "/api/v1/orders/" + str(result_of(first, 1), "orderId"), t.token);
  EXPECT_EQ(str(second_order.json(), "clientOrderId"), "sig:" + signal_id + ":1");

  // usd at a limit: 15 / 0.51 = 29.411764 shares, resting.
  auto limit = signal(server, t.token,
                      {{"marketId", "snow-sig"}, {"action", "buy"}, {"outcome", "YES"}, {"sizeType", "usd"},
                       {"size", "15"}, {"orderType", "limit"}, {"limitPrice", "0.51"},
                       {"targets", boost::json::array{t.b.c_str()}}});
  ASSERT_EQ(limit.status, 201) << limit.summary();
  EXPECT_EQ(str(limit.json(), "status"), "succeeded");
  EXPECT_EQ(str(result_of(limit, 0), "status"), "open");
  EXPECT_EQ(str(result_of(limit, 0), "filledSize"), "0");
  EXPECT_TRUE(result_of(limit, 0).at("avgFillPrice").is_null());
  auto resting = get(server, "/api/v1/orders/" + str(result_of(limit, 0), "orderId"), t.token);
  EXPECT_EQ(str(resting.json(), "size"), "29.411764");
  EXPECT_EQ(str(resting.json(), "limitPrice"), "0.51");

  // percent_equity at a market BUY: notional = 1% of A's equity, rounded down to the micro.
  auto a_account = get(server, "/api/v1/accounts/" + t.a, t.token);
  const std::string a_equity = str(a_account.json(), "equity");
  auto pct = signal(server, t.token,
                    {{"marketId", "snow-sig"}, {"action", "buy"}, {"outcome", "YES"}, {"sizeType", "percent_equity"},
                     {"size", "0.5"}, {"targets", boost::json::array{t.a.c_str()}}});
  ASSERT_EQ(pct.status, 201) << pct.summary();
  auto pct_order = get(server, "/api/v1/orders/" + str(result_of(pct, 0), "orderId"), t.token);
  ASSERT_EQ(pct_order.status, 200);
  // A: 10000 - 5.60 - fee 0.1232 (10 × 0.05 × 0.56 × 0.44) + marks 10 × 0.55 = 9999.7768 → 0.5% = 49.998884.
  EXPECT_EQ(a_equity, "9999.7768");
  EXPECT_EQ(str(pct_order.json(), "notional"), "49.998884");
  EXPECT_EQ(str(result_of(pct, 0), "status"), "filled");

  // open buys only where nothing is held in the market: A is skipped, and a skip is no error.
  auto open = signal(server, t.token,
                     {{"marketId", "snow-sig"}, {"action", "open"}, {"outcome", "YES"}, {"sizeType", "shares"},
                      {"size", "5"}, {"targets", boost::json::array{t.a.c_str()}}});
  ASSERT_EQ(open.status, 201) << open.summary();
  EXPECT_EQ(str(open.json(), "status"), "succeeded");
  EXPECT_EQ(str(result_of(open, 0), "status"), "skipped");
  EXPECT_EQ(str(result_of(open, 0), "reason"), "position_exists");
  EXPECT_TRUE(result_of(open, 0).at("orderId").is_null());

  // sell more than held: capped at B's 10 shares (the resting BUY reserves cash, not shares).
  auto sell = signal(server, t.token,
                     {{"marketId", "snow-sig"}, {"action", "sell"}, {"outcome", "YES"}, {"sizeType", "shares"},
                      {"size", "1000"}, {"targets", boost::json::array{t.b.c_str()}}});
  ASSERT_EQ(sell.status, 201) << sell.summary();
  EXPECT_EQ(str(result_of(sell, 0), "status"), "filled");
  EXPECT_EQ(str(result_of(sell, 0), "filledSize"), "10");
  EXPECT_EQ(str(result_of(sell, 0), "avgFillPrice"), "0.550000");
  EXPECT_TRUE(result_of(sell, 0).at("capped").as_bool());

  // close without an outcome on A sells everything held; then nothing is left to close.
  auto close = signal(server, t.token, {{"marketId", "snow-sig"}, {"action", "close"},
                                        {"targets", boost::json::array{t.a.c_str(), t.b.c_str()}}});
  ASSERT_EQ(close.status, 201) << close.summary();
  EXPECT_EQ(str(result_of(close, 0), "status"), "filled");
  EXPECT_FALSE(result_of(close, 0).at("capped").as_bool());
  EXPECT_EQ(str(result_of(close, 1), "status"), "skipped");
  EXPECT_EQ(str(result_of(close, 1), "reason"), "no_position");
  auto positions = get(server, "/api/v1/positions?accountId=" + t.a, t.token);
  EXPECT_TRUE(positions.json().at("data").as_array().empty()) << positions.summary();

  // Request errors: unknown market, foreign or unknown target, no targets.
  expect_error(signal(server, t.token, {{"marketId", "nope"}, {"action", "close"},
                                        {"targets", boost::json::array{t.a.c_str()}}}),
               404, "market_not_found");
  expect_error(signal(server, t.token, {{"marketId", "snow-sig"}, {"action", "close"},
                                        {"targets", boost::json::array{Uuid::v4().to_string()}}}),
               404, "account_not_found");
  expect_error(signal(server, t.token, {{"marketId", "snow-sig"}, {"action", "close"}}), 422, "no_targets");
  expect_error(signal(server, t.token, {{"marketId", "snow-sig"}, {"action", "close"}, {"clientOrderID", "x"}}), 400,
               "validation_error");
}

TEST(TraderSignals, IdempotentReplayConflictHistoryAndTargets) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "rain-sig");
  auto s = sign_up(server, unique_email("idem"));
  auto accounts = get(server, "/api/v1/accounts", s.access_token);
  const std::string account = str(accounts.json().at("data").at(0), "accountId");

  // Targets: JWT only; empty at first; set to the demo account.
  auto none = get(server, "/api/v1/signals/targets", s.access_token);
  ASSERT_EQ(none.status, 200) << none.summary();
  EXPECT_EQ(none.body, R"({"accountIds":[]})");
  auto put = send(server, "PUT", "/api/v1/signals/targets", json_text({{"accountIds", boost::json::array{account.c_str()}}}),
                  bearer(s.access_token));
  ASSERT_EQ(put.status, 200) << put.summary();
  EXPECT_EQ(put.body, "{\"accountIds\":[\"" + account + "\"]}");
  expect_error(send(server, "PUT", "/api/v1/signals/targets",
                    json_text({{"accountIds", boost::json::array{Uuid::v4().to_string()}}}), bearer(s.access_token)),
               404, "account_not_found");

  const boost::json::object body = {{"marketId", "rain-sig"}, {"action", "buy"},     {"outcome", "YES"},
                                    {"sizeType", "usd"},       {"size", "28"},       {"label", "tv"}};
  auto first = signal(server, s.access_token, body, {{"Idempotency-Key", "tv-2026-11-23T23:45"}});
  ASSERT_EQ(first.status, 201) << first.summary();
  EXPECT_EQ(str(first.json(), "idempotencyKey"), "tv-2026-11-23T23:45");
  EXPECT_EQ(str(first.json(), "status"), "succeeded");
  EXPECT_EQ(str(result_of(first, 0), "accountId"), account);
  // 28 USD at market: a notional order walking the 0.56 ask.
  auto order = get(server, "/api/v1/orders/" + str(result_of(first, 0), "orderId"), s.access_token);
  EXPECT_EQ(str(order.json(), "notional"), "28.00");
  EXPECT_FALSE(first.header("Idempotent-Replayed"));

  auto replay = signal(server, s.access_token, body, {{"Idempotency-Key", "tv-2026-11-23T23:45"}});
  ASSERT_EQ(replay.status, 200) << replay.summary();
  EXPECT_EQ(replay.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(replay.body, first.body);
  // The key in the body is the same key.
  auto in_body = body;
  in_body["idempotencyKey"] = "tv-2026-11-23T23:45";
  auto replay2 = signal(server, s.access_token, in_body);
  EXPECT_EQ(replay2.status, 200) << replay2.summary();
  auto other = body;
  other["size"] = "29";
  expect_error(signal(server, s.access_token, other, {{"Idempotency-Key", "tv-2026-11-23T23:45"}}), 409,
               "idempotency_key_conflict");
  expect_error(signal(server, s.access_token, in_body, {{"Idempotency-Key", "other"}}), 400, "validation_error");
  // One order only.
  auto orders = get(server, "/api/v1/orders?status=all", s.access_token);
  EXPECT_EQ(orders.json().at("data").as_array().size(), 1u) << orders.summary();

  // History: newest first, keyset cursor bound to the filters.
  auto second = signal(server, s.access_token,
                       {{"marketId", "rain-sig"}, {"action", "sell"}, {"outcome", "YES"}, {"sizeType", "shares"}, {"size", "5"}});
  ASSERT_EQ(second.status, 201) << second.summary();
  auto page1 = get(server, "/api/v1/signals?limit=1", s.access_token);
  ASSERT_EQ(page1.status, 200) << page1.summary();
  EXPECT_EQ(str(page1.json().at("data").at(0), "id"), str(second.json(), "id"));
  const std::string cursor = str(page1.json(), "nextCursor");
  auto page2 = get(server, "/api/v1/signals?limit=1&cursor=" + cursor, s.access_token);
  ASSERT_EQ(page2.status, 200) << page2.summary();
  EXPECT_EQ(str(page2.json().at("data").at(0), "id"), str(first.json(), "id"));
  EXPECT_TRUE(page2.json().at("nextCursor").is_null());
  expect_error(get(server, "/api/v1/signals?limit=1&source=api&cursor=" + cursor, s.access_token), 400, "invalid_cursor");
  EXPECT_EQ(get(server, "/api/v1/signals?source=webhook", s.access_token).json().at("data").as_array().size(), 0u);
  EXPECT_EQ(get(server, "/api/v1/signals?marketId=rain-sig", s.access_token).json().at("data").as_array().size(), 2u);
  expect_error(get(server, "/api/v1/signals?status=bogus", s.access_token), 400, "validation_error");
  auto one = get(server, "/api/v1/signals/" + str(first.json(), "id"), s.access_token);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body, first.body);
  expect_error(get(server, "/api/v1/signals/" + Uuid::v4().to_string(), s.access_token), 404, "not_found");

  // Another user sees none of it.
  auto stranger = sign_up(server, unique_email("other"));
  expect_error(get(server, "/api/v1/signals/" + str(first.json(), "id"), stranger.access_token), 404, "not_found");
  expect_error(signal(server, stranger.access_token, body), 422, "no_targets");

  // A key without signals:write cannot signal; a key cannot manage targets.
  auto key = post(server, "/api/v1/api-keys", {{"name", "reader"}, {"scopes", boost::json::array{"trading:read"}}},
                  bearer(s.access_token));
  ASSERT_EQ(key.status, 201) << key.summary();
  const std::string ak = str(key.json(), "key");
  expect_error(signal(server, ak, body), 403, "insufficient_scope");
  expect_error(get(server, "/api/v1/signals/targets", ak), 403, "principal_not_allowed");
  EXPECT_EQ(get(server, "/api/v1/signals", ak).status, 200);
}

std::string sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
  const auto mac = hmac_sha256(secret, timestamp + "." + body);
  return "sha256=" + hex_encode(std::span<const std::uint8_t>(mac));
}

HttpResponse deliver(const ServerProcess& server, const std::string& key, const std::string& body,
                     Headers headers = {{"Content-Type", "text/plain"}}) {
  HttpConnection c("127.0.0.1", server.api_port());
  return c.request("POST", "/api/v1/signals/webhook/" + key, headers, body);
}

std::string now_s(std::int64_t offset = 0) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        offset);
}

TEST(TraderSignals, WebhooksUrlAndHmacModesRotationAndLimit) {
  ServerProcess server(server_args({"--feed-sim-markets", "0", "--public-base-url", "https://api.example.test"}));
  create_manual_market(server, "hail-sig");
  auto s = sign_up(server, unique_email("hook"));
  const std::string account = str(get(server, "/api/v1/accounts", s.access_token).json().at("data").at(0), "accountId");

  auto created = post(server, "/api/v1/signals/webhooks",
                      {{"name", "TradingView"},
                       {"targets", boost::json::array{account.c_str()}},
                       {"defaults", {{"sizeType", "shares"}, {"size", "5"}, {"orderType", "market"}}}},
                      bearer(s.access_token));
  ASSERT_EQ(created.status, 201) << created.summary();
  const auto hook = created.json();
  const std::string secret = str(hook, "secret");
  EXPECT_EQ(str(hook, "auth"), "url");
  EXPECT_EQ(secret.size(), 55u);
  EXPECT_EQ(secret.substr(0, 3), "wh_");
  EXPECT_EQ(str(hook, "prefix"), secret.substr(0, 15));
  EXPECT_EQ(str(hook, "url"), "https://api.example.test/api/v1/signals/webhook/" + secret);
  EXPECT_EQ(str(hook.at("defaults"), "size"), "5");
  EXPECT_EQ(created.header("Cache-Control").value_or(""), "no-store");

  // url mode: a tolerant text/plain body, enums in any case, size from the defaults.
  const std::string alert = R"({"marketId":"hail-sig","action":"Buy","outcome":"yes","ticker":"HAIL","price":0.56})";
  auto delivered = deliver(server, secret, alert);
  ASSERT_EQ(delivered.status, 201) << delivered.summary();
  EXPECT_EQ(str(delivered.json(), "source"), "webhook");
  EXPECT_EQ(str(delivered.json(), "sizeType"), "shares");
  EXPECT_EQ(str(delivered.json(), "size"), "5");
  EXPECT_EQ(str(result_of(delivered, 0), "status"), "filled");
  EXPECT_EQ(str(result_of(delivered, 0), "filledSize"), "5");
  expect_rate_limit_headers(delivered, 200, 60);
  expect_error(deliver(server, "wh_" + std::string(52, 'a'), alert), 401, "unauthorized");
  expect_error(deliver(server, secret, "not json"), 400, "invalid_json");
  EXPECT_EQ(get(server, "/api/v1/signals?source=webhook", s.access_token).json().at("data").as_array().size(), 1u);

  // The list never shows the secret.
  auto listed = get(server, "/api/v1/signals/webhooks", s.access_token);
  ASSERT_EQ(listed.status, 200) << listed.summary();
  EXPECT_EQ(listed.json().at("data").as_array().size(), 1u);
  EXPECT_FALSE(listed.json().at("data").at(0).as_object().contains("secret"));
  EXPECT_FALSE(listed.json().at("data").at(0).as_object().contains("url"));
  EXPECT_EQ(listed.body.find(secret), std::string::npos);

  // Rotation kills the old secret at once.
  auto rotated = post(server, "/api/v1/signals/webhooks/" + str(hook, "id") + "/rotate", {}, bearer(s.access_token));
  ASSERT_EQ(rotated.status, 200) << rotated.summary();
  const std::string fresh = str(rotated.json(), "secret");
  EXPECT_NE(fresh, secret);
  expect_error(deliver(server, secret, alert), 401, "unauthorized");
  EXPECT_EQ(deliver(server, fresh, alert).status, 201);

  // hmac mode: the URL ends in the id; timestamp and signature over the raw body.
  auto hmac = post(server, "/api/v1/signals/webhooks", {{"name", "signed"}, {"auth", "hmac"}}, bearer(s.access_token));
  ASSERT_EQ(hmac.status, 201) << hmac.summary();
  const std::string hmac_id = str(hmac.json(), "id");
  const std::string hmac_secret = str(hmac.json(), "secret");
  EXPECT_EQ(str(hmac.json(), "url"), "https://api.example.test/api/v1/signals/webhook/" + hmac_id);
  // No targets of its own: the user's (none yet, then the demo account).
  ASSERT_EQ(send(server, "PUT", "/api/v1/signals/targets",
                 json_text({{"accountIds", boost::json::array{account.c_str()}}}), bearer(s.access_token))
                .status,
            200);
  const std::string sized = R"({"marketId":"hail-sig","action":"buy","outcome":"YES","sizeType":"shares","size":"6"})";
  const auto ts = now_s();
  const Headers good = {{"Content-Type", "application/json"},
                        {"X-Polysim-Timestamp", ts},
                        {"X-Polysim-Signature", sign(hmac_secret, ts, sized)}};
  auto signed_delivery = deliver(server, hmac_id, sized, good);
  ASSERT_EQ(signed_delivery.status, 201) << signed_delivery.summary();
  EXPECT_EQ(str(result_of(signed_delivery, 0), "filledSize"), "6");
  // The same delivery again is the same signal: the signature is its key.
  auto again = deliver(server, hmac_id, sized, good);
  ASSERT_EQ(again.status, 200) << again.summary();
  EXPECT_EQ(again.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(again.body, signed_delivery.body);
  // A bad signature, a wrong mode, an expired timestamp.
  expect_error(deliver(server, hmac_id, sized,
                       {{"X-Polysim-Timestamp", ts}, {"X-Polysim-Signature", sign("wh_wrong", ts, sized)}}),
               401, "unauthorized");
  expect_error(deliver(server, hmac_id, sized), 401, "unauthorized");
  expect_error(deliver(server, hmac_secret, sized), 401, "unauthorized");  // url mode with an hmac secret
  const auto old = now_s(-400);
  expect_error(deliver(server, hmac_id, sized,
                       {{"X-Polysim-Timestamp", old}, {"X-Polysim-Signature", sign(hmac_secret, old, sized)}}),
               401, "signature_expired");

  // Management is JWT only.
  auto key = post(server, "/api/v1/api-keys", {{"name", "bot"}, {"scopes", boost::json::array{"signals:write"}}},
                  bearer(s.access_token));
  ASSERT_EQ(key.status, 201) << key.summary();
  expect_error(get(server, "/api/v1/signals/webhooks", str(key.json(), "key")), 403, "principal_not_allowed");

  // At most 20 live webhooks; deleting one makes room.
  for (int i = 2; i < 20; ++i)
    ASSERT_EQ(post(server, "/api/v1/signals/webhooks", {{"name", "h" + std::to_string(i)}}, bearer(s.access_token)).status,
              201);
  expect_error(post(server, "/api/v1/signals/webhooks", {{"name", "h20"}}, bearer(s.access_token)), 409,
               "webhook_limit_reached");
  auto removed = send(server, "DELETE", "/api/v1/signals/webhooks/" + hmac_id, std::nullopt, bearer(s.access_token));
  EXPECT_EQ(removed.status, 204);
  expect_error(deliver(server, hmac_id, sized, good), 401, "unauthorized");
  EXPECT_EQ(post(server, "/api/v1/signals/webhooks", {{"name", "h20"}}, bearer(s.access_token)).status, 201);
  expect_error(send(server, "DELETE", "/api/v1/signals/webhooks/" + hmac_id, std::nullopt, bearer(s.access_token)), 404,
               "not_found");

  // The access log shows a url-mode secret only by its prefix.
  const auto log = server.log_tail(200'000);
  EXPECT_EQ(log.find(fresh), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_NE(log.find("/api/v1/signals/webhook/" + fresh.substr(0, 15)), std::string::npos);
}

}  // namespace
}  // namespace polysim::testing::trader_it
