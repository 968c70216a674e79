// Trader sign-up, sign-in and sessions against the real binary (20-trader-api.md §2, §5;
// testable properties 3, 4, 5).
#include <algorithm>
#include <thread>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "integration/trader_helpers.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace polysim::testing::trader_it {
namespace {

TEST(TraderSignUp, RegisterVerifyAndMeCarryTheUser) {
  ServerProcess server(server_args());
  const auto email = unique_email("ada");
  auto r = post(server, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}, {"displayName", "Ada"}});
  ASSERT_EQ(r.status, 202) << r.summary();
  EXPECT_EQ(r.body, R"({"status":"verification_sent","message":"Check your inbox to finish signing up."})");
  expect_rate_limit_headers(r, 10, 900);

  auto mail = wait_for_mail(server, email, "email_verification");
  ASSERT_TRUE(mail);
  EXPECT_EQ(std::string(mail->at("link").as_string()).rfind(std::string(kTraderAppUrl) + "/verify-email?token=ev_", 0), 0u);

  // Not verified yet: the right password still cannot sign in.
  expect_error(login(server, email, kPassword), 403, "email_not_verified");

  auto verified = post(server, "/api/v1/auth/verify-email", {{"token", token_in(*mail)}});
  ASSERT_EQ(verified.status, 200) << verified.summary();
  auto pair = verified.json().as_object();
  EXPECT_EQ(pair.at("tokenType").as_string(), "Bearer");
  EXPECT_EQ(pair.at("expiresIn").as_int64(), 900);
  EXPECT_EQ(std::string(pair.at("refreshToken").as_string()).substr(0, 3), "rt_");
  EXPECT_EQ(verified.header("Cache-Control").value_or(""), "no-store");
  const auto& user = pair.at("user").as_object();
  EXPECT_EQ(user.at("email").as_string(), email);
  EXPECT_EQ(user.at("displayName").as_string(), "Ada");
  EXPECT_TRUE(user.at("emailVerified").as_bool());
  EXPECT_TRUE(user.at("hasPassword").as_bool());
  EXPECT_FALSE(user.at("mfaEnabled").as_bool());

  // The token is single use.
  expect_error(post(server, "/api/v1/auth/verify-email", {{"token", token_in(*mail)}}), 400,
               "invalid_or_expired_token");

  auto me = send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(pair.at("accessToken").as_string()));
  ASSERT_EQ(me.status, 200) << me.summary();
  EXPECT_EQ(me.json().as_object().at("id"), user.at("id"));
  expect_rate_limit_headers(me, 200, 60);

  // Activation opened one demo account with the retail tenant's demo balance.
  store::sqlite::SqliteConnection db(server.data_dir() + "/polysim.db", "normal", true);
  auto q = db.prepare("SELECT COUNT(*), MIN(stage), MIN(starting_balance) FROM accounts WHERE user_id = ?1");
  q.bind(1, user.at("userId").as_int64());
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.int64(0), 1);
  EXPECT_EQ(q.text(1), "demo");
  EXPECT_EQ(q.int64(2), 10'000'000'000);

  // Signing in works now.
  auto signed_in = login(server, email, kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.summary();
}

TEST(TraderSignUp, RegisterAnswersAlikeForTakenAndNewAddresses) {
  ServerProcess server(server_args());
  const auto taken = unique_email("taken");
  sign_up(server, taken);
  const auto fresh = unique_email("fresh");
  // Past the one-mail-a-minute throttle of the verification just sent.
  advance_clock(server, 61s);

  auto time_register = [&](const std::string& email, HttpResponse& out) {
    const auto start = std::chrono::steady_clock::now();
    out = post(server, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}});
    return std::chrono::steady_clock::now() - start;
  };
  HttpResponse a, b;
  const auto taken_time = time_register(taken, a);
  const auto fresh_time = time_register(fresh, b);
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.body, b.body);
  auto names = [](const HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& [n, v] : r.headers)
      if (n != "X-Request-Id") out.push_back(n + (n.rfind("RateLimit", 0) == 0 ? "" : ": " + v));
    return out;
  };
  EXPECT_EQ(names(a), names(b));
  // Both paths hash the password (Argon2id dominates): neither is several times the other.
  const auto slower = std::max(taken_time, fresh_time), faster = std::min(taken_time, fresh_time);
  EXPECT_LT(slower, faster * 4 + 20ms) << "taken " << taken_time.count() << " fresh " << fresh_time.count();

  // Only the outbox differs.
  EXPECT_TRUE(wait_for_mail(server, taken, "account_exists"));
  EXPECT_TRUE(wait_for_mail(server, fresh, "email_verification"));
}

