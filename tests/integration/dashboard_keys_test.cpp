// Dashboard API keys, users and accounts (30-partner-apps.md §9.2; §10 items 9 and 10): a key
// shown once that works on /v1/partner/*, Deactivate → KEY_DEACTIVATED, Reactivate, Revoke →
// INVALID_KEY at once on this instance; users disabled and enabled; accounts with equity.
#include <gtest/gtest.h>

#include "integration/dashboard_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace dashboard_it;

HttpResponse partner_get(std::uint16_t port, const std::string& key, const std::string& target) {
  return http_request(port, "GET", target, {{"X-API-Key", key}});
}

std::string between(const std::string& text, const std::string& start, char end) {
  const auto at = text.find(start);
  if (at == std::string::npos) return {};
  const auto from = at + start.size();
  return text.substr(from, text.find(end, from) - from);
}

TEST(DashboardKeys, KeyShownOnceThenDeactivatedReactivatedRevoked) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-keys");
  const auto port = server.api_port();
  Browser b(port);
  b.login(tenant.staff_email);

  const auto no_scope = b.post("/dashboard/api-keys", {{"_csrf", b.csrf()}, {"name", "x"}, {"expiry", "none"}});
  EXPECT_EQ(no_scope.status, 400);
  EXPECT_NE(no_scope.body.find("Choose at least one scope."), std::string::npos);

  const auto created = b.post("/dashboard/api-keys", {{"_csrf", b.csrf()},
                                                      {"name", "integration"},
                                                      {"scopes", "users:write"},
                                                      {"scopes", "accounts:write"},
                                                      {"scopes", "accounts:read"},
                                                      {"expiry", "90d"}});
  ASSERT_EQ(created.status, 200) << created.summary(600);
  EXPECT_NE(created.body.find("shown only once"), std::string::npos);
  const auto key = "ps_tenant_" + between(created.body, "value=\"ps_tenant_", '"');
  ASSERT_GT(key.size(), 40u);
  const auto list = b.get("/dashboard/api-keys").body;
  EXPECT_EQ(list.find(key), std::string::npos) << "the key is gone after reload";
  const auto key_id = between(list, "action=\"/dashboard/api-keys/", '/');
  ASSERT_EQ(key_id.size(), 36u);

  EXPECT_EQ(partner_get(port, key, "/v1/partner/accounts").status, 200);
  b.post("/dashboard/api-keys/" + key_id + "/deactivate", {{"_csrf", b.csrf()}});
  const auto deactivated = partner_get(port, key, "/v1/partner/accounts");
  EXPECT_EQ(deactivated.status, 401);
  EXPECT_NE(deactivated.body.find("KEY_DEACTIVATED"), std::string::npos) << deactivated.body;
  EXPECT_NE(b.get("/dashboard/api-keys").body.find(">deactivated<"), std::string::npos);

  b.post("/dashboard/api-keys/" + key_id + "/reactivate", {{"_csrf", b.csrf()}});
  EXPECT_EQ(partner_get(port, key, "/v1/partner/accounts").status, 200);

  const auto confirm = b.get("/dashboard/api-keys/" + key_id + "/revoke");
  EXPECT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("Revocation is permanent"), std::string::npos);
  const auto revoked = b.follow(b.post("/dashboard/api-keys/" + key_id + "/revoke", {{"_csrf", b.csrf()}}));
  EXPECT_NE(revoked.body.find("revoked."), std::string::npos);
  EXPECT_EQ(revoked.body.find("/dashboard/api-keys/" + key_id + "/deactivate"), std::string::npos)
      << "no buttons for a revoked key";
  const auto refused = partner_get(port, key, "/v1/partner/accounts");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("INVALID_KEY"), std::string::npos) << refused.body;

  const auto audit = b.get("/dashboard/audit").body;
  for (const auto* action : {">api_key.create<", ">api_key.deactivate<", ">api_key.reactivate<", ">api_key.revoke<"})
    EXPECT_EQ(occurrences(audit, action), 1u) << action;
}

