// Desktops, paired devices and personal API keys against the real binary (20-trader-api.md §7,
// §8; testable property 10).
#include <regex>

#include "auth/totp.hpp"
#include "integration/trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

const boost::json::object kDesktop = {{"deviceName", "Ada's MacBook"}, {"platform", "macos"}, {"appVersion", "3.2.1"}};

boost::json::object desktop_login_body(const std::string& email, std::optional<std::string> installation = std::nullopt) {
  boost::json::object body = kDesktop;
  body["email"] = email;
  body["password"] = kPassword;
  if (installation) body["installationId"] = *installation;
  return body;
}

std::string me_status(const ServerProcess& server, std::string_view token) {
  return std::to_string(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(token)).status);
}

TEST(TraderDevices, DesktopLoginIssuesADeviceTokenWithAllScopes) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  const auto email = unique_email("desk");
  auto s = sign_up(server, email);
  const std::string install = Uuid::v4().to_string();
  auto r = post(server, "/api/v1/auth/desktop-login", desktop_login_body(email, install));
  ASSERT_EQ(r.status, 200) << r.summary();
  expect_rate_limit_headers(r, 10, 900);
  auto body = r.json().as_object();
  const std::string token(body.at("deviceToken").as_string());
  ASSERT_EQ(token.substr(0, 3), "dt_");
  const auto& device = body.at("device").as_object();
  EXPECT_EQ(device.at("kind").as_string(), "desktop");
  EXPECT_EQ(device.at("prefix").as_string(), token.substr(0, 15));
  EXPECT_EQ(boost::json::serialize(device.at("scopes")),
            R"(["accounts:read","trading:read","trading:write","signals:write","desktop:sync"])");
  EXPECT_EQ(body.at("user").at("email").as_string(), email);
  EXPECT_TRUE(wait_for_mail(server, email, "new_device"));

  EXPECT_EQ(me_status(server, token), "200");
  // Credential management is for users only.
  expect_error(send(server, "GET", "/api/v1/auth/mfa", std::nullopt, bearer(token)), 403, "principal_not_allowed");
  expect_error(send(server, "GET", "/api/v1/api-keys", std::nullopt, bearer(token)), 403, "principal_not_allowed");

  // The same installation again replaces that device's token.
  auto again = post(server, "/api/v1/auth/desktop-login", desktop_login_body(email, install));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("device").at("id"), device.at("id"));
  EXPECT_EQ(me_status(server, token), "401");
  const std::string second_token(again.json().at("deviceToken").as_string());
  EXPECT_EQ(me_status(server, second_token), "200");

  // Listing and revoking; a device may sign itself out.
  auto list = send(server, "GET", "/api/v1/devices", std::nullopt, bearer(s.access_token));
  ASSERT_EQ(list.status, 200) << list.summary();
  EXPECT_EQ(list.json().at("data").as_array().size(), 1u);
  EXPECT_TRUE(list.json().at("nextCursor").is_null());
  EXPECT_EQ(send(server, "DELETE", "/api/v1/devices/current", std::nullopt, bearer(second_token)).status, 204);
  EXPECT_EQ(me_status(server, second_token), "401");
  expect_error(send(server, "DELETE", "/api/v1/devices/current", std::nullopt, bearer(s.access_token)), 403,
               "principal_not_allowed");
  EXPECT_EQ(send(server, "GET", "/api/v1/devices?includeRevoked=true", std::nullopt, bearer(s.access_token))
                .json().at("data").as_array().size(),
            1u);
  EXPECT_EQ(send(server, "GET", "/api/v1/devices", std::nullopt, bearer(s.access_token)).json().at("data").as_array().size(),
            0u);

  // Wrong password: the login answer.
  auto wrong = desktop_login_body(email);
  wrong["password"] = "not the password at all";
  expect_error(post(server, "/api/v1/auth/desktop-login", wrong), 401, "invalid_credentials");
  auto bad_platform = desktop_login_body(email);
  bad_platform["platform"] = "amiga";
  expect_error(post(server, "/api/v1/auth/desktop-login", bad_platform), 400, "validation_error");
}

