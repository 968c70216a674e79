// The trader surface's rate-limit tiers (seed 002) and the per-account failure lanes of
// 20-trader-api.md §4 (testable properties 1, 2 and 9). Long windows are crossed by moving the
// server's clock, never by sleeping.
#include <thread>

#include "integration/trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

Headers from(std::string_view ip) { return {{"X-Forwarded-For", std::string(ip)}}; }

std::vector<std::string> behind_proxy(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--ratelimit-trusted-proxies", "127.0.0.1/32"};
  args.insert(args.end(), extra.begin(), extra.end());
  return server_args(args);
}

void expect_seed_429(const HttpResponse& r, std::string_view message) {
  expect_error(r, 429, "rate_limited");
  auto body = r.json().as_object();
  EXPECT_EQ(body.at("message").as_string(), message);
  const auto retry = body.at("retryAfter").as_int64();
  EXPECT_GE(retry, 1);
  EXPECT_EQ(r.header("Retry-After").value_or(""), std::to_string(retry));
  EXPECT_EQ(r.header("RateLimit-Reset").value_or(""), std::to_string(retry));
  EXPECT_EQ(r.header("RateLimit-Remaining").value_or(""), "0");
  // Exactly the seed's shape and key order.
  EXPECT_EQ(r.body, "{\"error\":\"rate_limited\",\"message\":\"" + std::string(message) +
                        "\",\"code\":\"RATE_LIMIT_EXCEEDED\",\"retryAfter\":" + std::to_string(retry) + "}");
}

TEST(TraderLimits, AuthTierAdmitsTenPerAddressThenTheSeedBody) {
  ServerProcess server(behind_proxy());
  for (int i = 1; i <= 10; ++i) {
    auto r = login(server, unique_email("nobody"), "some wrong password here", from("203.0.113.10"));
    expect_error(r, 401, "invalid_credentials");
    expect_rate_limit_headers(r, 10, 900);
    EXPECT_EQ(r.header("RateLimit-Remaining").value_or(""), std::to_string(10 - i));
  }
  auto limited = login(server, unique_email("nobody"), "some wrong password here", from("203.0.113.10"));
  expect_seed_429(limited, "Too many requests. Limit is 10 requests per 15 minutes.");
  EXPECT_EQ(limited.json().at("retryAfter").as_int64(), 900);
  // Register and forgot-password share the tier; another address has its own bucket.
  expect_seed_429(post(server, "/api/v1/auth/register", {{"email", unique_email()}, {"password", kPassword}},
                       from("203.0.113.10")),
                  "Too many requests. Limit is 10 requests per 15 minutes.");
  EXPECT_EQ(login(server, unique_email(), "some wrong password here", from("203.0.113.11")).status, 401);

  // Decisions are counted per policy on the admin listener.
  HttpConnection admin("127.0.0.1", server.admin_port());
  const auto metrics = admin.request("GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(polysim_ratelimit_decisions_total{policy="trader_auth",decision="admitted"} 11)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(polysim_ratelimit_decisions_total{policy="trader_auth",decision="rejected"} 2)"),
            std::string::npos)
      << metrics;

  // Rejections were not counted: once the ten admitted requests leave the window, a full
  // budget is back.
  advance_clock(server, 15min + 1s);
  auto again = login(server, unique_email("nobody"), "some wrong password here", from("203.0.113.10"));
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(again.header("RateLimit-Remaining").value_or(""), "9");
}

TEST(TraderLimits, DefaultTierIsPerSessionAndRefreshTierPerAddress) {
  ServerProcess server(server_args());
  const auto email = unique_email();
  auto s = sign_up(server, email);
  for (int i = 0; i < 200; ++i) {
    auto r = send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token));
    ASSERT_EQ(r.status, 200) << "request " << i + 1 << ": " << r.summary();
  }
  expect_seed_429(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(s.access_token)),
                  "Too many requests. Limit is 200 requests per minute.");
  // Another session of the same user has its own bucket.
  auto other = session_of(login(server, email, kPassword));
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(other.access_token)).status, 200);

  for (int i = 0; i < 100; ++i) {
    auto r = post(server, "/api/v1/auth/refresh", {{"refreshToken", "rt_not_a_real_token"}});
    ASSERT_EQ(r.status, 401) << "request " << i + 1 << ": " << r.summary();
  }
  expect_seed_429(post(server, "/api/v1/auth/refresh", {{"refreshToken", "rt_not_a_real_token"}}),
                  "Too many requests. Limit is 100 requests per 15 minutes.");
}

