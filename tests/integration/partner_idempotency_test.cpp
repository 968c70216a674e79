// Idempotent creates under concurrency (10-partner-api.md §5, §11 property 5): identical
// simultaneous creates resolve to one row, one 201 and 200s with the same resource.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace partner_it;

constexpr int kThreads = 24;

TEST(PartnerIdempotency, SimultaneousIdenticalUserCreatesMakeOneUser) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "idem-users");

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string ext = "idem-u" + std::to_string(round);
    const std::string email = "idem" + std::to_string(round) + "@example.com";
    std::vector<RawRequest> requests;
    for (int i = 0; i < kThreads; ++i) {
      // Spellings of one email normalise alike.
      const std::string spelled = i % 2 == 0 ? email : "  IDEM" + std::to_string(round) + "@Example.COM ";
      requests.push_back(partner_request("POST", "/v1/partner/users", tenant.key, user_body(ext, spelled)));
    }
    const auto responses = send_concurrently(port, requests);
    int created = 0, replayed = 0;
    std::set<std::int64_t> user_ids;
    std::set<std::string> bodies_without_created;
    for (const auto& r : responses) {
      if (r.status == 201) ++created;
      if (r.status == 200) ++replayed;
      EXPECT_TRUE(r.status == 200 || r.status == 201) << r.summary();
      expect_surface_headers(r);
      auto o = obj(r);
      EXPECT_EQ(o.at("created"), boost::json::value(r.status == 201)) << r.summary();
      user_ids.insert(int_field(o, "user_id"));
      o.erase("created");
      bodies_without_created.insert(boost::json::serialize(o));
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(replayed, kThreads - 1);
    EXPECT_EQ(user_ids.size(), 1u);
    EXPECT_EQ(bodies_without_created.size(), 1u) << "every answer names the same stored user";
    EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE tenant_id = ?1 AND email = ?2", {tenant.tenant_id, email}),
              1);
    EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1 AND external_id = ?2",
                       {tenant.tenant_id, ext}),
              1);
  }

  // A changed email on replay → 409, nothing changed.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("idem-u0", "other@example.com")), 409,
               "EXTERNAL_ID_CONFLICT");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE tenant_id = ?1", {tenant.tenant_id}), 3);
}

TEST(PartnerIdempotency, SimultaneousIdenticalAccountCreatesMakeOneAccount) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "idem-accounts");
  const auto uid = create_user(port, tenant.key, "idem-owner", "owner@example.com");
  const auto uid2 = create_user(port, tenant.key, "idem-other", "other@example.com");

  std::string account_id;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string ext = "idem-a" + std::to_string(round);
    std::vector<RawRequest> requests;
    for (int i = 0; i < kThreads; ++i) {
      // 10000 and "10000.00" are the same starting balance.
      const std::string balance = i % 3 == 0 ? "10000" : i % 3 == 1 ? "\"10000.00\"" : "\"10000.0\"";
      requests.push_back(partner_request("POST", "/v1/partner/accounts", tenant.key,
                                         account_body(uid, ext, "challenge", balance)));
    }
    const auto responses = send_concurrently(port, requests);
    int created = 0, replayed = 0;
    std::set<std::string> ids;
    std::set<std::string> stable_parts;
    for (const auto& r : responses) {
      if (r.status == 201) ++created;
      if (r.status == 200) ++replayed;
      EXPECT_TRUE(r.status == 200 || r.status == 201) << r.summary();
      expect_surface_headers(r);
      auto o = obj(r);
      EXPECT_EQ(o.at("created"), boost::json::value(r.status == 201)) << r.summary();
      ids.insert(str(o, "account_id"));
      o.erase("created");
      o.erase("as_of");  // the valuation instant is the request's own
      stable_parts.insert(boost::json::serialize(o));
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(replayed, kThreads - 1);
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(stable_parts.size(), 1u) << "every answer shows the same stored account";
    EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1 AND external_id = ?2",
                       {tenant.tenant_id, ext}),
              1);
    EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM ledger_entries WHERE account_id = ?1", {*ids.begin()}), 1)
        << "one deposit for one account";
    if (round == 0) account_id = *ids.begin();
  }
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {tenant.tenant_id}), 3);

  // A conflicting create racing identical ones: the identical ones all get the account, the
  // conflicting ones all get 409, and the stored row is the original.
  std::vector<RawRequest> mixed;
  for (int i = 0; i < kThreads; ++i) {
    mixed.push_back(partner_request("POST", "/v1/partner/accounts", tenant.key,
                                    i % 2 == 0 ? account_body(uid, "idem-a0", "challenge", "10000")
                                               : account_body(uid2, "idem-a0", "funded", "\"20000.00\"")));
  }
  const auto responses = send_concurrently(port, mixed);
  for (int i = 0; i < kThreads; ++i) {
    SCOPED_TRACE(i);
    if (i % 2 == 0) {
      expect_ok(responses[i], 200);
      EXPECT_EQ(str(obj(responses[i]), "account_id"), account_id);
    } else {
      expect_error(responses[i], 409, "ACCOUNT_EXTERNAL_ID_CONFLICT");
    }
  }
  const auto stored = open_store(server)->find_account(tenant.tenant_id, account_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->user_id, uid);
  EXPECT_EQ(stored->stage, "challenge");
  EXPECT_EQ(stored->starting_balance, 10'000'000'000);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1 AND external_id = 'idem-a0'",
                     {tenant.tenant_id}),
            1);
}

}  // namespace
}  // namespace polysim::testing
