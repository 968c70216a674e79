// The partner rate limiter against the real binary (10-partner-api.md §3, §11 property 4):
// exact 1-s and 60-s windows per key and per tenant, 429 with Retry-After, the headers, and
// fail-open when the limiter's store fails. Limits are made small through tenant settings so no
// test waits for a window longer than one second.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;
using namespace partner_it;

constexpr const char* kAccounts = "/v1/partner/accounts";

void expect_rate_limited(const HttpResponse& r, std::int64_t retry_after) {
  const auto message = expect_error(r, 429, "RATE_LIMIT_EXCEEDED");
  EXPECT_EQ(header_int(r, "Retry-After"), retry_after) << r.summary();
  EXPECT_EQ(message, "Rate limit exceeded. Retry after " + std::to_string(retry_after) + "s.");
}

// A 429 of a minute window: Retry-After is whatever the window needs, within 1..60.
void expect_minute_limited(const HttpResponse& r) {
  const auto retry = header_int(r, "Retry-After");
  EXPECT_GE(retry, 1) << r.summary();
  EXPECT_LE(retry, 60) << r.summary();
  expect_rate_limited(r, retry);
}

void expect_unmetered(const HttpResponse& r) {
  EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), header_int(r, "X-RateLimit-Limit")) << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Remaining-Per-Second"), header_int(r, "X-RateLimit-Limit-Per-Second"))
      << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Reset"), 0) << r.summary();
}

std::int64_t store_errors_metric(const ServerProcess& server) {
  const auto r = http_request(server.admin_port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.summary();
  static const std::regex line(R"((^|\n)polysim_ratelimit_store_errors_total(\{[^}]*\})? ([0-9.e+]+))");
  std::smatch m;
  if (!std::regex_search(r.body, m, line)) {
    ADD_FAILURE() << "no polysim_ratelimit_store_errors_total in /metrics";
    return -1;
  }
  return static_cast<std::int64_t>(std::stod(m[3].str()));
}

HttpResponse set_limiter_fault(const ServerProcess& server, const std::string& body) {
  return http_request(server.admin_port(), "POST", "/admin/test/limiter-fault", {{"Content-Type", "application/json"}},
                      body);
}

TEST(PartnerRateLimit, SixtySimultaneousRequestsOnAFreshKeyAdmitExactlyFifty) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-burst", {}, "", /*fast=*/false);  // 50/s, 3000/min

  const auto responses = send_concurrently(port, std::vector<RawRequest>(60, partner_request("GET", kAccounts, tenant.key)));
  int admitted = 0;
  std::multiset<std::int64_t> second_remaining, minute_remaining;
  for (const auto& r : responses) {
    if (r.status == 429) {
      expect_rate_limited(r, 1);
      EXPECT_EQ(header_int(r, "X-RateLimit-Remaining-Per-Second"), 0);
      continue;
    }
    ++admitted;
    expect_ok(r);
    second_remaining.insert(header_int(r, "X-RateLimit-Remaining-Per-Second"));
    minute_remaining.insert(header_int(r, "X-RateLimit-Remaining"));
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 3000);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit-Per-Second"), 50);
    EXPECT_GE(header_int(r, "X-RateLimit-Reset"), 1);
  }
  EXPECT_EQ(admitted, 50);
  // Each admission was charged exactly once: remaining counts down without gaps or repeats.
  std::multiset<std::int64_t> expected_second, expected_minute;
  for (int i = 0; i < 50; ++i) {
    expected_second.insert(i);
    expected_minute.insert(2950 + i);
  }
  EXPECT_EQ(second_remaining, expected_second);
  EXPECT_EQ(minute_remaining, expected_minute);
}