TEST(TraderDevices, DeviceAuthorizationFlow) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  const auto email = unique_email("pair");
  auto s = sign_up(server, email);
  boost::json::object request = {{"deviceName", "Trading VPS"}, {"platform", "linux"}, {"appVersion", "1.4.0"},
                                 {"scopes", boost::json::array{"trading:read", "signals:write"}}};
  auto started = post(server, "/api/v1/auth/device-login", request);
  ASSERT_EQ(started.status, 200) << started.summary();
  auto codes = started.json().as_object();
  const std::string device_code(codes.at("deviceCode").as_string());
  const std::string user_code(codes.at("userCode").as_string());
  EXPECT_TRUE(std::regex_match(user_code, std::regex("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")));
  EXPECT_EQ(codes.at("verificationUri").as_string(), std::string(kTraderAppUrl) + "/device");
  EXPECT_EQ(codes.at("verificationUriComplete").as_string(), std::string(kTraderAppUrl) + "/device?code=" + user_code);
  EXPECT_EQ(codes.at("expiresIn").as_int64(), 600);
  EXPECT_EQ(codes.at("interval").as_int64(), 5);

  auto poll = [&] { return post(server, "/api/v1/auth/device-login/token", {{"deviceCode", device_code}}); };
  expect_error(poll(), 400, "authorization_pending");
  expect_error(poll(), 400, "slow_down");  // faster than the interval

  // The signed-in trader looks the request up by its code, in any spelling, and approves it.
  std::string lower = user_code.substr(0, 4) + user_code.substr(5);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto described = send(server, "GET", "/api/v1/devices/authorize/" + lower, std::nullopt, bearer(s.access_token));
  ASSERT_EQ(described.status, 200) << described.summary();
  EXPECT_EQ(described.json().at("deviceName").as_string(), "Trading VPS");
  EXPECT_EQ(boost::json::serialize(described.json().at("scopes")), R"(["trading:read","signals:write"])");
  auto decide = [&](std::string_view decision) {
    return send(server, "POST", "/api/v1/devices/authorize",
                json_text({{"userCode", user_code}, {"decision", decision}}), bearer(s.access_token));
  };
  auto approved = decide("approve");
  ASSERT_EQ(approved.status, 200) << approved.summary();
  EXPECT_EQ(approved.body, R"({"status":"approved"})");
  expect_error(decide("deny"), 409, "already_decided");

  advance_clock(server, 11s);  // past the slowed-down interval
  auto issued = poll();
  ASSERT_EQ(issued.status, 200) << issued.summary();
  const std::string token(issued.json().at("deviceToken").as_string());
  EXPECT_EQ(issued.json().at("device").at("kind").as_string(), "device");
  EXPECT_EQ(boost::json::serialize(issued.json().at("device").at("scopes")), R"(["trading:read","signals:write"])");
  EXPECT_EQ(me_status(server, token), "200");
  advance_clock(server, 11s);
  expect_error(poll(), 400, "invalid_or_expired_token");  // handed out once

  // A denied request.
  auto second = post(server, "/api/v1/auth/device-login", request).json().as_object();
  ASSERT_EQ(send(server, "POST", "/api/v1/devices/authorize",
                 json_text({{"userCode", second.at("userCode")}, {"decision", "deny"}}), bearer(s.access_token))
                .status,
            200);
  expect_error(post(server, "/api/v1/auth/device-login/token", {{"deviceCode", second.at("deviceCode")}}), 403,
               "access_denied");
  expect_error(send(server, "GET", "/api/v1/devices/authorize/BCDF-GHJK", std::nullopt, bearer(s.access_token)), 404,
               "not_found");

  // Revoked by the user: dead at once here (cache off), within the TTL elsewhere.
  auto devices = send(server, "GET", "/api/v1/devices", std::nullopt, bearer(s.access_token)).json();
  const std::string id(devices.at("data").at(0).at("id").as_string());
  EXPECT_EQ(send(server, "DELETE", "/api/v1/devices/" + id, std::nullopt, bearer(s.access_token)).status, 204);
  EXPECT_EQ(me_status(server, token), "401");
  expect_error(send(server, "DELETE", "/api/v1/devices/" + id, std::nullopt, bearer(s.access_token)), 404, "not_found");
}

