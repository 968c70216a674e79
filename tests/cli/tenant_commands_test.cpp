#include "cli/tenant_commands.hpp"

#include <gtest/gtest.h>

#include "cli_fixture.hpp"
#include "core/uuid.hpp"

namespace polysim::cli {
namespace {

using testing::CliStoreTest;

class TenantCommandsTest : public CliStoreTest {
 protected:
  store::TenantRecord create(const std::string& name) {
    TenantCreateInput input;
    input.name = name;
    return create_tenant(context(), input);
  }

  long long audits(const std::string& action) {
    return static_cast<long long>(rows("SELECT 1 FROM audit_log WHERE action = '" + action + "'").size());
  }
};

TEST_F(TenantCommandsTest, CreateAppliesSpecDefaults) {
  const auto tenant = create("acme");
  const auto id = Uuid::parse(tenant.id);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->version(), 7);
  EXPECT_EQ(tenant.display_name, "acme");
  EXPECT_TRUE(tenant.partner_enabled);
  EXPECT_FALSE(tenant.disabled);
  EXPECT_EQ(tenant.min_starting_balance, 1'000'000);
  EXPECT_EQ(tenant.max_starting_balance, 1'000'000'000'000);
  EXPECT_EQ(tenant.demo_starting_balance, 10'000'000'000);
  EXPECT_EQ(tenant.tenant_per_second, 50);
  EXPECT_EQ(tenant.key_per_minute, 3000);

  const auto stored = store().find_tenant("acme");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->id, tenant.id);