TEST(PartnerRateLimit, KeysOfOneTenantShareTheTenantBudget) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-shared", {}, "", /*fast=*/false);
  const auto second = create_key(server, tenant.tenant_id);

  std::vector<RawRequest> requests;
  for (int i = 0; i < 30; ++i) {
    requests.push_back(partner_request("GET", kAccounts, tenant.key));
    requests.push_back(partner_request("GET", kAccounts, second.key));
  }
  const auto responses = send_concurrently(port, requests);
  int admitted = 0, first_key = 0;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (responses[i].status == 429) {
      expect_rate_limited(responses[i], 1);
      continue;
    }
    expect_ok(responses[i]);
    ++admitted;
    if (i % 2 == 0) ++first_key;
  }
  EXPECT_EQ(admitted, 50) << "the tenant's 1-s window holds 50 across all its keys";
  EXPECT_LE(first_key, 30);
  EXPECT_GE(first_key, 20);
}

TEST(PartnerRateLimit, RejectionsChargeNothingAndRetryAfterSuffices) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-charge", {}, "", /*fast=*/false);
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--key-per-second", "2", "--key-per-minute", "6"});

  for (int i = 0; i < 2; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_ok(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 6);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 5 - i);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit-Per-Second"), 2);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining-Per-Second"), 1 - i);
  }
  HttpResponse last;
  for (int i = 0; i < 10; ++i) {
    last = partner_get(port, tenant.key, i % 2 ? kAccounts : "/v1/partner/no-such-route");
    expect_rate_limited(last, 1);
    // Only the 1-s window blocks: the minute window still shows what is left of it.
    EXPECT_EQ(header_int(last, "X-RateLimit-Remaining"), 4) << last.summary();
    EXPECT_EQ(header_int(last, "X-RateLimit-Remaining-Per-Second"), 0) << last.summary();
  }
  // Waiting Retry-After is enough, and the ten 429s cost nothing: the minute window (6) still
  // has room for the next two.
  std::this_thread::sleep_for(std::chrono::seconds(header_int(last, "Retry-After")));
  for (int i = 0; i < 2; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_ok(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 3 - i) << r.summary();
  }
}

TEST(PartnerRateLimit, MinuteWindowReportsRetryAfterAsReset) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-minute", {}, "", /*fast=*/false);
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--key-per-minute", "5"});

  for (int i = 0; i < 5; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_ok(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 5);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 4 - i);
    EXPECT_GE(header_int(r, "X-RateLimit-Reset"), 1);
    EXPECT_LE(header_int(r, "X-RateLimit-Reset"), 60);
  }
  for (int i = 0; i < 3; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_minute_limited(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Reset"), header_int(r, "Retry-After")) << "the only blocking window is the reported minute window";
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 5);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 0);
  }
  // The key window is per key: another key of the tenant is admitted.
  const auto other = create_key(server, tenant.tenant_id);
  expect_ok(partner_get(port, other.key, kAccounts));
}

TEST(PartnerRateLimit, TenantMinuteWindowCapsAllKeysAndHeadersReportTheTighterScope) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-tenant", {}, "", /*fast=*/false);
  const auto second = create_key(server, tenant.tenant_id);
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--tenant-per-minute", "4", "--key-per-minute", "10",
                  "--tenant-per-second", "30", "--key-per-second", "7"});

  // Minute: the tenant (4) has fewer remaining than the key (10); second: the key (7) has fewer
  // than the tenant (30).
  const std::vector<std::pair<std::string, std::int64_t>> plan = {
      {tenant.key, 0}, {tenant.key, 1}, {second.key, 2}, {second.key, 3}};
  for (const auto& [key, n] : plan) {
    const auto r = partner_get(port, key, kAccounts);
    expect_ok(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 4);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 3 - n);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit-Per-Second"), 7);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining-Per-Second"), key == tenant.key ? 6 - n : 6 - (n - 2));
  }
  for (const auto& key : {tenant.key, second.key}) {
    const auto r = partner_get(port, key, kAccounts);
    expect_minute_limited(r);
    EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 4);
    EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 0);
    EXPECT_EQ(header_int(r, "X-RateLimit-Reset"), header_int(r, "Retry-After"));
  }
  // A brand-new key of the tenant is capped too.
  expect_minute_limited(partner_get(port, create_key(server, tenant.tenant_id).key, kAccounts));
}