TEST(TraderDevices, DesktopLoginWithMfaGoesThroughTheChallenge) {
  ServerProcess server(server_args());
  const auto email = unique_email("deskmfa");
  auto s = sign_up(server, email);
  auto setup = send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt, bearer(s.access_token));
  auto secret = *auth::parse_totp_secret_base32(std::string(setup.json().at("secret").as_string()));
  const auto step = auth::totp_step(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
  ASSERT_EQ(send(server, "POST", "/api/v1/auth/mfa/confirm", json_text({{"code", auth::hotp_code(secret, step)}}),
                 bearer(s.access_token))
                .status,
            200);
  auto challenged = post(server, "/api/v1/auth/desktop-login", desktop_login_body(email));
  ASSERT_EQ(challenged.status, 200);
  ASSERT_TRUE(challenged.json().at("mfaRequired").as_bool()) << challenged.summary();
  auto done = post(server, "/api/v1/auth/mfa/verify",
                   {{"mfaToken", challenged.json().at("mfaToken")}, {"code", auth::hotp_code(secret, step + 1)}});
  ASSERT_EQ(done.status, 200) << done.summary();
  EXPECT_EQ(done.json().at("device").at("name").as_string(), "Ada's MacBook");
  EXPECT_EQ(me_status(server, done.json().at("deviceToken").as_string()), "200");
}

TEST(TraderApiKeys, CreateListUseRevoke) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  auto s = sign_up(server, unique_email("keys"));
  auto create = [&](boost::json::object body) {
    return send(server, "POST", "/api/v1/api-keys", json_text(body), bearer(s.access_token));
  };
  auto created = create({{"name", "tv-bot"}, {"scopes", boost::json::array{"signals:write"}}});
  ASSERT_EQ(created.status, 201) << created.summary();
  EXPECT_EQ(created.header("Cache-Control").value_or(""), "no-store");
  auto key = created.json().as_object();
  const std::string secret(key.at("key").as_string());
  ASSERT_EQ(secret.substr(0, 3), "ak_");
  EXPECT_EQ(key.at("prefix").as_string(), secret.substr(0, 15));
  EXPECT_TRUE(key.at("lastUsedAt").is_null());

  auto list = send(server, "GET", "/api/v1/api-keys", std::nullopt, bearer(s.access_token));
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(list.json().at("data").at(0).as_object().contains("key"));
  EXPECT_EQ(list.json().at("data").at(0).at("id"), key.at("id"));

  // The key is a principal of its own: its own bucket, no credential management.
  auto as_key = send(server, "GET", "/api/v1/auth/me", std::nullopt, {{"X-API-Key", secret}});
  ASSERT_EQ(as_key.status, 200) << as_key.summary();
  EXPECT_EQ(as_key.header("RateLimit-Remaining").value_or(""), "199");
  expect_error(send(server, "POST", "/api/v1/api-keys", json_text({{"name", "x"}, {"scopes", boost::json::array{"trading:read"}}}),
                    bearer(secret)),
               403, "principal_not_allowed");
  EXPECT_FALSE(send(server, "GET", "/api/v1/api-keys", std::nullopt, bearer(s.access_token))
                   .json().at("data").at(0).at("lastUsedAt").is_null());

  expect_error(create({{"name", "bad"}, {"scopes", boost::json::array{"desktop:sync"}}}), 400, "validation_error");
  expect_error(create({{"name", "bad"}, {"scopes", boost::json::array{}}}), 400, "validation_error");
  expect_error(create({{"name", "bad"}, {"scopes", boost::json::array{"trading:read"}}, {"expiresAt", "2020-01-01T00:00:00Z"}}),
               400, "validation_error");

  EXPECT_EQ(send(server, "DELETE", "/api/v1/api-keys/" + std::string(key.at("id").as_string()), std::nullopt,
                 bearer(s.access_token))
                .status,
            204);
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, {{"X-API-Key", secret}}), 401, "unauthorized");
  EXPECT_EQ(send(server, "DELETE", "/api/v1/api-keys/" + std::string(key.at("id").as_string()), std::nullopt,
                 bearer(s.access_token))
                .status,
            204);

  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(create({{"name", "k" + std::to_string(i)}, {"scopes", boost::json::array{"trading:read"}}}).status, 201);
  expect_error(create({{"name", "one too many"}, {"scopes", boost::json::array{"trading:read"}}}), 409,
               "api_key_limit_reached");
}

}  // namespace
}  // namespace polysim::testing::trader_it

