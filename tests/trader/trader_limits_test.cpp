// The seed's tier table and 429 messages (seed 002), without a server.
#include "trader/trader_limits.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace polysim::trader {
namespace {

TEST(TraderTiers, LimitsAndWindowsAreTheSeeds) {
  EXPECT_EQ(policy_of(Tier::Auth).limit, 10);
  EXPECT_EQ(policy_of(Tier::Auth).window_ms, 15 * 60'000);
  EXPECT_EQ(policy_of(Tier::PasswordChange).limit, 3);
  EXPECT_EQ(policy_of(Tier::PasswordChange).window_ms, 3'600'000);
  EXPECT_EQ(policy_of(Tier::MfaVerify).limit, 10);
  EXPECT_EQ(policy_of(Tier::Refresh).limit, 100);
  EXPECT_EQ(policy_of(Tier::DesktopSync).limit, 60);
  EXPECT_EQ(policy_of(Tier::DesktopSync).window_ms, 60'000);
  EXPECT_EQ(policy_of(Tier::Default).limit, 200);
}

TEST(TraderTiers, MessagesAreTheSeeds) {
  EXPECT_EQ(limit_message(policy_of(Tier::Default)), "Too many requests. Limit is 200 requests per minute.");
  EXPECT_EQ(limit_message(policy_of(Tier::Auth)), "Too many requests. Limit is 10 requests per 15 minutes.");
  EXPECT_EQ(limit_message(policy_of(Tier::PasswordChange)), "Too many requests. Limit is 3 requests per hour.");
  EXPECT_EQ(limit_message(policy_of(Tier::Refresh)), "Too many requests. Limit is 100 requests per 15 minutes.");
  EXPECT_EQ(limit_message(policy_of(Tier::DesktopSync)), "Too many requests. Limit is 60 requests per minute.");
}

TEST(TraderTiers, ResetCountsUntilTheOldestAdmissionLeaves) {
  ManualClock clock;
  limit::InProcessSlidingLog log(clock);
  limit::FailOpenGuard guard(log, [](std::string_view) {});
  auto first = charge(guard, Tier::PasswordChange, "ip:192.0.2.1");
  EXPECT_TRUE(first.admitted);
  EXPECT_EQ(first.remaining, 2);
  EXPECT_EQ(first.reset_s, 3600);
  clock.advance_millis(1'000'000);
  charge(guard, Tier::PasswordChange, "ip:192.0.2.1");
  charge(guard, Tier::PasswordChange, "ip:192.0.2.1");
  auto refused = charge(guard, Tier::PasswordChange, "ip:192.0.2.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_s, 2600);
  http::Response r = rate_limited_response(Tier::PasswordChange, refused);
  apply_tier_headers(r, refused);
  EXPECT_EQ(r.body,
            R"({"error":"rate_limited","message":"Too many requests. Limit is 3 requests per hour.","code":"RATE_LIMIT_EXCEEDED","retryAfter":2600})");
  EXPECT_EQ(r.header("Retry-After").value_or(""), "2600");
  EXPECT_EQ(r.header("RateLimit-Policy").value_or(""), "3;w=3600");
  // Another bucket is untouched.
  EXPECT_TRUE(charge(guard, Tier::PasswordChange, "ip:192.0.2.2").admitted);
}

}  // namespace
}  // namespace polysim::trader