TEST(DashboardKeys, UsersAndAccountsListTheTenantsRows) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-lists");
  const auto port = server.api_port();
  Browser b(port);
  b.login(tenant.staff_email);
  const auto created = b.post("/dashboard/api-keys", {{"_csrf", b.csrf()}, {"name", "setup"}, {"scopes", "users:write"},
                                                      {"scopes", "accounts:write"}, {"expiry", "none"}});
  const auto key = "ps_tenant_" + between(created.body, "value=\"ps_tenant_", '"');
  const auto user = http_request(port, "POST", "/v1/partner/users", {{"X-API-Key", key}, {"Content-Type", "application/json"}},
                                 R"({"external_id":"ext-1","email":"trader.one@example.com"})");
  ASSERT_EQ(user.status, 201) << user.summary(600);
  const auto user_id = user.json().at("user_id").as_int64();
  const auto account = http_request(
      port, "POST", "/v1/partner/accounts", {{"X-API-Key", key}, {"Content-Type", "application/json"}},
      R"({"user_id":)" + std::to_string(user_id) + R"(,"external_id":"acc-1","stage":"challenge","starting_balance":"2500.00"})");
  ASSERT_EQ(account.status, 201) << account.summary(600);

  const auto users = b.get("/dashboard/users?q=TRADER.one");
  EXPECT_NE(users.body.find("trader.one@example.com"), std::string::npos);
  EXPECT_NE(users.body.find("<td>ext-1</td>"), std::string::npos);
  EXPECT_NE(users.body.find("<td>partner</td>"), std::string::npos);
  EXPECT_NE(b.get("/dashboard/users?q=nobody").body.find("No users match."), std::string::npos);

  const auto accounts = b.get("/dashboard/accounts?owner=trader.one%40example.com");
  EXPECT_NE(accounts.body.find("trader.one@example.com"), std::string::npos);
  EXPECT_NE(accounts.body.find(">2500.00<"), std::string::npos) << "starting balance and equity, 2 decimals";
  EXPECT_NE(accounts.body.find(">0.00<"), std::string::npos) << "P&L";

  // The account's own page: its figures and its equity drawn as a chart.
  const auto account_id = std::string(account.json().at("account_id").as_string());
  const auto detail = b.get("/dashboard/accounts/" + account_id);
  ASSERT_EQ(detail.status, 200) << detail.summary(600);
  EXPECT_NE(detail.body.find("<svg"), std::string::npos) << "created and now: two points";
  EXPECT_NE(detail.body.find("Starting balance"), std::string::npos);
  EXPECT_NE(accounts.body.find("/dashboard/accounts/" + account_id), std::string::npos) << "the list links to it";
  const auto other = new_tenant(server, "dash-lists-other");
  Browser stranger(port);
  stranger.login(other.staff_email);
  EXPECT_EQ(stranger.get("/dashboard/accounts/" + account_id).status, 404);

  const auto disabled = b.follow(b.post("/dashboard/users/" + std::to_string(user_id) + "/disable", {{"_csrf", b.csrf()}}));
  EXPECT_NE(disabled.body.find("trader.one@example.com is disabled."), std::string::npos);
  EXPECT_NE(disabled.body.find(">Disabled<"), std::string::npos);
  b.post("/dashboard/users/" + std::to_string(user_id) + "/enable", {{"_csrf", b.csrf()}});
  const auto audit = b.get("/dashboard/audit").body;
  EXPECT_EQ(occurrences(audit, ">user.disable<"), 1u);
  EXPECT_EQ(occurrences(audit, ">user.enable<"), 1u);
  EXPECT_EQ(b.post("/dashboard/users/999999/disable", {{"_csrf", b.csrf()}}).status, 404);
}

}  // namespace
}  // namespace polysim::testing
