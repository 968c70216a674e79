// Partner API authentication and authorization against the real binary: credential extraction
// (10-partner-api.md §2.2), key states (§2.1), tenant states (§10), scopes (§2.3) and the
// order of the request pipeline (§1.1).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
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

std::string unknown_key() { return "ps_tenant_" + std::string(52, 'a'); }

HttpResponse get_with(std::uint16_t port, const std::string& target, const Headers& headers) {
  return http_request(port, "GET", target, headers);
}

// Unmetered rendering when no tenant is known (§3.4): platform defaults, nothing used.
void expect_platform_unmetered(const HttpResponse& r) {
  EXPECT_EQ(header_int(r, "X-RateLimit-Limit"), 3000) << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Remaining"), 3000) << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Reset"), 0) << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Limit-Per-Second"), 50) << r.summary();
  EXPECT_EQ(header_int(r, "X-RateLimit-Remaining-Per-Second"), 50) << r.summary();
}

std::set<std::string> allow_set(const HttpResponse& r) {
  std::set<std::string> out;
  const auto allow = r.header("Allow").value_or("");
  std::size_t pos = 0;
  while (pos <= allow.size()) {
    auto comma = allow.find(',', pos);
    if (comma == std::string::npos) comma = allow.size();
    auto item = allow.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.insert(item);
    pos = comma + 1;
  }
  return out;
}

TEST(PartnerAuth, MissingCredentialIs401OnEveryPath) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  for (const std::string target : {"/v1/partner/accounts", "/v1/partner/no-such-route", "/v1/partner",
                                   "/v1/partner/users/abc", "/v1/partner/accounts/not-a-uuid/trades"}) {
    SCOPED_TRACE(target);
    const auto r = http_request(port, "GET", target);
    expect_error(r, 401, "MISSING_API_KEY");
    expect_platform_unmetered(r);
  }
  // Wrong method and a body do not matter either: no key is the first failing step.
  expect_error(http_request(port, "DELETE", "/v1/partner/users"), 401, "MISSING_API_KEY");
  expect_error(http_request(port, "POST", "/v1/partner/users", {{"Content-Type", "text/plain"}}, "x"), 401,
               "MISSING_API_KEY");
  // Steps 1-6 read headers only: the answer comes before any of a (large) body is sent.
  HttpConnection early("127.0.0.1", port);
  ASSERT_TRUE(early.send_raw("POST /v1/partner/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                             "Content-Length: 200000\r\n\r\n"));
  const auto before_body = early.read_response(5s);
  ASSERT_TRUE(before_body.has_value()) << early.last_error();
  expect_error(*before_body, 401, "MISSING_API_KEY");

  const auto tenant = new_tenant(server, "auth-missing");
  // Unusable credentials: empty X-API-Key, other schemes, a Bearer without a token.
  const std::vector<Headers> unusable = {
      {{"X-API-Key", ""}},
      {{"Authorization", "Basic " + tenant.key}},
      {{"Authorization", "Token " + tenant.key}},
      {{"Authorization", tenant.key}},
      {{"Authorization", "Bearer"}},
      {{"Authorization", "Bearer "}},
      {{"X-API-Key", ""}, {"Authorization", "Basic abc"}},
      {{"X-Api-Token", tenant.key}},
  };
  for (const auto& headers : unusable) {
    SCOPED_TRACE(headers.front().first + ": " + headers.front().second);
    expect_error(get_with(port, kAccounts, headers), 401, "MISSING_API_KEY");
  }
}

TEST(PartnerAuth, MalformedUnknownAndRepeatedKeysAreInvalid) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-invalid");
  std::string upper = tenant.key;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  const std::vector<std::string> malformed = {
      "abc",
      "ps_tenant_",
      tenant.key.substr(0, tenant.key.size() - 1),  // 51 characters
      tenant.key + "a",                              // 53 characters
      upper,
      "ps_live_" + tenant.key.substr(10),
      "ps_tenant_" + std::string(51, 'a') + "1",     // '1' is not base32
      "ps_tenant_" + std::string(51, 'a') + "=",
      unknown_key(),                                 // well-formed but unknown
  };
  for (const auto& key : malformed) {
    SCOPED_TRACE(key);
    const auto r = get_with(port, kAccounts, {{"X-API-Key", key}});
    expect_error(r, 401, "INVALID_KEY");
    expect_platform_unmetered(r);
    expect_error(get_with(port, kAccounts, {{"Authorization", "Bearer " + key}}), 401, "INVALID_KEY");
  }

  // Either header twice → INVALID_KEY, even when both carry the valid key.
  expect_error(get_with(port, kAccounts, {{"X-API-Key", tenant.key}, {"X-API-Key", tenant.key}}), 401, "INVALID_KEY");
  expect_error(get_with(port, kAccounts, {{"X-API-Key", tenant.key}, {"x-api-key", unknown_key()}}), 401,
               "INVALID_KEY");
  expect_error(get_with(port, kAccounts,
                        {{"Authorization", "Bearer " + tenant.key}, {"Authorization", "Bearer " + tenant.key}}),
               401, "INVALID_KEY");
  expect_error(get_with(port, kAccounts,
                        {{"X-API-Key", tenant.key}, {"Authorization", "Bearer x"}, {"Authorization", "Bearer y"}}),
               401, "INVALID_KEY");

  // The key itself still works.
  expect_ok(get_with(port, kAccounts, {{"X-API-Key", tenant.key}}));
}

