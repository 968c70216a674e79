// Cross-tenant isolation (00-overview.md "Nothing ever crosses tenants"; 10-partner-api.md
// §1.1 and §11 property 3): another tenant's ids answer byte-identically to ids that do not
// exist, and external ids are per tenant.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace partner_it;

struct Probe {
  std::string method;
  std::string target;
  std::string body;
};

HttpResponse send(std::uint16_t port, const std::string& key, const Probe& p) {
  if (p.method == "GET") return partner_get(port, key, p.target);
  if (p.method == "PATCH") return partner_patch(port, key, p.target, p.body);
  return partner_post(port, key, p.target, p.body);
}

TEST(PartnerIsolation, ForeignIdsAnswerExactlyLikeUnknownIds) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto a = new_tenant(server, "iso-a", {"--redirect-origin", std::string(kPartnerOrigin)});
  const auto b = new_tenant(server, "iso-b", {"--redirect-origin", std::string(kPartnerOrigin)});

  const auto a_user = create_user(port, a.key, "shared-ext", "trader@example.com");
  const auto a_account = create_account(port, a.key, a_user, "shared-acc");
  const std::string a_id = str(a_account, "account_id");
  // Tenant B has its own users and accounts, under the same external ids and email.
  const auto b_user = create_user(port, b.key, "shared-ext", "trader@example.com");
  EXPECT_NE(b_user, a_user);
  const auto b_account = create_account(port, b.key, b_user, "shared-acc");
  EXPECT_NE(str(b_account, "account_id"), a_id);

  const std::int64_t unknown_user = std::max(a_user, b_user) + 1000;
  const std::string unknown_account = UuidV7Generator().next(now_micros() / 1000).to_string();

  auto probes_for = [](std::int64_t user, const std::string& account) {
    const std::string u = "/v1/partner/users/" + std::to_string(user);
    const std::string acc = "/v1/partner/accounts/" + account;
    return std::vector<Probe>{
        {"GET", u, ""},
        {"POST", u + "/login-link", ""},
        {"POST", u + "/login-link", R"({"redirect_url":"https://partner.polysim.test/x"})"},
        {"POST", "/v1/partner/accounts", account_body(user, "iso-new", "demo", "\"100.00\"")},
        {"GET", acc, ""},
        {"PATCH", acc, R"({"stage":"funded","metadata":{"owned":"no"}})"},
        {"POST", acc + "/close", ""},
        {"POST", acc + "/reset", ""},
        {"GET", acc + "/trades", ""},
        {"GET", with_query(acc + "/trades", {{"limit", "5"}, {"side", "buy"}}), ""},
    };
  };
  const auto foreign = probes_for(a_user, a_id);
  const auto missing = probes_for(unknown_user, unknown_account);
  for (std::size_t i = 0; i < foreign.size(); ++i) {
    SCOPED_TRACE(foreign[i].method + " " + foreign[i].target);
    const auto f = send(port, b.key, foreign[i]);
    const auto m = send(port, b.key, missing[i]);
    EXPECT_EQ(f.status, 404) << f.summary();
    EXPECT_EQ(f.status, m.status);
    EXPECT_EQ(f.body, m.body) << "a foreign id must be indistinguishable from an unknown one";
    EXPECT_EQ(f.header("X-Polysim-Code"), m.header("X-Polysim-Code"));
    expect_surface_headers(f);
  }
  // Lists never show foreign rows; filtering by a foreign user gives an empty page.
  const auto listed = obj(partner_get(port, b.key, with_query("/v1/partner/accounts", {{"user_id", std::to_string(a_user)}})));
  EXPECT_EQ(listed.at("data"), boost::json::array{});
  const auto by_ext = obj(partner_get(port, b.key, with_query("/v1/partner/accounts", {{"external_id", "shared-acc"}})));
  ASSERT_EQ(by_ext.at("data").as_array().size(), 1u);
  EXPECT_EQ(str(by_ext.at("data").as_array()[0].as_object(), "account_id"), str(b_account, "account_id"));

  // Tenant A's data is untouched by all of the above.
  const auto a_after = obj(partner_get(port, a.key, "/v1/partner/accounts/" + a_id));
  EXPECT_EQ(str(a_after, "stage"), "challenge");
  EXPECT_EQ(str(a_after, "status"), "active");
  EXPECT_EQ(int_field(a_after, "reset_count"), 0);
  EXPECT_EQ(a_after.at("metadata"), boost::json::object{});
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM email_outbox WHERE tenant_id = ?1", {a.tenant_id}), 0);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {a.tenant_id}), 1);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {b.tenant_id}), 1);
}

}  // namespace
}  // namespace polysim::testing