TEST(TraderSignUp, ValidationAndWeakPasswords) {
  ServerProcess server(server_args());
  auto weak = post(server, "/api/v1/auth/register", {{"email", unique_email()}, {"password", "short"}});
  expect_error(weak, 400, "weak_password");
  EXPECT_EQ(weak.json().at("details").at(0).at("message").as_string(), "too_short");
  auto contains = post(server, "/api/v1/auth/register",
                       {{"email", "grace.hopper@example.com"}, {"password", "xx-grace.hopper-2026-xx"}});
  expect_error(contains, 400, "weak_password");
  EXPECT_EQ(contains.json().at("details").at(0).at("message").as_string(), "contains_email");
  expect_error(post(server, "/api/v1/auth/register", {{"email", "not-an-email"}, {"password", kPassword}}), 400,
               "validation_error");
  auto unknown = post(server, "/api/v1/auth/register",
                      {{"email", unique_email()}, {"password", kPassword}, {"passwrod", "typo"}});
  expect_error(unknown, 400, "validation_error");
  EXPECT_EQ(unknown.json().at("details").at(0).at("field").as_string(), "passwrod");
  expect_error(send(server, "POST", "/api/v1/auth/register", std::string("{\"email\":"), {}), 400, "invalid_json");
  auto wrong_type = HttpConnection("127.0.0.1", server.api_port())
                        .request("POST", "/api/v1/auth/login", {{"Content-Type", "text/plain"}}, "x");
  expect_error(wrong_type, 415, "unsupported_media_type");
  expect_error(send(server, "GET", "/api/v1/nope"), 404, "not_found");
}

TEST(TraderLogin, WrongPasswordAndUnknownEmailAnswerAlike) {
  ServerProcess server(server_args());
  const auto email = unique_email();
  sign_up(server, email);
  auto timed_login = [&](const std::string& who, HttpResponse& out) {
    const auto start = std::chrono::steady_clock::now();
    out = login(server, who, "not the right password at all");
    return std::chrono::steady_clock::now() - start;
  };
  HttpResponse wrong, unknown;
  const auto known_time = timed_login(email, wrong);
  const auto unknown_time = timed_login(unique_email("nobody"), unknown);
  // Both verify an Argon2id hash (a dummy one for the unknown address).
  const auto slower = std::max(known_time, unknown_time), faster = std::min(known_time, unknown_time);
  EXPECT_LT(slower, faster * 4 + 20ms) << "known " << known_time.count() << " unknown " << unknown_time.count();
  expect_error(wrong, 401, "invalid_credentials");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.json().at("message").as_string(), "Invalid email or password.");
}

TEST(TraderRefresh, RotatesOnceAndReuseRevokesTheFamily) {
  ServerProcess server(server_args({"--auth-refresh-reuse-grace", "0ms", "--cache-ttl", "0ms"}));
  auto s = sign_up(server, unique_email());
  auto first = post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}});
  ASSERT_EQ(first.status, 200) << first.summary();
  expect_rate_limit_headers(first, 100, 900);
  auto next = session_of(first);
  EXPECT_EQ(next.session_id, s.session_id);
  EXPECT_NE(next.refresh_token, s.refresh_token);
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(next.access_token)).status, 200);

  // The spent token again: the whole family dies, the newest tokens included.
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}}), 401, "refresh_token_reused");
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", next.refresh_token}}), 401,
               "refresh_token_invalid");
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(next.access_token)), 401, "unauthorized");
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", "rt_garbage"}}), 401, "refresh_token_invalid");

  store::sqlite::SqliteConnection db(server.data_dir() + "/polysim.db", "normal", true);
  auto audit = db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'session.refresh_reuse_revoked' AND target = ?1");
  audit.bind(1, "session:" + s.session_id);
  ASSERT_TRUE(audit.step());
  EXPECT_EQ(audit.int64(0), 1);
}