namespace polysim::testing::trader_it {
namespace {

TEST(TraderDesktopSync, SnapshotHoldsPositionsOpenOrdersAndSignalTargets) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "sync-market");
  const auto email = unique_email("sync");
  auto s = sign_up(server, email);
  auto accounts = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(s.access_token));
  const std::string account(accounts.json().at("data").at(0).at("accountId").as_string());
  auto place = [&](boost::json::object body) {
    body["accountId"] = account;
    body["marketId"] = "sync-market";
    body["outcome"] = "YES";
    body["side"] = "buy";
    auto r = post(server, "/api/v1/orders", body, bearer(s.access_token));
    EXPECT_EQ(r.status, 201) << r.summary();
    return std::string(r.json().at("orderId").as_string());
  };
  place({{"orderType", "market"}, {"size", "100"}});
  const auto resting = place({{"orderType", "limit"}, {"size", "10"}, {"limitPrice", "0.50"}});
  ASSERT_EQ(send(server, "PUT", "/api/v1/signals/targets", json_text({{"accountIds", boost::json::array{account.c_str()}}}),
                 bearer(s.access_token))
                .status,
            200);

  auto login = post(server, "/api/v1/auth/desktop-login", desktop_login_body(email));
  ASSERT_EQ(login.status, 200) << login.summary();
  const std::string device(login.json().at("deviceToken").as_string());
  auto snapshot = send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(device));
  ASSERT_EQ(snapshot.status, 200) << snapshot.summary();
  const auto body = snapshot.json().as_object();
  EXPECT_EQ(body.at("accounts").at(0).at("positionsValue").as_string(), "55.00");
  ASSERT_EQ(body.at("positions").as_array().size(), 1u);
  EXPECT_EQ(body.at("positions").at(0).at("size").as_string(), "100");
  EXPECT_EQ(body.at("positions").at(0).at("markPrice").as_string(), "0.55");
  ASSERT_EQ(body.at("openOrders").as_array().size(), 1u);
  EXPECT_EQ(body.at("openOrders").at(0).at("orderId").as_string(), resting);
  ASSERT_EQ(body.at("signalTargets").as_array().size(), 1u);
  EXPECT_EQ(body.at("signalTargets").at(0).as_string(), account);
  EXPECT_TRUE(body.at("journal").as_array().empty());

  // Changes after the snapshot's version: one more order brings its order, fill, position and
  // account, each once, at their latest state.
  const auto version = body.at("version").as_int64();
  EXPECT_GE(version, 2);  // the two orders' commits
  auto none = send(server, "GET", "/api/v1/desktop/sync/changes?since=" + std::to_string(version), std::nullopt,
                   bearer(device));
  ASSERT_EQ(none.status, 200) << none.summary();
  EXPECT_TRUE(none.json().at("changes").as_array().empty());
  EXPECT_EQ(none.json().at("toVersion").as_int64(), version);
  const auto bought = place({{"orderType", "market"}, {"size", "20"}});
  auto changes = send(server, "GET", "/api/v1/desktop/sync/changes?since=" + std::to_string(version), std::nullopt,
                      bearer(device));
  ASSERT_EQ(changes.status, 200) << changes.summary();
  const auto c = changes.json().as_object();
  EXPECT_EQ(c.at("fromVersion").as_int64(), version);
  EXPECT_GT(c.at("toVersion").as_int64(), version);
  EXPECT_FALSE(c.at("hasMore").as_bool());
  std::map<std::string, boost::json::object> by_entity;
  for (const auto& change : c.at("changes").as_array()) {
    EXPECT_EQ(change.at("op").as_string(), "upsert");
    by_entity[std::string(change.at("entity").as_string())] = change.at("data").as_object();
  }
  ASSERT_EQ(by_entity.size(), 4u) << changes.summary();
  EXPECT_EQ(by_entity["order"].at("orderId").as_string(), bought);
  EXPECT_EQ(by_entity["fill"].at("size").as_string(), "20");
  EXPECT_EQ(by_entity["position"].at("size").as_string(), "120");
  EXPECT_EQ(by_entity["account"].at("accountId").as_string(), account);
  expect_error(send(server, "GET", "/api/v1/desktop/sync/changes?since=-1", std::nullopt, bearer(device)), 400,
               "validation_error");
}