TEST(PartnerAuth, BearerIsAcceptedAndXApiKeyWins) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-bearer");

  for (const std::string scheme : {"Bearer ", "bearer ", "BEARER ", "BeArEr "}) {
    SCOPED_TRACE(scheme);
    expect_ok(get_with(port, kAccounts, {{"Authorization", scheme + tenant.key}}));
  }
  // A non-empty X-API-Key is the credential and Authorization is ignored, whatever either holds.
  expect_error(get_with(port, kAccounts, {{"X-API-Key", unknown_key()}, {"Authorization", "Bearer " + tenant.key}}),
               401, "INVALID_KEY");
  expect_error(get_with(port, kAccounts, {{"X-API-Key", "garbage"}, {"Authorization", "Bearer " + tenant.key}}), 401,
               "INVALID_KEY");
  expect_ok(get_with(port, kAccounts, {{"X-API-Key", tenant.key}, {"Authorization", "Bearer " + unknown_key()}}));
  expect_ok(get_with(port, kAccounts, {{"X-API-Key", tenant.key}, {"Authorization", "Basic Zm9vOmJhcg=="}}));
  // An empty X-API-Key is not usable, so the Bearer counts.
  expect_ok(get_with(port, kAccounts, {{"X-API-Key", ""}, {"Authorization", "Bearer " + tenant.key}}));
}

TEST(PartnerAuth, RevokedKeyAnswersExactlyLikeAnUnknownKey) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-revoke");
  expect_ok(partner_get(port, tenant.key, kAccounts));

  cli_ok(server, {"key", "revoke", tenant.key_id});
  const auto revoked = partner_get(port, tenant.key, kAccounts);
  const auto unknown = partner_get(port, unknown_key(), kAccounts);
  expect_error(revoked, 401, "INVALID_KEY");
  expect_error(unknown, 401, "INVALID_KEY");
  EXPECT_EQ(revoked.body, unknown.body);
  EXPECT_EQ(revoked.header("X-Polysim-Code"), unknown.header("X-Polysim-Code"));
  // Revocation is permanent: reactivation is refused and the key stays invalid.
  EXPECT_NE(server.run_cli({"key", "reactivate", tenant.key_id}).exit_code, 0);
  expect_error(partner_get(port, tenant.key, kAccounts), 401, "INVALID_KEY");
  // Other keys of the tenant are unaffected.
  const auto other = create_key(server, tenant.tenant_id);
  expect_ok(partner_get(port, other.key, kAccounts));
}

