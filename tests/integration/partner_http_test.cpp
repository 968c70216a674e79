// HTTP-level conventions of the partner surface against the real binary (00-overview.md
// conventions, 10-partner-api.md §1): body size and media type, request ids, protocol errors in
// the surface's envelope, and exact reading of query strings.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;
using namespace partner_it;

std::string head(const std::string& method, const std::string& target, const std::string& key,
                 const std::vector<std::string>& extra) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: polysim.test\r\nX-API-Key: " + key + "\r\n";
  for (const auto& h : extra) out += h + "\r\n";
  return out + "\r\n";
}

TEST(PartnerHttp, OversizedBodyIsRefusedFromContentLengthBeforeItIsSent) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "http-413");

  for (const std::string length : {"65537", "70000", "1048576", "1048577", "104857600"}) {
    for (const bool expect_continue : {false, true}) {
      SCOPED_TRACE("Content-Length " + length + (expect_continue ? " with Expect: 100-continue" : ""));
      HttpConnection c("127.0.0.1", port);
      std::vector<std::string> extra = {"Content-Type: application/json", "Content-Length: " + length};
      if (expect_continue) extra.emplace_back("Expect: 100-continue");
      ASSERT_TRUE(c.send_raw(head("POST", "/v1/partner/users", tenant.key, extra)));
      // Not a byte of the body is sent: the answer must come anyway, and it is final (no 100).
      const auto r = c.read_response(5s);
      ASSERT_TRUE(r.has_value()) << "no answer before the body: " << c.last_error();
      expect_error(*r, 413, "PAYLOAD_TOO_LARGE");
    }
  }
  // Chunked bodies have no Content-Length: the limit applies while reading.
  {
    HttpConnection c("127.0.0.1", port);
    ASSERT_TRUE(c.send_raw(head("POST", "/v1/partner/users", tenant.key,
                                {"Content-Type: application/json", "Transfer-Encoding: chunked"})));
    const std::string chunk(16 * 1024, ' ');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    bool sent_all = true;
    for (int i = 0; i < 5 && sent_all; ++i) sent_all = c.send_raw(size_line + chunk + "\r\n", 2s);
    if (sent_all) (void)c.send_raw("0\r\n\r\n", 2s);
    const auto r = c.read_response(5s);
    ASSERT_TRUE(r.has_value()) << c.last_error();
    expect_error(*r, 413, "PAYLOAD_TOO_LARGE");
  }
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 0);

  // Exactly 64 KiB is allowed.
  std::string body = user_body("exact-64k", "exact@example.com");
  body.insert(body.size() - 1, std::string(64 * 1024 - body.size(), ' '));
  ASSERT_EQ(body.size(), 64u * 1024);
  expect_ok(partner_post(port, tenant.key, "/v1/partner/users", body), 201);
  body.insert(body.size() - 1, " ");
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", body), 413, "PAYLOAD_TOO_LARGE");
}

TEST(PartnerHttp, BodiesMustBeJson) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "http-415");
  const auto uid = create_user(port, tenant.key, "m-u1", "m1@example.com");
  const auto account = create_account(port, tenant.key, uid, "m-acc");
  const std::string account_path = "/v1/partner/accounts/" + str(account, "account_id");

  const std::string valid = user_body("m-u2", "m2@example.com");
  for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "text/json",
                                 "multipart/form-data; boundary=x", "", "application"}) {
    SCOPED_TRACE("Content-Type '" + type + "'");
    Headers headers = {{"X-API-Key", tenant.key}};
    if (!type.empty()) headers.emplace_back("Content-Type", type);
    expect_error(http_request(port, "POST", "/v1/partner/users", headers, valid), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect_error(http_request(port, "PATCH", account_path, headers, R"({"stage":"funded"})"), 415,
                 "UNSUPPORTED_MEDIA_TYPE");
    expect_error(http_request(port, "POST", "/v1/partner/accounts", headers, account_body(uid, "m-acc2")), 415,
                 "UNSUPPORTED_MEDIA_TYPE");
  }
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 1);
  EXPECT_EQ(str(obj(partner_get(port, tenant.key, account_path)), "stage"), "challenge");

  int n = 0;
  for (const std::string type : {"application/json", "Application/JSON", "application/json;charset=utf-8",
                                 "application/json; charset=UTF-8"}) {
    SCOPED_TRACE("Content-Type '" + type + "'");
    ++n;
    expect_ok(http_request(port, "POST", "/v1/partner/users", {{"X-API-Key", tenant.key}, {"Content-Type", type}},
                           user_body("ok-" + std::to_string(n), "ok" + std::to_string(n) + "@example.com")),
              201);
  }
  // An empty body needs no Content-Type.
  expect_ok(http_request(port, "POST", "/v1/partner/users/" + std::to_string(uid) + "/login-link",
                         {{"X-API-Key", tenant.key}, {"Content-Length", "0"}}),
            202);
  expect_ok(http_request(port, "POST", account_path + "/reset", {{"X-API-Key", tenant.key}, {"Content-Length", "0"}}));
}