TEST(TraderRefresh, ReuseWithinTheGraceReplacesTheUnusedSuccessor) {
  ServerProcess server(server_args({"--auth-refresh-reuse-grace", "10s"}));
  auto s = sign_up(server, unique_email());
  auto first = post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}});
  ASSERT_EQ(first.status, 200);
  // The response was "lost": the client retries with the same token.
  auto retry = post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}});
  ASSERT_EQ(retry.status, 200) << retry.summary();
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", session_of(first).refresh_token}}), 401,
               "refresh_token_invalid");
  EXPECT_EQ(post(server, "/api/v1/auth/refresh", {{"refreshToken", session_of(retry).refresh_token}}).status, 200);
}

TEST(TraderRefresh, RevokedAccessTokensFailWithinFiveSeconds) {
  ServerProcess server(server_args({"--auth-refresh-reuse-grace", "0ms"}));  // default 2 s session cache
  auto s = sign_up(server, unique_email());
  ASSERT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)).status, 200);
  auto rotated = post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}});
  ASSERT_EQ(rotated.status, 200);
  ASSERT_EQ(post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}}).status, 401);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 200;
  while (std::chrono::steady_clock::now() < deadline) {
    status = send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)).status;
    if (status == 401) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 401);
}

TEST(TraderLogout, EndsTheSessionAndItsRefreshToken) {
  ServerProcess server(server_args());
  auto s = sign_up(server, unique_email());
  auto out = send(server, "POST", "/api/v1/auth/logout", std::nullopt, bearer(s.access_token));
  EXPECT_EQ(out.status, 204) << out.summary();
  expect_rate_limit_headers(out, 200, 60);
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)), 401, "unauthorized");
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}}), 401, "refresh_token_invalid");

  // Anonymous with a refresh token, and unknown tokens: 204 all the same.
  auto other = login(server, s.user.at("email").as_string(), kPassword);
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(post(server, "/api/v1/auth/logout", {{"refreshToken", session_of(other).refresh_token}}).status, 204);
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", session_of(other).refresh_token}}), 401,
               "refresh_token_invalid");
  EXPECT_EQ(post(server, "/api/v1/auth/logout", {{"refreshToken", "rt_unknown"}}).status, 204);
}

// ---------------------------------------------------------------------------------------------
// Forged access tokens (property 5)

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string forge(std::string_view header_json, std::string_view payload_json, std::string_view secret) {
  const auto signing_input = b64(header_json) + "." + b64(payload_json);
  const auto mac = hmac_sha256(secret, signing_input);
  return signing_input + "." + base64url_encode(std::span<const std::uint8_t>(mac));
}

TEST(TraderJwt, PinnedAlgorithmIssuerAudienceAndSignature) {
  ServerProcess server(server_args());
  auto s = sign_up(server, unique_email());
  const auto dot1 = s.access_token.find('.'), dot2 = s.access_token.rfind('.');
  auto payload_bytes = base64url_decode(s.access_token.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(payload_bytes);
  const std::string payload(payload_bytes->begin(), payload_bytes->end());
  auto claims = boost::json::parse(payload).as_object();

  // Sanity: a token the test signs itself with the right header and claims is accepted.
  const std::string good_header = R"({"alg":"HS256","typ":"JWT","kid":"k1"})";
  ASSERT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(forge(good_header, payload, kJwtSecret))).status,
            200);

  const std::vector<std::string> refused = {
      b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(payload) + ".",
      forge(R"({"alg":"HS512","typ":"JWT","kid":"k1"})", payload, kJwtSecret),
      forge(R"({"alg":"RS256","typ":"JWT","kid":"k1"})", payload, kJwtSecret),
      forge(good_header, payload, "some-other-secret-of-sufficient-length-000000"),
      forge(R"({"alg":"HS256","typ":"JWT","kid":"k9"})", payload, kJwtSecret),
      [&] {
        auto c = claims;
        c["aud"] = "app:app_000000000000000000000000";
        return forge(good_header, boost::json::serialize(c), kJwtSecret);
      }(),
      [&] {
        auto c = claims;
        c["iss"] = "someone-else";
        return forge(good_header, boost::json::serialize(c), kJwtSecret);
      }(),
      // Tampered payload under the original signature.
      s.access_token.substr(0, dot1 + 1) + b64(boost::json::serialize([&] {
        auto c = claims;
        c["sub"] = "00000000-0000-4000-8000-000000000000";
        return c;
      }())) + s.access_token.substr(dot2),
      "garbage",
  };
  for (const auto& token : refused)
    expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(token)), 401, "unauthorized");

  auto expired = claims;
  expired["exp"] = claims.at("iat").as_int64() - 60;
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt,
                    bearer(forge(good_header, boost::json::serialize(expired), kJwtSecret))),
               401, "token_expired");
}