TEST(PartnerAuth, DeactivatedKeyIsRefusedUntilReactivated) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-deact");
  expect_ok(partner_get(port, tenant.key, kAccounts));

  cli_ok(server, {"key", "deactivate", tenant.key_id});
  for (const std::string target : {"/v1/partner/accounts", "/v1/partner/nope", "/v1/partner/users/1"}) {
    SCOPED_TRACE(target);
    expect_error(partner_get(port, tenant.key, target), 401, "KEY_DEACTIVATED");
  }
  expect_error(http_request(port, "GET", kAccounts, {{"Authorization", "Bearer " + tenant.key}}), 401,
               "KEY_DEACTIVATED");

  cli_ok(server, {"key", "reactivate", tenant.key_id});
  expect_ok(partner_get(port, tenant.key, kAccounts));

  // Precedence: revoked beats deactivated.
  cli_ok(server, {"key", "deactivate", tenant.key_id});
  cli_ok(server, {"key", "revoke", tenant.key_id});
  expect_error(partner_get(port, tenant.key, kAccounts), 401, "INVALID_KEY");
}

TEST(PartnerAuth, ExpiredKeyIsRefused) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-expiry");

  // --expires-in 1m: valid now, expiry one minute ahead.
  const auto before = now_micros();
  const auto v = cli_ok(server, {"key", "create", "--tenant", tenant.tenant_id, "--expires-in", "1m", "--json"}).json();
  const std::string key_id(v.at("id").as_string());
  const std::string key(v.at("key").as_string());
  ASSERT_TRUE(v.at("expires_at").is_string()) << v;
  expect_ok(partner_get(port, key, kAccounts));

  // Waiting a minute is not an option: move the stored expiry into the past.
  auto store = open_store(server);
  auto record = store->find_api_key(key_id);
  ASSERT_TRUE(record.has_value());
  ASSERT_TRUE(record->expires_at.has_value());
  EXPECT_GE(*record->expires_at, before + 59'000'000);
  EXPECT_LE(*record->expires_at, now_micros() + 61'000'000);
  record->expires_at = now_micros() - 1'000'000;
  store->update_api_key_state(*record);

  for (const std::string target : {"/v1/partner/accounts", "/v1/partner/nope"}) {
    SCOPED_TRACE(target);
    expect_error(partner_get(port, key, target), 401, "KEY_EXPIRED");
  }
  // Precedence: deactivated beats expired, revoked beats both.
  cli_ok(server, {"key", "deactivate", key_id});
  expect_error(partner_get(port, key, kAccounts), 401, "KEY_DEACTIVATED");
  cli_ok(server, {"key", "revoke", key_id});
  expect_error(partner_get(port, key, kAccounts), 401, "INVALID_KEY");
  // The tenant's other key is unaffected.
  expect_ok(partner_get(port, tenant.key, kAccounts));
}

TEST(PartnerAuth, DisabledTenantIs403UntilEnabled) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-tdis");
  expect_ok(partner_get(port, tenant.key, kAccounts));

  cli_ok(server, {"tenant", "disable", tenant.tenant_id});
  expect_error(partner_get(port, tenant.key, kAccounts), 403, "TENANT_DISABLED");
  expect_error(partner_get(port, tenant.key, "/v1/partner/no-such-route"), 403, "TENANT_DISABLED");
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("x1", "x1@example.com")), 403,
               "TENANT_DISABLED");
  expect_error(http_request(port, "DELETE", kAccounts, {{"X-API-Key", tenant.key}}), 403, "TENANT_DISABLED");
  // A key problem is found first.
  const auto second = create_key(server, tenant.tenant_id);
  cli_ok(server, {"key", "deactivate", second.id});
  expect_error(partner_get(port, second.key, kAccounts), 401, "KEY_DEACTIVATED");
  // Nothing was created while disabled.
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 0);

  cli_ok(server, {"tenant", "enable", tenant.tenant_id});
  expect_ok(partner_get(port, tenant.key, kAccounts));
}