  const auto audit = rows("SELECT actor_kind, actor_id, tenant_id, target FROM audit_log WHERE action = 'tenant.create'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0][0], "cli");
  EXPECT_EQ(audit[0][1], "test-operator");
  EXPECT_EQ(audit[0][2], tenant.id);
}

TEST_F(TenantCommandsTest, CreateTakesEveryOption) {
  TenantCreateInput input;
  input.name = "prop-firm.eu";
  input.display_name = "Prop Firm Europe";
  input.partner_enabled = "false";
  input.min_balance = "0.01";
  input.max_balance = "1000000000.00";
  input.redirect_origins = {"HTTPS://Example.COM:443/", "https://example.com", "http://localhost:3000"};
  const auto tenant = create_tenant(context(), input);
  EXPECT_EQ(tenant.display_name, "Prop Firm Europe");
  EXPECT_FALSE(tenant.partner_enabled);
  EXPECT_EQ(tenant.min_starting_balance, 10'000);
  EXPECT_EQ(tenant.max_starting_balance, 1'000'000'000'000'000);
  // Two spellings of one origin collapse into its canonical form.
  EXPECT_EQ(tenant.redirect_origins, (std::vector<std::string>{"https://example.com", "http://localhost:3000"}));
  EXPECT_EQ(store().find_tenant(tenant.id)->redirect_origins, tenant.redirect_origins);
}

TEST_F(TenantCommandsTest, DuplicateNameIsRefused) {
  create("acme");
  EXPECT_THROW(create("acme"), InvalidInput);
  EXPECT_EQ(count("tenants"), 1);
}

TEST_F(TenantCommandsTest, BadNamesAreRefused) {
  const std::vector<std::string> names = {"",    "Acme", "has space", "-lead", ".lead", "x/y", std::string(65, 'a'),
                                         "0192f7a4-1b7d-7e2a-9f3c-1a2b3c4d5e6f"};
  for (const auto& name : names) {
    EXPECT_THROW(create(name), InvalidInput) << name;
  }
  EXPECT_NO_THROW(create(std::string(64, 'a')));
  EXPECT_EQ(count("tenants"), 1);
}

TEST_F(TenantCommandsTest, BadBalancesAreRefused) {
  for (const std::string text : {"0", "0.00", "0.001", "1.005", "-1", "-1.00", "+1", "1e3", "abc", "", " 1", "1,000",
                                 ".5", "5.", "NaN", "99999999999999999999"}) {
    TenantCreateInput input;
    input.name = "acme";
    input.min_balance = text;
    EXPECT_THROW(create_tenant(context(), input), InvalidInput) << "min " << text;
    input.min_balance.reset();
    input.max_balance = text;
    EXPECT_THROW(create_tenant(context(), input), InvalidInput) << "max " << text;
  }
  EXPECT_EQ(count("tenants"), 0);
}

TEST_F(TenantCommandsTest, BalanceBoundsAndOrder) {
  TenantCreateInput input;
  input.name = "acme";
  input.max_balance = "1000000000.01";
  EXPECT_THROW(create_tenant(context(), input), InvalidInput);
  input.max_balance = "100";
  input.min_balance = "500";
  EXPECT_THROW(create_tenant(context(), input), InvalidInput);
  // The default max (1,000,000.00) also bounds an explicit min.
  input.max_balance.reset();
  input.min_balance = "1000000.01";
  EXPECT_THROW(create_tenant(context(), input), InvalidInput);
  input.min_balance = "250.5";
  input.max_balance = "250.50";
  const auto tenant = create_tenant(context(), input);
  EXPECT_EQ(tenant.min_starting_balance, 250'500'000);
  EXPECT_EQ(tenant.max_starting_balance, 250'500'000);
}

TEST_F(TenantCommandsTest, SetChecksBoundsAgainstTheStoredOtherBound) {
  const auto tenant = create("acme");
  TenantSetInput input;
  input.min_balance = "2000000.00";  // above the stored max of 1,000,000.00
  EXPECT_THROW(set_tenant(context(), "acme", input), InvalidInput);
  input = {};
  input.max_balance = "0.50";  // below the stored min of 1.00
  EXPECT_THROW(set_tenant(context(), "acme", input), InvalidInput);
  EXPECT_EQ(store().find_tenant("acme")->updated_at, tenant.updated_at);

  input = {};
  input.min_balance = "2000000.00";
  input.max_balance = "3000000.00";
  const auto updated = set_tenant(context(), "acme", input);
  EXPECT_EQ(updated.min_starting_balance, 2'000'000'000'000);
  EXPECT_EQ(updated.max_starting_balance, 3'000'000'000'000);
}

TEST_F(TenantCommandsTest, SetValidatesAtomically) {
  create("acme");
  TenantSetInput input;
  input.display_name = "Renamed";
  input.tenant_per_second = "0";
  EXPECT_THROW(set_tenant(context(), "acme", input), InvalidInput);
  EXPECT_EQ(store().find_tenant("acme")->display_name, "acme");
  EXPECT_EQ(audits("tenant.update"), 0);
}

TEST_F(TenantCommandsTest, RateLimitsMustBeOneToTenMillion) {
  create("acme");
  for (const std::string text : {"0", "10000001", "-1", "1.5", "abc", "", " 5", "5 ", "+5", "1e3", "99999999999999999999"}) {
    TenantSetInput input;
    input.key_per_minute = text;
    EXPECT_THROW(set_tenant(context(), "acme", input), InvalidInput) << text;
  }
  TenantSetInput input;
  input.tenant_per_second = "1";
  input.tenant_per_minute = "10000000";
  input.key_per_second = "7";
  input.key_per_minute = "420";
  const auto tenant = set_tenant(context(), "acme", input);
  EXPECT_EQ(tenant.tenant_per_second, 1);
  EXPECT_EQ(tenant.tenant_per_minute, 10'000'000);
  EXPECT_EQ(tenant.key_per_second, 7);
  EXPECT_EQ(tenant.key_per_minute, 420);
  const auto stored = store().find_tenant("acme");
  EXPECT_EQ(stored->tenant_per_minute, 10'000'000);
  EXPECT_EQ(stored->key_per_minute, 420);
}

TEST_F(TenantCommandsTest, SetOtherFields) {
  create("acme");
  clock().advance_millis(5000);
  TenantSetInput input;
  input.display_name = "Acme Capital";
  input.partner_enabled = "false";
  input.demo_starting_balance = "25000.50";
  const auto tenant = set_tenant(context(), "acme", input);
  EXPECT_EQ(tenant.display_name, "Acme Capital");
  EXPECT_FALSE(tenant.partner_enabled);
  EXPECT_EQ(tenant.demo_starting_balance, 25'000'500'000);
  EXPECT_EQ(tenant.updated_at, clock().now_unix_micros());
  EXPECT_EQ(audits("tenant.update"), 1);

  TenantSetInput bad;
  bad.partner_enabled = "yes";
  EXPECT_THROW(set_tenant(context(), "acme", bad), InvalidInput);
  bad = {};
  bad.demo_starting_balance = "0";
  EXPECT_THROW(set_tenant(context(), "acme", bad), InvalidInput);
  bad = {};
  bad.display_name = "";
  EXPECT_THROW(set_tenant(context(), "acme", bad), InvalidInput);
  bad.display_name = "tab\there";
  EXPECT_THROW(set_tenant(context(), "acme", bad), InvalidInput);
}

TEST_F(TenantCommandsTest, SetWithoutOptionsOrChangesWritesNothing) {
  create("acme");
  EXPECT_THROW(set_tenant(context(), "acme", TenantSetInput{}), InvalidInput);
  TenantSetInput same;
  same.key_per_second = "50";
  set_tenant(context(), "acme", same);
  EXPECT_EQ(audits("tenant.update"), 0);
}

TEST_F(TenantCommandsTest, UnknownTenantIsInvalidInput) {
  EXPECT_THROW(resolve_tenant(store(), "nobody"), InvalidInput);
  TenantSetInput input;
  input.display_name = "x";
  EXPECT_THROW(set_tenant(context(), "nobody", input), InvalidInput);
  EXPECT_THROW(set_tenant_disabled(context(), "nobody", true), InvalidInput);
  EXPECT_THROW(add_redirect_origin(context(), "nobody", "https://a.example"), InvalidInput);
}

TEST_F(TenantCommandsTest, ResolvesByIdOrName) {
  const auto tenant = create("acme");
  EXPECT_EQ(resolve_tenant(store(), tenant.id).name, "acme");
  EXPECT_EQ(resolve_tenant(store(), "acme").id, tenant.id);
}

TEST_F(TenantCommandsTest, OriginsAreNormalisedAndValidated) {
  EXPECT_EQ(normalise_origin("HTTPS://Example.COM:443/"), "https://example.com");
  EXPECT_EQ(normalise_origin("http://LOCALHOST:3000"), "http://localhost:3000");
  for (const std::string bad : {"http://example.com", "https://example.com/path", "https://u@example.com",
                                "https://example.com?q=1", "example.com", "ftp://example.com", ""}) {
    EXPECT_THROW(normalise_origin(bad), InvalidInput) << bad;
    TenantCreateInput input;
    input.name = "acme";
    input.redirect_origins = {bad};
    EXPECT_THROW(create_tenant(context(), input), InvalidInput) << bad;
  }
}

TEST_F(TenantCommandsTest, AtMostTwentyOrigins) {
  TenantCreateInput input;
  input.name = "acme";
  for (int i = 0; i < 21; ++i) input.redirect_origins.push_back("https://o" + std::to_string(i) + ".example");
  EXPECT_THROW(create_tenant(context(), input), InvalidInput);
  input.redirect_origins.pop_back();
  const auto tenant = create_tenant(context(), input);
  EXPECT_EQ(tenant.redirect_origins.size(), 20u);
  EXPECT_THROW(add_redirect_origin(context(), "acme", "https://o20.example"), InvalidInput);
  // Re-adding a listed one (in another spelling) is not a 21st.
  EXPECT_EQ(add_redirect_origin(context(), "acme", "https://O3.example:443").redirect_origins.size(), 20u);
}

TEST_F(TenantCommandsTest, RedirectAddAndRemove) {
  create("acme");
  auto tenant = add_redirect_origin(context(), "acme", "https://Partner.example");
  EXPECT_EQ(tenant.redirect_origins, std::vector<std::string>{"https://partner.example"});
  add_redirect_origin(context(), "acme", "https://partner.example/");
  EXPECT_EQ(audits("tenant.redirect_origin.add"), 1);
  EXPECT_THROW(remove_redirect_origin(context(), "acme", "https://other.example"), InvalidInput);
  tenant = remove_redirect_origin(context(), "acme", "HTTPS://PARTNER.EXAMPLE");
  EXPECT_TRUE(tenant.redirect_origins.empty());
  EXPECT_TRUE(store().find_tenant("acme")->redirect_origins.empty());
  EXPECT_EQ(audits("tenant.redirect_origin.remove"), 1);
}

TEST_F(TenantCommandsTest, DefaultLoginUrlFollowsTheRedirectUrlRule) {
  create("acme");
  add_redirect_origin(context(), "acme", "https://partner.example");
  for (const std::string bad : {"https://elsewhere.example/login", "https://partner.example/login#frag",
                                "https://partner.example/login?token=x", "https://u@partner.example/login",
                                "/relative", "http://partner.example/login", "not a url"}) {
    TenantSetInput input;
    input.default_login_url = bad;
    EXPECT_THROW(set_tenant(context(), "acme", input), InvalidInput) << bad;
  }
  TenantSetInput input;
  input.default_login_url = "https://partner.example/welcome?from=polysim";
  EXPECT_EQ(set_tenant(context(), "acme", input).default_login_url, "https://partner.example/welcome?from=polysim");
  // The trader front end's origin is always allowed.
  input.default_login_url = "https://APP.example.com/landing";
  EXPECT_EQ(set_tenant(context(), "acme", input).default_login_url, "https://APP.example.com/landing");
  input.default_login_url = "";
  EXPECT_FALSE(set_tenant(context(), "acme", input).default_login_url.has_value());
  EXPECT_FALSE(store().find_tenant("acme")->default_login_url.has_value());
}

TEST_F(TenantCommandsTest, RemovingTheOriginOfDefaultLoginUrlIsRefused) {
  create("acme");
  add_redirect_origin(context(), "acme", "https://partner.example");
  TenantSetInput input;
  input.default_login_url = "https://partner.example/login";
  set_tenant(context(), "acme", input);
  EXPECT_THROW(remove_redirect_origin(context(), "acme", "https://partner.example"), InvalidInput);
  EXPECT_EQ(store().find_tenant("acme")->redirect_origins.size(), 1u);
}

TEST_F(TenantCommandsTest, DisableAndEnable) {
  create("acme");
  EXPECT_TRUE(set_tenant_disabled(context(), "acme", true).disabled);
  EXPECT_TRUE(store().find_tenant("acme")->disabled);
  set_tenant_disabled(context(), "acme", true);
  EXPECT_FALSE(set_tenant_disabled(context(), "acme", false).disabled);
  EXPECT_FALSE(store().find_tenant("acme")->disabled);
  EXPECT_EQ(audits("tenant.disable"), 1);
  EXPECT_EQ(audits("tenant.enable"), 1);
}

}  // namespace
}  // namespace polysim::cli
