// The App API against the real binary (30-partner-apps.md §2-§8): email sign-in, scanner-safe
// magic links, exchange codes, refresh and sign-out, the exact testing-mode caps under
// concurrency, and /execution/fill with its trade cap.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/totp.hpp"
#include "support/http_client.hpp"
#include "support/partner_fixture.hpp"
#include "support/server_process.hpp"
#include "dashboard_helpers.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing {
namespace {

using trader_it::unique_email;
using trader_it::wait_for_mail;

constexpr std::string_view kOrigin = "https://app.partner.test";
constexpr const char* kUserCap =
    "This app has reached its testing limit of 20 users. Sign the partner agreement to enable live mode and "
    "continue adding users.";
constexpr const char* kTradeCap =
    "This app has reached its testing limit of 100 trades. Sign the partner agreement to enable live mode and "
    "continue placing trades.";

std::vector<std::string> app_server_args() {
  return trader_it::server_args({"--ratelimit-app-ip", "100000/60s", "--ratelimit-app-app", "100000/60s",
                                 "--ratelimit-app-auth-start-ip", "100000/60s", "--ratelimit-app-auth-start-email",
                                 "100000/60s", "--ratelimit-app-auth-verify-ip", "100000/60s"});
}

struct TestApp {
  std::string id;
  std::string tenant_id;
  std::string tenant_name;
};

TestApp create_app(ServerProcess& server, const std::string& tenant_name) {
  auto tenant = make_tenant(server, tenant_name);
  auto result = server.run_cli({"app", "create", "--tenant", tenant_name, "--name", "Partner App",
                                "--redirect-origin", std::string(kOrigin), "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  auto v = boost::json::parse(result.out).as_object();
  return TestApp{std::string(v.at("id").as_string()), tenant.tenant_id, tenant_name};
}

boost::json::object show_app(ServerProcess& server, const std::string& id) {
  auto result = server.run_cli({"app", "show", id, "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return boost::json::parse(result.out).as_object();
}

HttpResponse app_post(const ServerProcess& server, const std::string& app_id, std::string_view target,
                      const boost::json::object& body, Headers extra = {}) {
  extra.emplace_back("x-app-id", app_id);
  return trader_it::post(server, target, body, std::move(extra));
}

HttpResponse app_get(const ServerProcess& server, const std::string& app_id, std::string_view target,
                     Headers extra = {}) {
  extra.emplace_back("x-app-id", app_id);
  return trader_it::send(server, "GET", target, std::nullopt, std::move(extra));
}

std::string mailed_code(const ServerProcess& server, const std::string& email, std::size_t nth = 1) {
  auto mail = wait_for_mail(server, email, "app_sign_in", nth);
  EXPECT_TRUE(mail) << "no sign-in mail for " << email;
  return mail ? std::string(mail->at("code").as_string()) : std::string();
}

// Starts an email sign-in and returns the mailed code.
std::string start_email(const ServerProcess& server, const std::string& app_id, const std::string& email,
                        std::optional<std::string> redirect = std::nullopt, std::size_t nth = 1) {
  boost::json::object body{{"provider", "email"}, {"email", email}};
  if (redirect) body["redirectUrl"] = *redirect;
  auto r = app_post(server, app_id, "/auth/start", body);
  EXPECT_EQ(r.status, 200) << r.summary();
  EXPECT_EQ(r.body, R"({"type":"magic_link","success":true})");
  return mailed_code(server, email, nth);
}

struct AppSession {
  std::string access;
  std::string refresh;
};

AppSession sign_in(const ServerProcess& server, const std::string& app_id, const std::string& email) {
  const auto code = start_email(server, app_id, email);
  auto r = app_post(server, app_id, "/auth/verify", {{"email", email}, {"code", code}});
  EXPECT_EQ(r.status, 200) << r.summary();
  auto o = r.json().as_object();
  return AppSession{std::string(o.at("accessToken").as_string()), std::string(o.at("refreshToken").as_string())};
}

void expect_app_error(const HttpResponse& r, int status, std::string_view code, std::string_view message) {
  EXPECT_EQ(r.status, status) << r.summary();
  EXPECT_EQ(r.header("x-error-code").value_or(""), code) << r.summary();
  EXPECT_EQ(r.body, "{\"statusCode\":" + std::to_string(status) + ",\"message\":" +
                        boost::json::serialize(boost::json::string(message)) + "}");
}

std::string first_market(const ServerProcess& server, const std::string& app_id) {
  auto r = app_get(server, app_id, "/markets");
  EXPECT_EQ(r.status, 200) << r.summary();
  auto data = r.json().at("data").as_array();
  EXPECT_FALSE(data.empty());
  return data.empty() ? "" : std::string(data[0].at("id").as_string());
}

// The tenant's staff presses Go Live in the Dashboard, confirming the agreement.
void go_live(ServerProcess& server, const TestApp& app) {
  const auto staff = dashboard_it::unique("staff") + "@example.com";
  dashboard_it::cli_ok(server, {"staff", "create", "--tenant", app.tenant_name, "--email", staff, "--password-stdin"},
                       std::string(dashboard_it::kPassword) + "\n");
  dashboard_it::Browser browser(server.api_port());
  browser.login(staff);
  auto r = browser.post("/dashboard/apps/" + app.id + "/go-live", {{"_csrf", browser.csrf()}, {"accept", "yes"}});
  ASSERT_EQ(r.status, 303) << r.summary(800);
  ASSERT_EQ(show_app(server, app.id).at("mode").as_string(), "live");
}

// Irreversible even for SQL: the schema refuses to set the flag back.
void expect_flag_cannot_be_reset(const ServerProcess& server, const std::string& app_id) {
  sqlite3* db = nullptr;
  const auto path = (std::filesystem::path(server.data_dir()) / "polysim.db").string();
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const auto back = "UPDATE apps SET partner_agreement_signed = 0 WHERE id = '" + app_id + "'";
  EXPECT_NE(sqlite3_exec(db, back.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(AppApi, CliCreatesAnAppInTestingModeAndRefusesABadOrigin) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-cli");
  auto shown = show_app(server, app.id);
  EXPECT_EQ(shown.at("mode").as_string(), "testing");
  EXPECT_EQ(shown.at("partnerAgreementSigned").as_bool(), false);
  EXPECT_EQ(shown.at("userCount").as_int64(), 0);
  EXPECT_EQ(shown.at("tradeCount").as_int64(), 0);
  EXPECT_EQ(shown.at("allowedRedirectOrigins").as_array().size(), 1u);
  EXPECT_EQ(app.id.size(), 28u);
  auto bad = server.run_cli({"app", "create", "--tenant", "apps-cli", "--name", "Other", "--redirect-origin",
                             "ftp://nope.example"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  auto dup = server.run_cli({"app", "create", "--tenant", "apps-cli", "--name", "partner app"});
  EXPECT_EQ(dup.exit_code, 2) << "names are unique per tenant in any letter case";
}

TEST(AppApi, EmailSignInRefreshSignOutAndTheChecksBeforeThem) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-email");

  expect_app_error(trader_it::post(server, "/auth/start", {{"provider", "email"}, {"email", "a@example.com"}}), 401,
                   "invalid_app_id", "Missing or invalid x-app-id header.");
  expect_app_error(app_post(server, "app_000000000000000000000000", "/auth/start", {{"provider", "email"}}), 401,
                   "invalid_app_id", "Missing or invalid x-app-id header.");
  expect_app_error(app_post(server, app.id, "/auth/start", {{"provider", "email"}, {"email", "a@example.com"}},
                            {{"Origin", "https://evil.example"}}),
                   403, "origin_not_allowed", "Origin is not allowed for this app.");
  expect_app_error(app_post(server, app.id, "/auth/start", {{"provider", "siwe"}}), 400, "validation_failed",
                   "Wallet sign-in is not supported.");
  expect_app_error(app_post(server, app.id, "/auth/start", {{"provider", "github"}}), 400, "validation_failed",
                   "Unsupported provider: github.");
  expect_app_error(app_post(server, app.id, "/auth/start", {{"provider", "email"}, {"email", "nope"}}), 400,
                   "validation_failed", "email must be a valid email address.");
  expect_app_error(app_post(server, app.id, "/auth/start",
                            {{"provider", "email"}, {"email", "a@example.com"}, {"redirectUrl", "https://other.test/x"}}),
                   400, "validation_failed", "redirectUrl is not allowed for this app.");
  expect_app_error(
      app_post(server, app.id, "/auth/start",
               {{"provider", "email"}, {"email", "a@example.com"}, {"redirectUrl", std::string(kOrigin) + "/cb?state=1"}}),
      400, "validation_failed", "redirectUrl must not contain the query parameters code, error, message or state.");

  const auto email = unique_email("app");
  const auto code = start_email(server, app.id, email);
  // A wrong code costs an attempt and says nothing more.
  expect_app_error(app_post(server, app.id, "/auth/verify", {{"email", email}, {"code", "000000"}}), 401,
                   "invalid_code", "Invalid or expired code.");
  auto verified = app_post(server, app.id, "/auth/verify", {{"email", email}, {"code", code}},
                           {{"Origin", std::string(kOrigin)}});
  ASSERT_EQ(verified.status, 200) << verified.summary();
  EXPECT_EQ(verified.header("Access-Control-Allow-Origin").value_or(""), kOrigin);
  EXPECT_EQ(verified.header("Cache-Control").value_or(""), "no-store");
  EXPECT_TRUE(verified.header("X-RateLimit-Limit"));
  auto tokens = verified.json().as_object();
  EXPECT_EQ(tokens.at("expiresIn").as_int64(), 900);
  EXPECT_TRUE(tokens.at("user").as_object().at("userId").is_int64());
  const std::string access(tokens.at("accessToken").as_string());
  const std::string refresh(tokens.at("refreshToken").as_string());
  // A code works once.
  expect_app_error(app_post(server, app.id, "/auth/verify", {{"email", email}, {"code", code}}), 401, "invalid_code",
                   "Invalid or expired code.");

  auto me = app_get(server, app.id, "/users/me", trader_it::bearer(access));
  ASSERT_EQ(me.status, 200) << me.summary();
  EXPECT_EQ(me.json().at("email").as_string(), email);
  // App tokens are for this surface and this app only.
  expect_app_error(app_get(server, app.id, "/users/me"), 401, "invalid_access_token", "Invalid or expired access token.");
  auto other = create_app(server, "apps-email-2");
  expect_app_error(app_get(server, other.id, "/users/me", trader_it::bearer(access)), 401, "invalid_access_token",
                   "Invalid or expired access token.");
  EXPECT_EQ(trader_it::send(server, "GET", "/api/v1/auth/me", std::nullopt, trader_it::bearer(access)).status, 401);

  auto rotated = app_post(server, app.id, "/auth/token/refresh", {{"refreshToken", refresh}});
  ASSERT_EQ(rotated.status, 200) << rotated.summary();
  const std::string access2(rotated.json().at("accessToken").as_string());
  expect_app_error(app_post(server, other.id, "/auth/token/refresh", {{"refreshToken", refresh}}), 401,
                   "invalid_refresh_token", "Invalid or expired refresh token.");

  auto out = app_post(server, app.id, "/auth/sign-out", {}, trader_it::bearer(access2));
  ASSERT_EQ(out.status, 200) << out.summary();
  EXPECT_EQ(out.body, R"({"success":true})");
  expect_app_error(app_get(server, app.id, "/users/me", trader_it::bearer(access2)), 401, "invalid_access_token",
                   "Invalid or expired access token.");
  EXPECT_EQ(show_app(server, app.id).at("userCount").as_int64(), 1);
}

TEST(AppApi, MagicLinkIsScannerSafeAndItsExchangeCodeWorksOnce) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-magic");
  const auto email = unique_email("magic");
  start_email(server, app.id, email, std::string(kOrigin) + "/done?x=1");
  auto mail = wait_for_mail(server, email, "app_sign_in");
  ASSERT_TRUE(mail);
  const std::string link(mail->at("link").as_string());
  const auto path = link.substr(link.find("/auth/magic/"));
  for (int i = 0; i < 2; ++i) {
    auto page = trader_it::send(server, "GET", path);
    ASSERT_EQ(page.status, 200) << page.summary();
    EXPECT_NE(page.body.find("Continue"), std::string::npos);
    EXPECT_EQ(page.header("Cache-Control").value_or(""), "no-store");
  }
  HttpConnection c("127.0.0.1", server.api_port());
  auto confirmed = c.request("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}}, "");
  ASSERT_EQ(confirmed.status, 303) << confirmed.summary();
  const auto location = confirmed.header("Location").value_or("");
  ASSERT_EQ(location.rfind(std::string(kOrigin) + "/done?x=1&code=xc_", 0), 0u) << location;
  const auto code = location.substr(location.find("code=") + 5);

  auto again = HttpConnection("127.0.0.1", server.api_port())
                   .request("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}}, "");
  EXPECT_EQ(again.status, 400) << again.summary();

  auto exchanged = app_post(server, app.id, "/auth/token/exchange", {{"code", code}});
  ASSERT_EQ(exchanged.status, 200) << exchanged.summary();
  const std::string access(exchanged.json().at("accessToken").as_string());
  ASSERT_EQ(app_get(server, app.id, "/users/me", trader_it::bearer(access)).status, 200);
  // A replayed exchange code is refused and ends the session its first use created.
  expect_app_error(app_post(server, app.id, "/auth/token/exchange", {{"code", code}}), 401, "invalid_code",
                   "Invalid or expired code.");
  EXPECT_EQ(app_get(server, app.id, "/users/me", trader_it::bearer(access)).status, 401);
}

TEST(AppApi, TwoHundredConcurrentNewUsersAdmitExactlyTwentyThenGoLiveLiftsTheCap) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-usercap");
  constexpr int kUsers = 200;
  std::vector<std::string> emails, codes;
  // All starts first, then the mails: the outbox sender delivers in batches.
  for (int i = 0; i < kUsers; ++i) {
    emails.push_back(unique_email("cap" + std::to_string(i)));
    auto r = app_post(server, app.id, "/auth/start", {{"provider", "email"}, {"email", emails.back()}});
    ASSERT_EQ(r.status, 200) << r.summary();
  }
  for (const auto& email : emails) codes.push_back(mailed_code(server, email));
  // A magic link started before the cap filled, used after it.
  const auto late = unique_email("late");
  start_email(server, app.id, late, std::string(kOrigin) + "/cb");
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::mutex bodies_mutex;
  std::vector<std::string> refusal_bodies;
  int admitted_index = -1, refused_index = -1;
  std::vector<std::thread> threads;
  for (int i = 0; i < kUsers; ++i) {
    threads.emplace_back([&, i] {
      auto r = app_post(server, app.id, "/auth/verify", {{"email", emails[i]}, {"code", codes[i]}});
      std::lock_guard lock(bodies_mutex);
      if (r.status == 200) {
        ++admitted;
        admitted_index = i;
      } else if (r.status == 403) {
        ++refused;
        refused_index = i;
        refusal_bodies.push_back(r.body + " " + r.header("x-error-code").value_or(""));
      } else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 20);
  EXPECT_EQ(refused.load(), 180);
  EXPECT_EQ(other.load(), 0);
  const std::string expected = std::string("{\"statusCode\":403,\"message\":\"") + kUserCap +
                               "\"} testing_user_limit_reached";
  for (const auto& b : refusal_bodies) ASSERT_EQ(b, expected);
  EXPECT_EQ(show_app(server, app.id).at("userCount").as_int64(), 20);

  // An existing user signs in again at the cap.
  ASSERT_GE(admitted_index, 0);
  ASSERT_GE(refused_index, 0);
  const auto again_code = start_email(server, app.id, emails[admitted_index], std::nullopt, 2);
  auto again = app_post(server, app.id, "/auth/verify", {{"email", emails[admitted_index]}, {"code", again_code}});
  EXPECT_EQ(again.status, 200) << again.summary();

  // The magic link of a new user redirects with the cap's error, encoded per RFC 3986.
  auto mail = wait_for_mail(server, late, "app_sign_in");
  ASSERT_TRUE(mail);
  const std::string link(mail->at("link").as_string());
  const auto path = link.substr(link.find("/auth/magic/"));
  auto capped = HttpConnection("127.0.0.1", server.api_port())
                    .request("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}}, "");
  ASSERT_EQ(capped.status, 303) << capped.summary();
  EXPECT_EQ(capped.header("Location").value_or(""),
            std::string(kOrigin) +
                "/cb?error=testing_user_limit_reached&message=This%20app%20has%20reached%20its%20testing%20limit%20of"
                "%2020%20users.%20Sign%20the%20partner%20agreement%20to%20enable%20live%20mode%20and%20continue%20"
                "adding%20users.");

  go_live(server, app);
  expect_flag_cannot_be_reset(server, app.id);
  // Refused sign-ins consumed nothing: the same link and the same code work now.
  auto live = HttpConnection("127.0.0.1", server.api_port())
                  .request("POST", path, {{"Content-Type", "application/x-www-form-urlencoded"}}, "");
  ASSERT_EQ(live.status, 303) << live.summary();
  EXPECT_NE(live.header("Location").value_or("").find("code=xc_"), std::string::npos);
  auto late_code = app_post(server, app.id, "/auth/verify", {{"email", emails[refused_index]}, {"code", codes[refused_index]}});
  EXPECT_EQ(late_code.status, 200) << "a code refused at the cap works after Go Live: " << late_code.summary();
  auto shown = show_app(server, app.id);
  EXPECT_EQ(shown.at("mode").as_string(), "live");
  EXPECT_EQ(shown.at("userCount").as_int64(), 22);
}

TEST(AppApi, FillsCountAcceptedOrdersAndTheHundredthIsTheLast) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-tradecap");
  auto session = sign_in(server, app.id, unique_email("trader"));
  const auto market = first_market(server, app.id);
  ASSERT_FALSE(market.empty());
  const boost::json::object resting{{"marketId", market}, {"outcome", "YES"}, {"side", "buy"},
                                    {"type", "limit"},    {"price", "0.01"},  {"size", "5"}};

  auto first = app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access));
  ASSERT_EQ(first.status, 201) << first.summary();
  auto order = first.json().as_object();
  EXPECT_EQ(order.at("status").as_string(), "open");
  EXPECT_EQ(order.at("appId").as_string(), app.id);
  EXPECT_EQ(order.at("side").as_string(), "buy");

  // Validation and recorded rejections never count.
  auto invalid = app_post(server, app.id, "/execution/fill", {{"marketId", market}, {"outcome", "YES"}},
                          trader_it::bearer(session.access));
  EXPECT_EQ(invalid.status, 400) << invalid.summary();
  auto paper = app_post(server, app.id, "/execution/fill", {{"mode", "live"}}, trader_it::bearer(session.access));
  expect_app_error(paper, 400, "validation_failed", "Only paper mode is available.");
  auto naked = app_post(server, app.id, "/execution/fill",
                        {{"marketId", market}, {"outcome", "NO"}, {"side", "sell"}, {"size", "5"}},
                        trader_it::bearer(session.access));
  EXPECT_EQ(naked.status, 422) << naked.summary();
  EXPECT_EQ(naked.header("x-error-code").value_or(""), "insufficient_position");
  ASSERT_TRUE(naked.header("x-order-id"));
  auto stored = app_get(server, app.id, "/execution/orders/" + *naked.header("x-order-id"),
                        trader_it::bearer(session.access));
  ASSERT_EQ(stored.status, 200) << stored.summary();
  EXPECT_EQ(stored.json().at("status").as_string(), "rejected");
  EXPECT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 1);

  // A replay returns the stored order and counts nothing.
  auto with_id = resting;
  with_id["clientOrderId"] = "replay-1";
  ASSERT_EQ(app_post(server, app.id, "/execution/fill", with_id, trader_it::bearer(session.access)).status, 201);
  auto replayed = app_post(server, app.id, "/execution/fill", with_id, trader_it::bearer(session.access));
  EXPECT_EQ(replayed.status, 200) << replayed.summary();
  EXPECT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 2);

  for (int i = 0; i < 93; ++i)
    ASSERT_EQ(app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access)).status, 201);
  ASSERT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 95);

  std::atomic<int> created{0}, capped{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 200; ++i) {
    threads.emplace_back([&] {
      auto r = app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access));
      if (r.status == 201) ++created;
      else if (r.status == 403 && r.header("x-error-code") == "testing_trade_limit_reached" &&
               r.body == std::string("{\"statusCode\":403,\"message\":\"") + kTradeCap + "\"}")
        ++capped;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 5);
  EXPECT_EQ(capped.load(), 195);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 100);

  go_live(server, app);
  auto after = app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access));
  EXPECT_EQ(after.status, 201) << after.summary();
  EXPECT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 101);

  auto balances = app_get(server, app.id, "/execution/balances", trader_it::bearer(session.access));
  ASSERT_EQ(balances.status, 200) << balances.summary();
  EXPECT_EQ(balances.json().at("currency").as_string(), "USD");
  auto orders = app_get(server, app.id, "/execution/orders?status=open&limit=5", trader_it::bearer(session.access));
  ASSERT_EQ(orders.status, 200) << orders.summary();
  EXPECT_EQ(orders.json().at("data").as_array().size(), 5u);
  EXPECT_TRUE(orders.json().at("hasMore").as_bool());

  const std::string order_id(order.at("id").as_string());
  auto cancelled = app_post(server, app.id, "/execution/orders/" + order_id + "/cancel", {},
                            trader_it::bearer(session.access));
  ASSERT_EQ(cancelled.status, 200) << cancelled.summary();
  EXPECT_EQ(cancelled.json().at("status").as_string(), "cancelled");
  expect_app_error(app_post(server, app.id, "/execution/orders/" + order_id + "/cancel", {},
                            trader_it::bearer(session.access)),
                   409, "order_not_open", "Order is not open.");
}