TEST(PartnerAuth, PartnerSurfaceDisabledAnswers404OnEveryPath) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-surface");
  const auto user_id = create_user(port, tenant.key, "u1", "u1@example.com");
  const auto account = create_account(port, tenant.key, user_id, "a1");
  const std::string account_path = std::string(kAccounts) + "/" + str(account, "account_id");

  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--partner-enabled", "false"});
  const std::vector<RawRequest> requests = {
      partner_request("GET", kAccounts, tenant.key),
      partner_request("GET", account_path, tenant.key),
      partner_request("GET", account_path + "/trades", tenant.key),
      partner_request("PATCH", account_path, tenant.key, R"({"stage":"funded"})"),
      partner_request("POST", account_path + "/close", tenant.key),
      partner_request("POST", account_path + "/reset", tenant.key),
      partner_request("POST", kAccounts, tenant.key, account_body(user_id, "a2")),
      partner_request("POST", "/v1/partner/users", tenant.key, user_body("u2", "u2@example.com")),
      partner_request("GET", "/v1/partner/users/" + std::to_string(user_id), tenant.key),
      partner_request("POST", "/v1/partner/users/" + std::to_string(user_id) + "/login-link", tenant.key),
      partner_request("DELETE", "/v1/partner/users", tenant.key),          // would be 405
      partner_request("GET", "/v1/partner/no-such-route", tenant.key),     // would be 404 anyway
      partner_request("GET", "/v1/partner/accounts/not-a-uuid", tenant.key),  // would be 422
  };
  std::string first_body;
  for (const auto& req : requests) {
    SCOPED_TRACE(req.method + " " + req.target);
    const auto r = http_request(port, req.method, req.target, req.headers, req.body);
    expect_error(r, 404, "NOT_FOUND");
    if (first_body.empty()) first_body = r.body;
    EXPECT_EQ(r.body, first_body);
  }
  // Nothing changed behind the 404s.
  const auto stored = open_store(server)->find_account(tenant.tenant_id, str(account, "account_id"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->stage, "challenge");
  EXPECT_EQ(stored->status, "active");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 1);

  // Earlier steps still answer first.
  expect_error(http_request(port, "GET", kAccounts), 401, "MISSING_API_KEY");
  cli_ok(server, {"tenant", "disable", tenant.tenant_id});
  expect_error(partner_get(port, tenant.key, kAccounts), 403, "TENANT_DISABLED");
  cli_ok(server, {"tenant", "enable", tenant.tenant_id});

  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--partner-enabled", "true"});
  expect_ok(partner_get(port, tenant.key, account_path));

  // A tenant created with the surface off.
  const auto apps_only = new_tenant(server, "auth-appsonly", {"--partner-enabled", "false"});
  expect_error(partner_get(port, apps_only.key, kAccounts), 404, "NOT_FOUND");
  expect_error(partner_post(port, apps_only.key, "/v1/partner/users", user_body("u1", "u1@example.com")), 404,
               "NOT_FOUND");
}

TEST(PartnerAuth, KeyChangeAppliesWithinFiveSecondsWithTheDefaultCacheTtl) {
  ServerProcess server({"--trader-app-url", std::string(kTraderAppUrl)});  // default cache.ttl
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "auth-ttl");
  expect_ok(partner_get(port, tenant.key, kAccounts));  // now cached

  cli_ok(server, {"key", "deactivate", tenant.key_id});
  const auto changed_at = std::chrono::steady_clock::now();
  HttpResponse last;
  while (std::chrono::steady_clock::now() - changed_at < 6s) {
    last = partner_get(port, tenant.key, kAccounts);
    if (last.status == 401) break;
    EXPECT_EQ(last.status, 200) << last.summary();
    std::this_thread::sleep_for(100ms);
  }
  const auto took = std::chrono::steady_clock::now() - changed_at;
  expect_error(last, 401, "KEY_DEACTIVATED");
  EXPECT_LE(took, 5s) << "a CLI change must apply within 5 s";
}

