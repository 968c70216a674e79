// Shared setup of the Hardening* integration suites: one server per test started with short
// HTTP timeouts, a partner tenant with generous rate limits, and the checks every abusive case
// ends with (the server still answers a fresh client, still runs, and exits 0 on SIGTERM).
#pragma once
#include <gtest/gtest.h>

#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"
#include "support/partner_fixture.hpp"
#include "support/server_process.hpp"

namespace polysim::testing::hardening {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Matches the flags below; tests derive their bounds from these.
inline constexpr auto kHeaderTimeout = 1s;
inline constexpr auto kBodyTimeout = 1s;
inline constexpr auto kIdleTimeout = 2s;
inline constexpr auto kDrainTimeout = 3s;
// Scheduling noise on a loaded two-core machine.
inline constexpr auto kSlack = 1500ms;

inline std::vector<std::string> short_timeout_args(std::string max_connections = "50") {
  return {"--http-header-timeout", "1s",  "--http-body-timeout",  "1s", "--http-idle-timeout",
          "2s",                    "--http-write-timeout", "2s",   "--http-drain-timeout", "3s",
          "--http-max-connections", std::move(max_connections), "--io-threads", "2", "--blocking-threads", "4"};
}

inline std::string raw_request(std::string_view method, std::string_view target, std::string_view extra_headers = {},
                               std::string_view body = {}) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  out.append(extra_headers);
  out.append("\r\n");
  out.append(body);
  return out;
}

inline long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The partner error envelope: exactly {"error": CODE, "message": TEXT}, CODE repeated in
// X-Polysim-Code.
inline void expect_partner_error(const HttpResponse& r, int status, std::string_view code) {
  EXPECT_EQ(r.status, status) << r.summary();
  boost::json::value v;
  try {
    v = r.json();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return;
  }
  const auto* o = v.if_object();
  ASSERT_NE(o, nullptr) << r.summary();
  EXPECT_EQ(o->size(), 2u) << r.summary();
  const auto* error = o->if_contains("error");
  const auto* message = o->if_contains("message");
  ASSERT_TRUE(error && error->is_string()) << r.summary();
  ASSERT_TRUE(message && message->is_string()) << r.summary();
  EXPECT_EQ(error->as_string(), code) << r.summary();
  EXPECT_FALSE(message->as_string().empty()) << r.summary();
  EXPECT_EQ(r.header("X-Polysim-Code"), std::string(code)) << r.summary();
}

// The generic envelope of non-partner paths: {"error": CODE, "message": TEXT}.
inline void expect_generic_error(const HttpResponse& r, int status, std::string_view code) {
  EXPECT_EQ(r.status, status) << r.summary();
  boost::json::value v;
  try {
    v = r.json();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return;
  }
  const auto* o = v.if_object();
  ASSERT_NE(o, nullptr) << r.summary();
  const auto* error = o->if_contains("error");
  ASSERT_TRUE(error && error->is_string()) << r.summary();
  EXPECT_EQ(error->as_string(), code) << r.summary();
  EXPECT_NE(o->if_contains("message"), nullptr) << r.summary();
}

class HardeningTest : public ::testing::Test {
 protected:
  virtual std::vector<std::string> server_args() { return short_timeout_args(); }

  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(server_args());
    tenant_ = make_tenant(*server_, "hardening");
    // The default 50 requests/s would turn a busy test into 429s.
    const auto set = server_->run_cli({"tenant", "set", "hardening", "--tenant-per-second", "100000",
                                       "--tenant-per-minute", "1000000", "--key-per-second", "100000",
                                       "--key-per-minute", "1000000"});
    ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  }

  void TearDown() override {
    if (!server_) return;
    EXPECT_TRUE(server_->running()) << "polysim died during the test:\n" << server_->log_tail();
    const int status = server_->stop();
    EXPECT_EQ(status, 0) << server_->log_tail();
  }

  std::uint16_t port() const { return server_->api_port(); }
  const std::string& key() const { return tenant_.key; }

  HttpConnection connect() { return HttpConnection("127.0.0.1", port(), 2s); }

  std::string auth_header() const { return "X-API-Key: " + tenant_.key + "\r\n"; }

  // Sends `bytes` on a fresh connection and returns the first response (nullopt when the
  // server closed without answering). The connection is handed back for further checks.
  std::optional<HttpResponse> exchange(HttpConnection& conn, std::string_view bytes,
                                       std::chrono::milliseconds timeout = 5s, bool head = false) {
    // A server answering early may close while we are still writing; the answer still counts.
    (void)conn.send_raw(bytes, timeout);
    return conn.read_response(timeout, head);
  }

  // After every abusive case: a well-behaved client on a fresh connection is served at once.
  void expect_still_serving(std::string_view context = {}) {
    SCOPED_TRACE(std::string("still serving after: ") + std::string(context));
    ASSERT_TRUE(server_->running()) << server_->log_tail();
    const auto start = Clock::now();
    try {
      const auto health = http_request(port(), "GET", "/healthz", {}, {}, 3s);
      EXPECT_EQ(health.status, 200) << health.summary();
      EXPECT_EQ(health.body, R"({"status":"ok"})");
      const auto list = partner_get(port(), key(), "/v1/partner/accounts");
      EXPECT_EQ(list.status, 200) << list.summary();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a normal request failed: " << e.what() << "\n" << server_->log_tail();
    }
    EXPECT_LT(ms_since(start), 3000) << "normal requests were slow";
  }

  std::unique_ptr<ServerProcess> server_;
  PartnerTenant tenant_;
};

}  // namespace polysim::testing::hardening