TEST(PartnerHttp, RequestIdIsEchoedOrGenerated) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "http-reqid");

  const std::string sane = "partner-it.req_42:A";
  for (const auto& [target, key] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/partner/accounts", tenant.key},
           {"/v1/partner/accounts", "ps_tenant_" + std::string(52, 'a')},
           {"/v1/partner/no-such-route", tenant.key},
           {"/v1/partner/accounts/not-a-uuid", tenant.key}}) {
    SCOPED_TRACE(target);
    const auto r = http_request(port, "GET", target, {{"X-API-Key", key}, {"X-Request-Id", sane}});
    expect_surface_headers(r);
    EXPECT_EQ(r.header("X-Request-Id").value_or(""), sane);
  }
  std::set<std::string> generated;
  for (const auto& insane : {std::string("has space"), std::string(129, 'a'), std::string("semi;colon"),
                                   std::string("caf\xC3\xA9"), std::string("")}) {
    SCOPED_TRACE("X-Request-Id '" + insane + "'");
    const auto r = http_request(port, "GET", "/v1/partner/accounts", {{"X-API-Key", tenant.key}, {"X-Request-Id", insane}});
    expect_ok(r);
    const auto id = r.header("X-Request-Id").value_or("");
    EXPECT_FALSE(id.empty());
    EXPECT_NE(id, insane);
    generated.insert(id);
  }
  for (int i = 0; i < 10; ++i) generated.insert(partner_get(port, tenant.key, "/v1/partner/accounts").header("X-Request-Id").value_or(""));
  EXPECT_EQ(generated.size(), 15u) << "generated request ids are unique";
}

TEST(PartnerHttp, ProtocolErrorsOnPartnerPathsUseTheSurfaceEnvelope) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "http-proto");

  // Header fields over 16 KiB.
  const auto big_header = partner_get(port, tenant.key, "/v1/partner/accounts", {{"X-Padding", std::string(20 * 1024, 'p')}});
  EXPECT_EQ(big_header.status, 431) << big_header.summary();
  expect_surface_headers(big_header);
  // A request target over 8 KiB.
  const auto long_url = partner_get(port, tenant.key, "/v1/partner/accounts?x=" + std::string(9 * 1024, 'u'));
  EXPECT_EQ(long_url.status, 414) << long_url.summary();
  expect_surface_headers(long_url);
  // Malformed framing.
  HttpConnection c("127.0.0.1", port);
  ASSERT_TRUE(c.send_raw(head("POST", "/v1/partner/users", tenant.key,
                              {"Content-Type: application/json", "Content-Length: twelve"})));
  const auto bad = c.read_response(5s);
  ASSERT_TRUE(bad.has_value()) << c.last_error();
  EXPECT_EQ(bad->status, 400) << bad->summary();
  expect_surface_headers(*bad);
}

// Query parameters are read exactly as sent, wherever they stand in the query string.
TEST(PartnerQueryParsing, LastQueryParameterIsReadExactly) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "http-query");
  const auto uid = create_user(port, tenant.key, "q-u1", "q1@example.com");
  const auto account = create_account(port, tenant.key, uid, "q-acc", "demo");
  const auto trades = "/v1/partner/accounts/" + str(account, "account_id") + "/trades";

  const std::vector<std::string> targets = {
      "/v1/partner/accounts?limit=1",
      "/v1/partner/accounts?limit=99",
      "/v1/partner/accounts?stage=demo",
      "/v1/partner/accounts?status=active",
      "/v1/partner/accounts?user_id=" + std::to_string(uid),
      "/v1/partner/accounts?external_id=q-acc",
      "/v1/partner/accounts?stage=demo&limit=5",
      trades + "?limit=5",
      trades + "?side=BUY",
      trades + "?limit=5&side=sell",
      trades + "?since=2020-01-01T00:00:00Z",
  };
  for (const auto& target : targets) {
    int failures = 0;
    std::string example;
    for (int i = 0; i < 10; ++i) {
      const auto r = partner_get(port, tenant.key, target);
      if (r.status != 200) {
        ++failures;
        example = r.summary(400);
      }
    }
    EXPECT_EQ(failures, 0) << target << " failed " << failures << "/10 times, e.g.\n" << example;
  }
  // The parameters are also honoured, not just accepted.
  const auto listed = partner_get(port, tenant.key, "/v1/partner/accounts?external_id=q-acc");
  if (listed.status == 200) {
    ASSERT_EQ(obj(listed).at("data").as_array().size(), 1u);
  }
}

}  // namespace
}  // namespace polysim::testing