// §2.3: each scope guards exactly its routes; nothing implies anything else.
TEST(PartnerScopes, MissingScopeIs403ExactlyOnTheRoutesOfThatScope) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "scopes");
  const std::string unknown_account = "/v1/partner/accounts/" + Uuid::v4().to_string();
  const std::string unknown_user = "/v1/partner/users/987654321";

  struct KeyUnderTest {
    std::string scopes;
    std::string key;
  };
  std::vector<KeyUnderTest> keys;
  for (const std::string scopes : {"users:write", "accounts:write", "accounts:read", "users:write,accounts:read",
                                   "accounts:write,accounts:read", "users:write,accounts:write,accounts:read"}) {
    keys.push_back({scopes, create_key(server, tenant.tenant_id, scopes).key});
  }

  int serial = 0;
  for (const auto& k : keys) {
    SCOPED_TRACE("scopes " + k.scopes);
    auto holds = [&](std::string_view scope) { return k.scopes.find(scope) != std::string::npos; };
    // Fresh resources per key, made with the all-scope key.
    ++serial;
    const auto uid = create_user(port, tenant.key, "scope-u" + std::to_string(serial),
                                 "scope" + std::to_string(serial) + "@example.com");
    const auto account = create_account(port, tenant.key, uid, "scope-a" + std::to_string(serial));
    const std::string user_path = "/v1/partner/users/" + std::to_string(uid);
    const std::string account_path = "/v1/partner/accounts/" + str(account, "account_id");

    struct Case {
      const char* scope;
      RawRequest request;
      int ok_status;
      std::string ok_code;  // empty: a success status
    };
    const std::vector<Case> cases = {
        {"users:write",
         partner_request("POST", "/v1/partner/users", k.key,
                         user_body("scope-new-" + std::to_string(serial), "new" + std::to_string(serial) + "@example.com")),
         201, ""},
        {"users:write", partner_request("POST", user_path + "/login-link", k.key), 202, ""},
        {"users:write", partner_request("POST", unknown_user + "/login-link", k.key), 404, "USER_NOT_FOUND"},
        {"accounts:read", partner_request("GET", user_path, k.key), 200, ""},
        {"accounts:read", partner_request("GET", unknown_user, k.key), 404, "USER_NOT_FOUND"},
        {"accounts:write",
         partner_request("POST", "/v1/partner/accounts", k.key,
                         account_body(uid, "scope-new-a" + std::to_string(serial))),
         201, ""},
        {"accounts:read", partner_request("GET", "/v1/partner/accounts", k.key), 200, ""},
        {"accounts:read", partner_request("GET", account_path, k.key), 200, ""},
        {"accounts:read", partner_request("GET", unknown_account, k.key), 404, "ACCOUNT_NOT_FOUND"},
        {"accounts:read", partner_request("GET", account_path + "/trades", k.key), 200, ""},
        {"accounts:read", partner_request("GET", unknown_account + "/trades", k.key), 404, "ACCOUNT_NOT_FOUND"},
        {"accounts:write", partner_request("PATCH", account_path, k.key, R"({"metadata":{"k":1}})"), 200, ""},
        {"accounts:write", partner_request("PATCH", unknown_account, k.key, R"({"metadata":{"k":1}})"), 404,
         "ACCOUNT_NOT_FOUND"},
        {"accounts:write", partner_request("POST", account_path + "/reset", k.key), 200, ""},
        {"accounts:write", partner_request("POST", unknown_account + "/reset", k.key), 404, "ACCOUNT_NOT_FOUND"},
        {"accounts:write", partner_request("POST", account_path + "/close", k.key), 200, ""},
        {"accounts:write", partner_request("POST", unknown_account + "/close", k.key), 404, "ACCOUNT_NOT_FOUND"},
    };
    for (const auto& c : cases) {
      SCOPED_TRACE(c.request.method + " " + c.request.target);
      const auto r = http_request(port, c.request.method, c.request.target, c.request.headers, c.request.body);
      if (!holds(c.scope)) {
        expect_error(r, 403, "INSUFFICIENT_PERMISSION");
      } else if (c.ok_code.empty()) {
        expect_ok(r, c.ok_status);
      } else {
        expect_error(r, c.ok_status, c.ok_code);
      }
    }
  }
}