TEST(TraderDesktopSync, SixtyPerMinutePerDeviceTokenAndOnlyForDevicesWithTheScope) {
  ServerProcess server(server_args());
  const auto email = unique_email("sync");
  auto s = sign_up(server, email);
  auto desktop = [&](std::string_view name) {
    auto body = desktop_login_body(email);
    body["deviceName"] = name;
    auto r = post(server, "/api/v1/auth/desktop-login", body);
    EXPECT_EQ(r.status, 200) << r.summary();
    return std::string(r.json().at("deviceToken").as_string());
  };
  const auto first = desktop("one"), second = desktop("two");
  auto snapshot = send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(first));
  ASSERT_EQ(snapshot.status, 200) << snapshot.summary();
  expect_rate_limit_headers(snapshot, 60, 60);
  auto body = snapshot.json().as_object();
  EXPECT_EQ(body.at("version").as_int64(), 0);
  ASSERT_EQ(body.at("accounts").as_array().size(), 1u);  // the demo account of a retail sign-up
  EXPECT_EQ(body.at("accounts").at(0).at("mode").as_string(), "paper");
  EXPECT_EQ(body.at("accounts").at(0).at("equity").as_string(), "10000.00");
  for (int i = 2; i <= 60; ++i)
    ASSERT_EQ(send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(first)).status, 200) << i;
  auto limited = send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(first));
  expect_error(limited, 429, "rate_limited");
  EXPECT_EQ(limited.json().at("message").as_string(), "Too many requests. Limit is 60 requests per minute.");
  // Two installs never share a budget.
  EXPECT_EQ(send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(second)).status, 200);

  expect_error(send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt, bearer(s.access_token)), 403,
               "principal_not_allowed");
  // A paired device without desktop:sync lacks the scope.
  auto started = post(server, "/api/v1/auth/device-login",
                      {{"deviceName", "VPS"}, {"platform", "linux"}, {"appVersion", "1"},
                       {"scopes", boost::json::array{"trading:read"}}});
  ASSERT_EQ(started.status, 200);
  ASSERT_EQ(send(server, "POST", "/api/v1/devices/authorize",
                 json_text({{"userCode", started.json().at("userCode")}, {"decision", "approve"}}), bearer(s.access_token))
                .status,
            200);
  auto issued = post(server, "/api/v1/auth/device-login/token", {{"deviceCode", started.json().at("deviceCode")}});
  ASSERT_EQ(issued.status, 200) << issued.summary();
  auto no_scope = send(server, "GET", "/api/v1/desktop/sync/snapshot", std::nullopt,
                       bearer(issued.json().at("deviceToken").as_string()));
  expect_error(no_scope, 403, "insufficient_scope");
  EXPECT_EQ(no_scope.json().at("details").at(0).at("message").as_string(), "desktop:sync");
}

}  // namespace
}  // namespace polysim::testing::trader_it
