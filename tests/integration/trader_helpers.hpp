// Shared helpers of the trader-API integration tests (tests/integration/trader_*_test.cpp):
// requests with JSON bodies, the surface's envelope and RateLimit-* checks, sign-up through the
// outbox, and moving the server's clock through the admin test endpoint.
#pragma once
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/uuid.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace polysim::testing::trader_it {

using namespace std::chrono_literals;

inline constexpr std::string_view kTraderAppUrl = "https://trader.polysim.test";
inline constexpr std::string_view kPassword = "correct horse battery staple";
// Known to the test so it can forge tokens signed with the server's own key.
inline constexpr std::string_view kJwtSecret = "test-signing-secret-0123456789abcdef0123456789";

inline std::vector<std::string> server_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--trader-app-url",  std::string(kTraderAppUrl), "--testing-fault-injection",
                                   "true",              "--auth-jwt-keys",          "k1:" + std::string(kJwtSecret)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

inline std::string unique_email(std::string_view prefix = "trader") {
  return std::string(prefix) + "-" + Uuid::v4().to_string().substr(0, 8) + "@example.com";
}

inline std::string json_text(const boost::json::object& o) { return boost::json::serialize(o); }

inline HttpResponse send(const ServerProcess& server, std::string_view method, std::string_view target,
                         std::optional<std::string> body = std::nullopt, Headers headers = {}) {
  HttpConnection c("127.0.0.1", server.api_port());
  if (body) headers.emplace_back("Content-Type", "application/json");
  return c.request(method, target, headers, body.value_or(""));
}

inline HttpResponse post(const ServerProcess& server, std::string_view target, const boost::json::object& body,
                         Headers headers = {}) {
  return send(server, "POST", target, json_text(body), std::move(headers));
}

inline Headers bearer(std::string_view token) { return {{"Authorization", "Bearer " + std::string(token)}}; }

// The trader envelope: {"error","message","code"} with code = upper-cased error (or the seed's
// 429 pair), and the RateLimit-* headers every /api/v1 response carries.
inline void expect_error(const HttpResponse& r, int status, std::string_view error) {
  ASSERT_EQ(r.status, status) << r.summary();
  auto body = r.json();
  ASSERT_TRUE(body.is_object()) << r.summary();
  const auto& o = body.as_object();
  ASSERT_TRUE(o.contains("error") && o.contains("message") && o.contains("code")) << r.summary();
  EXPECT_EQ(o.at("error").as_string(), error) << r.summary();
  std::string upper(error);
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (error == "rate_limited") upper = "RATE_LIMIT_EXCEEDED";
  EXPECT_EQ(o.at("code").as_string(), upper) << r.summary();
  if (status == 401) {
    EXPECT_EQ(r.header("WWW-Authenticate").value_or(""), "Bearer");
  }
}

inline void expect_rate_limit_headers(const HttpResponse& r, std::int64_t limit, std::int64_t window_s) {
  ASSERT_TRUE(r.header("RateLimit-Limit")) << r.summary();
  EXPECT_EQ(r.header("RateLimit-Limit").value(), std::to_string(limit));
  EXPECT_TRUE(r.header("RateLimit-Remaining"));
  EXPECT_TRUE(r.header("RateLimit-Reset"));
  EXPECT_EQ(r.header("RateLimit-Policy").value_or(""), std::to_string(limit) + ";w=" + std::to_string(window_s));
}

inline void advance_clock(const ServerProcess& server, std::chrono::milliseconds by) {
  HttpConnection c("127.0.0.1", server.admin_port());
  auto r = c.request("POST", "/admin/test/clock", {{"Content-Type", "application/json"}},
                     "{\"advance_ms\":" + std::to_string(by.count()) + "}");
  ASSERT_EQ(r.status, 200) << r.summary();
}

// The nth outbox mail (1-based, in sending order) of `kind` to `to`, waiting up to 10 s for the
// sender to write it.
inline std::optional<boost::json::object> wait_for_mail(const ServerProcess& server, std::string_view to,
                                                        std::string_view kind, std::size_t nth = 1) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    std::size_t seen = 0;
    for (const auto& v : server.outbox_messages()) {
      const auto& o = v.as_object();
      if (o.at("to").as_string() == to && o.at("kind").as_string() == kind && ++seen == nth) return o;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

inline std::size_t count_mail(const ServerProcess& server, std::string_view to, std::string_view kind) {
  std::size_t n = 0;
  for (const auto& v : server.outbox_messages()) {
    const auto& o = v.as_object();
    if (o.at("to").as_string() == to && o.at("kind").as_string() == kind) ++n;
  }
  return n;
}

// The token after "token=" in a mailed link.
inline std::string token_in(const boost::json::object& mail) {
  const std::string link(mail.at("link").as_string());
  const auto at = link.find("token=");
  return at == std::string::npos ? std::string() : link.substr(at + 6);
}

struct Session {
  std::string access_token;
  std::string refresh_token;
  std::string session_id;
  boost::json::object user;
};

inline Session session_of(const HttpResponse& r) {
  auto o = r.json().as_object();
  return Session{std::string(o.at("accessToken").as_string()), std::string(o.at("refreshToken").as_string()),
                 std::string(o.at("sessionId").as_string()), o.at("user").as_object()};
}

// Registers, follows the verification mail and returns the first session.
inline Session sign_up(const ServerProcess& server, const std::string& email, std::string_view password = kPassword) {
  auto r = post(server, "/api/v1/auth/register", {{"email", email}, {"password", password}});
  EXPECT_EQ(r.status, 202) << r.summary();
  auto mail = wait_for_mail(server, email, "email_verification");
  EXPECT_TRUE(mail) << "no verification mail for " << email;
  if (!mail) return {};
  auto verified = post(server, "/api/v1/auth/verify-email", {{"token", token_in(*mail)}});
  EXPECT_EQ(verified.status, 200) << verified.summary();
  return session_of(verified);
}

inline HttpResponse login(const ServerProcess& server, std::string_view email, std::string_view password,
                          Headers headers = {}) {
  return post(server, "/api/v1/auth/login", {{"email", email}, {"password", password}}, std::move(headers));
}

// The admin listener (markets, books, feeds, test switches): JSON in, JSON out.
inline HttpResponse admin(const ServerProcess& server, std::string_view method, std::string_view target,
                          const boost::json::object& body = {}) {
  return http_request(server.admin_port(), method, target, {{"Content-Type", "application/json"}},
                      method == "GET" ? std::string() : json_text(body));
}

inline boost::json::array level(const char* price, const char* size) { return boost::json::array{price, size}; }

// A `manual` market (moved only by pushes, never stale) with YES bids 0.55×300, 0.54×400 and
// asks 0.56×100, 0.57×200; the NO book mirrors it.
inline void create_manual_market(const ServerProcess& server, const std::string& slug,
                                 const std::string& question = "Snow in Paris?") {
  ASSERT_EQ(admin(server, "POST", "/admin/markets",
                  {{"slug", slug}, {"question", question}, {"category", "weather"}, {"feed", "manual"}})
                .status,
            201);
  ASSERT_EQ(admin(server, "POST", "/admin/markets/" + slug + "/book",
                  {{"outcome", "YES"},
                   {"bids", boost::json::array{level("0.55", "300"), level("0.54", "400")}},
                   {"asks", boost::json::array{level("0.56", "100"), level("0.57", "200")}}})
                .status,
            200);
}

}  // namespace polysim::testing::trader_it