TEST(PartnerPipeline, RouteAndMethodAreCheckedBeforeScope) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "pipe-route");
  const auto reader = create_key(server, tenant.tenant_id, "accounts:read");
  const auto writer = create_key(server, tenant.tenant_id, "accounts:write");
  const std::string some_account = "/v1/partner/accounts/" + Uuid::v4().to_string();

  struct Case {
    std::string method;
    std::string target;
    std::set<std::string> allow;
  };
  const std::vector<Case> cases = {
      {"DELETE", some_account, {"GET", "HEAD", "PATCH"}},
      {"PUT", some_account, {"GET", "HEAD", "PATCH"}},
      {"POST", some_account, {"GET", "HEAD", "PATCH"}},
      {"DELETE", "/v1/partner/accounts", {"GET", "HEAD", "POST"}},
      {"PATCH", "/v1/partner/accounts", {"GET", "HEAD", "POST"}},
      {"GET", "/v1/partner/users", {"POST"}},
      {"PUT", "/v1/partner/users", {"POST"}},
      {"POST", "/v1/partner/users/12", {"GET", "HEAD"}},
      {"GET", "/v1/partner/users/12/login-link", {"POST"}},
      {"POST", some_account + "/trades", {"GET", "HEAD"}},
      {"GET", some_account + "/close", {"POST"}},
      {"DELETE", some_account + "/reset", {"POST"}},
  };
  for (const auto& key : {reader.key, writer.key, tenant.key}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(c.method + " " + c.target);
      const auto r = http_request(port, c.method, c.target, {{"X-API-Key", key}});
      expect_error(r, 405, "METHOD_NOT_ALLOWED");
      EXPECT_EQ(r.header_count("Allow"), 1u);
      EXPECT_EQ(allow_set(r), c.allow) << r.header("Allow").value_or("<none>");
    }
  }

  // Unknown routes: 404 NOT_FOUND whatever the key's scopes.
  for (const std::string target :
       {"/v1/partner/trades", "/v1/partner", "/v1/partner/", "/v1/partner/accounts/", "/v1/partner/users/",
        "/v1/partner/accounts/x/y/z", "/v1/partner/users/1/login-link/extra", "/v1/partner/Accounts",
        "/v1/partner//accounts"}) {
    SCOPED_TRACE(target);
    expect_error(partner_get(port, reader.key, target), 404, "NOT_FOUND");
    expect_error(partner_get(port, writer.key, target), 404, "NOT_FOUND");
  }
}