TEST(TraderJwt, AuthorizationWinsOverApiKeyHeader) {
  ServerProcess server(server_args());
  auto s = sign_up(server, unique_email());
  Headers both = {{"Authorization", "Bearer " + s.access_token}, {"X-API-Key", "ak_unknown"}};
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, both).status, 200);
  Headers reversed = {{"Authorization", "Bearer not-a-token"}, {"X-API-Key", s.access_token}};
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, reversed), 401, "unauthorized");
}

}  // namespace
}  // namespace polysim::testing::trader_it

namespace polysim::testing::trader_it {
namespace {

TEST(TraderCors, AllowedOriginsAreTheAppsAndTheTenantsRedirectOrigins) {
  ServerProcess server(server_args());
  auto with_origin = [&](std::string_view origin) {
    return send(server, "GET", "/api/v1/auth/me", std::nullopt, {{"Origin", std::string(origin)}});
  };
  auto app = with_origin(kTraderAppUrl);
  expect_error(app, 401, "unauthorized");
  EXPECT_EQ(app.header("Access-Control-Allow-Origin").value_or(""), kTraderAppUrl);
  EXPECT_EQ(app.header("Vary").value_or(""), "Origin");
  EXPECT_NE(app.header("Access-Control-Expose-Headers").value_or("").find("RateLimit-Remaining"), std::string::npos);
  EXPECT_FALSE(with_origin("https://evil.example").header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(send(server, "GET", "/api/v1/auth/me").header("Vary"));

  // A tenant's redirect origin is allowed once the policy has reloaded (within the cache TTL).
  auto created = server.run_cli({"tenant", "create", "--name", "corsco", "--redirect-origin", "https://portal.corsco.test"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::optional<std::string> allowed;
  while (!allowed && std::chrono::steady_clock::now() < deadline) {
    allowed = with_origin("https://portal.corsco.test").header("Access-Control-Allow-Origin");
    if (!allowed) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(allowed.value_or(""), "https://portal.corsco.test");

  HttpConnection c("127.0.0.1", server.api_port());
  auto preflight = c.request("OPTIONS", "/api/v1/auth/login",
                             {{"Origin", std::string(kTraderAppUrl)}, {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(preflight.status, 204) << preflight.summary();
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin").value_or(""), kTraderAppUrl);
  EXPECT_NE(preflight.header("Access-Control-Allow-Headers").value_or("").find("Content-Type"), std::string::npos);
  EXPECT_NE(preflight.header("Access-Control-Allow-Methods").value_or("").find("POST"), std::string::npos);
}

}  // namespace
}  // namespace polysim::testing::trader_it

namespace polysim::testing::trader_it {
namespace {

TEST(TraderDisabled, DisabledUsersAndTenantsAreRefusedEverywhere) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  const auto email = unique_email("off");
  auto s = sign_up(server, email);
  auto off = server.run_cli({"user", "disable", "--tenant", "retail", "--email", email, "--json"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_TRUE(off.json().at("disabled").as_bool());
  expect_error(login(server, email, kPassword), 403, "user_disabled");
  expect_error(login(server, email, "a wrong password here"), 401, "invalid_credentials");  // only after the right one
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", s.refresh_token}}), 403, "user_disabled");
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)), 403, "user_disabled");
  ASSERT_EQ(server.run_cli({"user", "enable", "--tenant", "retail", "--email", email}).exit_code, 0);
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)).status, 200);

  ASSERT_EQ(server.run_cli({"tenant", "disable", "retail"}).exit_code, 0);
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)), 403, "tenant_disabled");
  expect_error(login(server, email, kPassword), 403, "tenant_disabled");
  EXPECT_EQ(server.run_cli({"user", "disable", "--tenant", "retail", "--user-id", "999999"}).exit_code, 2);
}

}  // namespace
}  // namespace polysim::testing::trader_it