TEST(TraderLimits, ForwardedForIsReadOnlyFromTrustedProxies) {
  {
    ServerProcess direct(server_args());
    for (int i = 0; i < 10; ++i)
      ASSERT_EQ(login(direct, unique_email(), "wrong password again", from("198.51.100." + std::to_string(i))).status,
                401);
    EXPECT_EQ(login(direct, unique_email(), "wrong password again", from("198.51.100.99")).status, 429);
  }
  ServerProcess proxied(behind_proxy());
  // One IPv6 /64 is one bucket; a mapped IPv4 address is that IPv4 address.
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(login(proxied, unique_email(), "wrong password again", from("2001:db8:1:2::" + std::to_string(i + 1)))
                  .status,
              401);
  EXPECT_EQ(login(proxied, unique_email(), "wrong password again", from("2001:db8:1:2:ffff::1")).status, 429);
  EXPECT_EQ(login(proxied, unique_email(), "wrong password again", from("2001:db8:1:3::1")).status, 401);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(login(proxied, unique_email(), "wrong password again", from("192.0.2.7")).status, 401);
  EXPECT_EQ(login(proxied, unique_email(), "wrong password again", from("::ffff:192.0.2.7")).status, 429);
  // The right-most untrusted entry counts, whatever the client wrote to its left.
  EXPECT_EQ(login(proxied, unique_email(), "wrong password again", from("10.9.9.9, 192.0.2.7")).status, 429);
}

TEST(TraderLockout, FiveFailuresLockTheUnknownLaneButNotAKnownAddress) {
  ServerProcess server(behind_proxy());
  const auto email = unique_email("victim");
  // The victim signs up (and so signs in) from a known address.
  auto r = post(server, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}}, from("203.0.113.7"));
  ASSERT_EQ(r.status, 202);
  auto mail = wait_for_mail(server, email, "email_verification");
  ASSERT_TRUE(mail);
  ASSERT_EQ(post(server, "/api/v1/auth/verify-email", {{"token", token_in(*mail)}}, from("203.0.113.7")).status, 200);

  // An attacker rotating addresses: every address is unknown, so they share one lane.
  int attacker = 1;
  auto next_attacker = [&] { return from("198.51.100." + std::to_string(attacker++)); };
  for (int i = 0; i < 5; ++i) expect_error(login(server, email, "guess number " + std::to_string(i) + " xx", next_attacker()), 401, "invalid_credentials");
  auto locked = login(server, email, kPassword, next_attacker());  // even the right password
  expect_error(locked, 429, "too_many_failed_attempts");
  EXPECT_EQ(locked.json().at("message").as_string(), "Too many failed attempts. Try again later.");
  EXPECT_EQ(locked.json().at("retryAfter").as_int64(), 60);
  EXPECT_EQ(locked.header("Retry-After").value_or(""), "60");

  // The victim's own address is another lane.
  EXPECT_EQ(login(server, email, kPassword, from("203.0.113.7")).status, 200);

  // Each lock after the first doubles, capped at fifteen minutes.
  std::int64_t expected = 60;
  for (int round = 0; round < 6; ++round) {
    advance_clock(server, std::chrono::seconds(expected) + 1s);
    expect_error(login(server, email, "another wrong guess xx", next_attacker()), 401, "invalid_credentials");
    expected = std::min<std::int64_t>(expected * 2, 900);
    auto again = login(server, email, kPassword, next_attacker());
    expect_error(again, 429, "too_many_failed_attempts");
    EXPECT_EQ(again.json().at("retryAfter").as_int64(), expected) << "round " << round;
  }

  // Unknown emails behave alike.
  const auto ghost = unique_email("ghost");
  for (int i = 0; i < 5; ++i) expect_error(login(server, ghost, "whatever it is xx", next_attacker()), 401, "invalid_credentials");
  expect_error(login(server, ghost, "whatever it is xx", next_attacker()), 429, "too_many_failed_attempts");
  // The first lock of the day told the victim.
  EXPECT_TRUE(wait_for_mail(server, email, "security_notice"));
}

}  // namespace
}  // namespace polysim::testing::trader_it

namespace polysim::testing::trader_it {
namespace {

// §2.5: a login that waited over 2 s for an Argon2id slot answers 503 with Retry-After: 1
// instead of queueing without bound.
TEST(TraderHashing, AQueueLongerThanTwoSecondsAnswers503) {
  ServerProcess server(behind_proxy({"--auth-hash-workers", "1", "--auth-argon2-memory-kib", "262144",
                                     "--auth-argon2-iterations", "3"}));
  constexpr int kClients = 40;
  std::vector<int> statuses(kClients, 0);
  std::vector<std::string> retry_after(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto r = login(server, unique_email("queue"), "some password that is wrong",
                     from("198.18.0." + std::to_string(i + 1)));
      statuses[i] = r.status;
      retry_after[i] = r.header("Retry-After").value_or("");
    });
  }
  for (auto& t : clients) t.join();
  int busy = 0, answered = 0;
  for (int i = 0; i < kClients; ++i) {
    if (statuses[i] == 503) {
      ++busy;
      EXPECT_EQ(retry_after[i], "1");
    } else {
      EXPECT_EQ(statuses[i], 401);
      ++answered;
    }
  }
  EXPECT_GT(busy, 0) << "no request waited past the 2 s bound";
  EXPECT_GT(answered, 0);
  // The server is fine afterwards.
  EXPECT_EQ(login(server, unique_email("after"), "some password that is wrong", from("198.18.1.1")).status, 401);
}

}  // namespace
}  // namespace polysim::testing::trader_it