TEST(AppApi, AUserWithMfaOnGetsTokensOnlyAfterTheSecondFactor) {
  ServerProcess server(app_server_args());
  // Self-registered traders live in the retail tenant; an app of that tenant signs them in.
  const auto email = unique_email("mfa");
  auto trader = trader_it::sign_up(server, email);
  auto setup = trader_it::send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt,
                               trader_it::bearer(trader.access_token));
  ASSERT_EQ(setup.status, 200) << setup.summary();
  const auto secret = *auth::parse_totp_secret_base32(std::string(setup.json().at("secret").as_string()));
  const auto step = auth::totp_step(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto confirmed = trader_it::send(server, "POST", "/api/v1/auth/mfa/confirm",
                                   trader_it::json_text({{"code", auth::hotp_code(secret, static_cast<std::uint64_t>(step))}}),
                                   trader_it::bearer(trader.access_token));
  ASSERT_EQ(confirmed.status, 200) << confirmed.summary();
  const std::string backup(confirmed.json().at("backupCodes").as_array()[0].as_string());

  auto created = server.run_cli({"app", "create", "--tenant", "retail", "--name", "Retail App", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string app_id(boost::json::parse(created.out).at("id").as_string());
  const auto code = start_email(server, app_id, email);
  auto first = app_post(server, app_id, "/auth/verify", {{"email", email}, {"code", code}});
  ASSERT_EQ(first.status, 200) << first.summary();
  auto challenge = first.json().as_object();
  EXPECT_TRUE(challenge.at("mfaRequired").as_bool());
  EXPECT_FALSE(challenge.contains("accessToken"));
  const std::string mfa_token(challenge.at("mfaToken").as_string());

  // The trader surface does not accept an app's challenge.
  EXPECT_NE(trader_it::post(server, "/api/v1/auth/mfa/verify", {{"mfaToken", mfa_token}, {"backupCode", backup}}).status,
            200);
  expect_app_error(app_post(server, app_id, "/auth/mfa/verify", {{"mfaToken", mfa_token}, {"code", "000000"}}), 401,
                   "invalid_code", "Invalid or expired code.");
  auto verified = app_post(server, app_id, "/auth/mfa/verify", {{"mfaToken", mfa_token}, {"backupCode", backup}});
  ASSERT_EQ(verified.status, 200) << verified.summary();
  const std::string access(verified.json().at("accessToken").as_string());
  EXPECT_EQ(app_get(server, app_id, "/users/me", trader_it::bearer(access)).json().at("email").as_string(), email);
  expect_app_error(app_post(server, app_id, "/auth/mfa/verify", {{"mfaToken", mfa_token}, {"backupCode", backup}}), 401,
                   "invalid_code", "Invalid or expired code.");
}

TEST(AppApi, KillNineMidBurstLeaksNoTradeSlot) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-crash");
  auto session = sign_in(server, app.id, unique_email("crash"));
  const auto market = first_market(server, app.id);
  const boost::json::object resting{{"marketId", market}, {"outcome", "YES"}, {"side", "buy"},
                                    {"type", "limit"},    {"price", "0.01"},  {"size", "5"}};
  std::atomic<bool> stop{false};
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 200 && !stop.load(); ++i) {
        try {
          if (app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access)).status == 201)
            ++accepted;
        } catch (const std::exception&) {
          return;  // the server is gone
        }
      }
    });
  }
  // Killed halfway to the cap, while fills are in flight.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (accepted.load() < 40 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server.kill9();
  stop = true;
  for (auto& t : clients) t.join();
  server.start();
  // Every slot is settled: the count is exactly the orders that exist, and the cap still holds.
  const auto counted = show_app(server, app.id).at("tradeCount").as_int64();
  std::int64_t stored = 0;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    auto r = app_get(server, app.id, "/execution/orders?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor),
                     trader_it::bearer(session.access));
    ASSERT_EQ(r.status, 200) << r.summary();
    const auto body = r.json();
    stored += static_cast<std::int64_t>(body.at("data").as_array().size());
    if (!body.at("hasMore").as_bool()) break;
    cursor = std::string(body.at("nextCursor").as_string());
  }
  EXPECT_EQ(counted, stored);
  EXPECT_LE(counted, 100);
  for (std::int64_t i = counted; i < 100; ++i)
    ASSERT_EQ(app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access)).status, 201)
        << "slot " << i << " of 100 must be free after recovery";
  EXPECT_EQ(app_post(server, app.id, "/execution/fill", resting, trader_it::bearer(session.access)).status, 403);
}