TEST(PartnerRateLimit, OnlyRequestsPastAuthenticationAreMeteredWhateverTheirStatus) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-steps", {}, "", /*fast=*/false);
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--tenant-per-minute", "4"});
  const auto deactivated = create_key(server, tenant.tenant_id);
  cli_ok(server, {"key", "deactivate", deactivated.id});

  // Steps 1–6 are not metered and render unmetered headers.
  for (int i = 0; i < 10; ++i) {
    const auto r = partner_get(port, deactivated.key, kAccounts);
    expect_error(r, 401, "KEY_DEACTIVATED");
    expect_unmetered(r);
  }
  for (int i = 0; i < 5; ++i) {
    const auto r = http_request(port, "GET", kAccounts);
    expect_error(r, 401, "MISSING_API_KEY");
    expect_unmetered(r);
  }
  // Every admitted request costs one unit, whatever its final status.
  expect_error(partner_get(port, tenant.key, "/v1/partner/no-such-route"), 404, "NOT_FOUND");
  expect_error(http_request(port, "DELETE", kAccounts, {{"X-API-Key", tenant.key}}), 405, "METHOD_NOT_ALLOWED");
  expect_error(partner_post(port, tenant.key, kAccounts, "{bad"), 422, "VALIDATION_FAILED");
  const auto fourth = partner_get(port, tenant.key, kAccounts);
  expect_ok(fourth);
  EXPECT_EQ(header_int(fourth, "X-RateLimit-Remaining"), 0);
  // The window is full: the limiter answers before routing.
  expect_minute_limited(partner_get(port, tenant.key, "/v1/partner/no-such-route"));
  expect_minute_limited(partner_post(port, tenant.key, kAccounts, "{bad"));
  // ...but still after authentication.
  expect_error(partner_get(port, deactivated.key, kAccounts), 401, "KEY_DEACTIVATED");
}

TEST(PartnerRateLimit, FailsOpenWhenTheLimiterStoreFails) {
  ServerProcess server(server_args({"--testing-fault-injection", "true"}));
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "rl-failopen", {}, "", /*fast=*/false);
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--key-per-second", "3", "--key-per-minute", "1000"});

  const auto errors_before = store_errors_metric(server);
  ASSERT_EQ(set_limiter_fault(server, R"({"mode":"throw"})").status, 200);
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_ok(r);
    expect_unmetered(r);
  }
  // Errors of other statuses also pass the failed limiter.
  expect_error(partner_get(port, tenant.key, "/v1/partner/no-such-route"), 404, "NOT_FOUND");
  EXPECT_EQ(store_errors_metric(server), errors_before + 11);

  // Back to normal: limiting resumes at once, and nothing was charged while failing open.
  ASSERT_EQ(set_limiter_fault(server, R"({"mode":"off"})").status, 200);
  int admitted = 0;
  for (int i = 0; i < 6; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    if (r.status == 429) {
      expect_rate_limited(r, 1);
    } else {
      expect_ok(r);
      ++admitted;
    }
  }
  EXPECT_EQ(admitted, 3);
  const auto errors_after_recovery = store_errors_metric(server);
  EXPECT_EQ(errors_after_recovery, errors_before + 11);

  // A limiter slower than ratelimit.store_timeout (50 ms) fails open too.
  ASSERT_EQ(set_limiter_fault(server, R"({"mode":"delay","delay_ms":120})").status, 200);
  for (int i = 0; i < 3; ++i) {
    const auto r = partner_get(port, tenant.key, kAccounts);
    expect_ok(r);
    expect_unmetered(r);
  }
  EXPECT_EQ(store_errors_metric(server), errors_after_recovery + 3);
  ASSERT_EQ(set_limiter_fault(server, R"({"mode":"off"})").status, 200);
}

}  // namespace
}  // namespace polysim::testing
