#include "cli/demo_command.hpp"

#include <gtest/gtest.h>

#include "cli/tenant_commands.hpp"
#include "cli_fixture.hpp"
#include "core/crypto.hpp"

namespace polysim::cli {
namespace {

using testing::CliStoreTest;

using DemoCommandTest = CliStoreTest;

TEST_F(DemoCommandTest, SeedsAWorkingTenantTraderAndAccount) {
  const auto result = seed_demo(context());
  EXPECT_TRUE(result.tenant_created);
  EXPECT_TRUE(result.account_created);
  EXPECT_EQ(result.tenant.name, "demo");
  EXPECT_TRUE(result.tenant.partner_enabled);
  EXPECT_FALSE(result.tenant.disabled);
  EXPECT_EQ(result.tenant.redirect_origins, std::vector<std::string>{"http://localhost:3000"});

  EXPECT_EQ(result.key.record.scopes, (std::vector<std::string>{"users:write", "accounts:write", "accounts:read"}));
  const auto digest = sha256(result.key.key);
  const auto by_hash = store().find_api_key_by_hash(std::string(reinterpret_cast<const char*>(digest.data()), 32));
  ASSERT_TRUE(by_hash.has_value());
  EXPECT_EQ(by_hash->tenant_id, result.tenant.id);

  EXPECT_EQ(result.trader.external_id, "demo-trader-1");
  EXPECT_EQ(result.trader.email, "trader@example.com");
  EXPECT_TRUE(Uuid::parse(result.trader.tenant_user_id).has_value());

  const auto account = store().find_account(result.tenant.id, result.account.id);
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(Uuid::parse(account->id)->version(), 7);
  EXPECT_EQ(account->external_id, "demo-challenge-1");
  EXPECT_EQ(account->user_id, result.trader.user_id);
  EXPECT_TRUE(account->governed);
  EXPECT_EQ(account->stage, "challenge");
  EXPECT_EQ(account->status, "active");
  EXPECT_EQ(account->starting_balance, 10'000'000'000);
  EXPECT_EQ(account->cash, 10'000'000'000);
  EXPECT_EQ(account->peak_equity, 10'000'000'000);
  EXPECT_EQ(account->min_equity, 10'000'000'000);
  EXPECT_EQ(account->day_start_equity, 10'000'000'000);
  EXPECT_EQ(account->day_low_equity, 10'000'000'000);
  EXPECT_EQ(account->day_start_at, clock().now_unix_micros());
  EXPECT_EQ(account->created_at, clock().now_unix_micros());
}

TEST_F(DemoCommandTest, RunningTwiceAddsOnlyAKey) {
  const auto first = seed_demo(context());
  clock().advance_millis(1000);
  const auto second = seed_demo(context());
  EXPECT_FALSE(second.tenant_created);
  EXPECT_FALSE(second.account_created);
  EXPECT_EQ(second.tenant.id, first.tenant.id);
  EXPECT_EQ(second.trader.user_id, first.trader.user_id);
  EXPECT_EQ(second.account.id, first.account.id);
  EXPECT_NE(second.key.key, first.key.key);

  EXPECT_EQ(count("tenants"), 1);
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("partner_user_mappings"), 1);
  EXPECT_EQ(count("accounts"), 1);
  EXPECT_EQ(count("api_keys"), 2);
  EXPECT_EQ(rows("SELECT 1 FROM audit_log WHERE action = 'tenant.create'").size(), 1u);
  EXPECT_EQ(rows("SELECT 1 FROM audit_log WHERE action = 'api_key.create'").size(), 2u);
}

TEST_F(DemoCommandTest, RestoresADemoTenantThatWasSwitchedOff) {
  seed_demo(context());
  set_tenant_disabled(context(), "demo", true);
  TenantSetInput off;
  off.partner_enabled = "false";
  set_tenant(context(), "demo", off);
  remove_redirect_origin(context(), "demo", "http://localhost:3000");

  const auto result = seed_demo(context());
  EXPECT_FALSE(result.tenant.disabled);
  EXPECT_TRUE(result.tenant.partner_enabled);
  EXPECT_EQ(result.tenant.redirect_origins, std::vector<std::string>{"http://localhost:3000"});
  const auto stored = store().find_tenant("demo");
  EXPECT_FALSE(stored->disabled);
  EXPECT_TRUE(stored->partner_enabled);
}

TEST_F(DemoCommandTest, CurlCommandUsesTheListenAddress) {
  const auto result = seed_demo(context());
  EXPECT_EQ(demo_curl_command(result, HostPort{"127.0.0.1", 8080}),
            "curl -s -H 'X-API-Key: " + result.key.key + "' http://127.0.0.1:8080/v1/partner/accounts/" +
                result.account.id);
  EXPECT_NE(demo_curl_command(result, HostPort{"0.0.0.0", 9000}).find("http://127.0.0.1:9000/"), std::string::npos);
  EXPECT_NE(demo_curl_command(result, HostPort{"::1", 9000}).find("http://[::1]:9000/"), std::string::npos);
}

}  // namespace
}  // namespace polysim::cli