TEST(AppApi, QuoteEstimatesWithoutPlacingOrCounting) {
  ServerProcess server(app_server_args());
  auto app = create_app(server, "apps-quote");
  auto session = sign_in(server, app.id, unique_email("quote"));
  const auto market = first_market(server, app.id);
  auto buy = app_post(server, app.id, "/execution/quote",
                      {{"marketId", market}, {"outcome", "YES"}, {"side", "buy"}, {"amount", "25"}},
                      trader_it::bearer(session.access));
  ASSERT_EQ(buy.status, 200) << buy.summary();
  auto q = buy.json().as_object();
  EXPECT_TRUE(q.at("canExecute").as_bool()) << buy.body;
  EXPECT_TRUE(q.at("reason").is_null());
  EXPECT_NE(q.at("estimatedSize").as_string(), "0");
  EXPECT_FALSE(q.at("bestAsk").is_null());
  auto sell = app_post(server, app.id, "/execution/quote",
                       {{"marketId", market}, {"outcome", "YES"}, {"side", "sell"}, {"size", "5"}},
                       trader_it::bearer(session.access));
  ASSERT_EQ(sell.status, 200) << sell.summary();
  EXPECT_FALSE(sell.json().at("canExecute").as_bool());
  EXPECT_EQ(sell.json().at("reason").as_string(), "insufficient_position");
  expect_app_error(app_post(server, app.id, "/execution/quote",
                            {{"marketId", "no-such-market"}, {"outcome", "YES"}, {"side", "buy"}, {"amount", "5"}},
                            trader_it::bearer(session.access)),
                   404, "market_not_found", "Market not found.");
  // Nothing was placed, reserved or counted.
  auto balances = app_get(server, app.id, "/execution/balances", trader_it::bearer(session.access)).json();
  EXPECT_EQ(balances.at("cash").as_string(), "10000.00");
  EXPECT_EQ(balances.at("reserved").as_string(), "0.00");
  EXPECT_EQ(show_app(server, app.id).at("tradeCount").as_int64(), 0);
}

TEST(AppApi, RateLimitsChargeTheIpAndAnswerInTheSurfaceEnvelope) {
  ServerProcess server(trader_it::server_args({"--ratelimit-app-ip", "3/60s"}));
  auto app = create_app(server, "apps-limits");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(app_get(server, app.id, "/markets").status, 200);
  auto refused = app_get(server, app.id, "/markets");
  ASSERT_EQ(refused.status, 429) << refused.summary();
  const auto retry = refused.header("Retry-After").value_or("");
  ASSERT_FALSE(retry.empty());
  expect_app_error(refused, 429, "rate_limited", "Too many requests. Retry after " + retry + "s.");
  EXPECT_EQ(refused.header("X-RateLimit-Remaining").value_or(""), "0");
  // Preflights are not limited.
  auto preflight = HttpConnection("127.0.0.1", server.api_port())
                       .request("OPTIONS", "/markets", {{"Origin", "https://x.test"},
                                                        {"Access-Control-Request-Method", "GET"}}, "");
  EXPECT_EQ(preflight.status, 204) << preflight.summary();
}

}  // namespace
}  // namespace polysim::testing