TEST(PartnerPipeline, ScopeIsCheckedBeforeBodyPathAndResource) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "pipe-scope");
  const auto reader = create_key(server, tenant.tenant_id, "accounts:read");
  const auto writer = create_key(server, tenant.tenant_id, "accounts:write");

  // 403 before 404 on an unknown account, before 422 on a malformed id.
  expect_error(partner_get(port, writer.key, "/v1/partner/accounts/" + Uuid::v4().to_string()), 403,
               "INSUFFICIENT_PERMISSION");
  expect_error(partner_get(port, writer.key, "/v1/partner/accounts/not-a-uuid/trades"), 403,
               "INSUFFICIENT_PERMISSION");
  expect_error(partner_post(port, reader.key, "/v1/partner/accounts/not-a-uuid/close"), 403,
               "INSUFFICIENT_PERMISSION");
  expect_error(partner_get(port, writer.key, "/v1/partner/users/abc"), 403, "INSUFFICIENT_PERMISSION");
  // 403 before 415 and before 413.
  expect_error(http_request(port, "POST", "/v1/partner/accounts",
                            {{"X-API-Key", reader.key}, {"Content-Type", "text/plain"}}, "hello"),
               403, "INSUFFICIENT_PERMISSION");
  HttpConnection c("127.0.0.1", port);
  ASSERT_TRUE(c.send_raw("POST /v1/partner/accounts HTTP/1.1\r\nHost: t\r\nX-API-Key: " + reader.key +
                         "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"));
  const auto early = c.read_response(5s);
  ASSERT_TRUE(early.has_value()) << c.last_error();
  expect_error(*early, 403, "INSUFFICIENT_PERMISSION");
  // 403 before body validation.
  expect_error(partner_post(port, reader.key, "/v1/partner/accounts", "{not json"), 403, "INSUFFICIENT_PERMISSION");

  // With the scope, the later steps answer: 413 before 415, 415 before path parameters.
  HttpConnection c2("127.0.0.1", port);
  ASSERT_TRUE(c2.send_raw("POST /v1/partner/accounts/not-a-uuid/close HTTP/1.1\r\nHost: t\r\nX-API-Key: " +
                          writer.key + "\r\nContent-Type: text/plain\r\nContent-Length: 70000\r\n\r\n"));
  const auto too_large = c2.read_response(5s);
  ASSERT_TRUE(too_large.has_value()) << c2.last_error();
  expect_error(*too_large, 413, "PAYLOAD_TOO_LARGE");
  expect_error(http_request(port, "POST", "/v1/partner/accounts/not-a-uuid/close",
                            {{"X-API-Key", writer.key}, {"Content-Type", "text/plain"}}, "x"),
               415, "UNSUPPORTED_MEDIA_TYPE");
  // Path parameters before the query and before the resource.
  expect_error(partner_get(port, reader.key, "/v1/partner/accounts/not-a-uuid/trades?limit=0&_=0"), 422,
               "INVALID_ACCOUNT_ID");
  expect_error(partner_get(port, reader.key, with_query("/v1/partner/accounts/" + Uuid::v4().to_string() + "/trades",
                                                        {{"limit", "0"}})),
               422, "VALIDATION_FAILED");
}

// §1.1: step 11 (path parameters) precedes step 12 (body). A request to a malformed account id
// answers INVALID_ACCOUNT_ID whatever its body holds.
TEST(PartnerPipeline, MalformedAccountIdIsReportedBeforeBodyProblems) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "pipe-path");
  const std::string bad = "/v1/partner/accounts/not-a-uuid";

  expect_error(partner_patch(port, tenant.key, bad, R"({"stage":"funded"})"), 422, "INVALID_ACCOUNT_ID");
  expect_error(partner_patch(port, tenant.key, bad, "{not json"), 422, "INVALID_ACCOUNT_ID");
  expect_error(partner_patch(port, tenant.key, bad, "[1,2]"), 422, "INVALID_ACCOUNT_ID");
  expect_error(partner_patch(port, tenant.key, bad), 422, "INVALID_ACCOUNT_ID");  // no body at all
  expect_error(partner_post(port, tenant.key, bad + "/close", "[]"), 422, "INVALID_ACCOUNT_ID");
  expect_error(partner_post(port, tenant.key, bad + "/reset", "{bad"), 422, "INVALID_ACCOUNT_ID");
}

TEST(PartnerPipeline, MalformedUserIdIsAValidationErrorNamingIt) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "pipe-user");
  for (const std::string id : {"abc", "0", "-1", "01", "1.5", "1e3", "+1", "9007199254740992",
                               "99999999999999999999"}) {
    SCOPED_TRACE(id);
    const auto target = "/v1/partner/users/" + id;
    auto message = expect_error(partner_get(port, tenant.key, target), 422, "VALIDATION_FAILED");
    EXPECT_NE(message.find("user_id"), std::string::npos) << message;
    message = expect_error(partner_post(port, tenant.key, target + "/login-link", R"({"redirect_url":5})"), 422,
                           "VALIDATION_FAILED");
    EXPECT_NE(message.find("user_id"), std::string::npos) << message;
  }
  // The largest allowed id is well-formed: unknown, not malformed.
  expect_error(partner_get(port, tenant.key, "/v1/partner/users/9007199254740991"), 404, "USER_NOT_FOUND");
}

}  // namespace
}  // namespace polysim::testing
