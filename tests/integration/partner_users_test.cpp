// POST/GET /v1/partner/users and POST /v1/partner/users/{id}/login-link against the real
// binary (10-partner-api.md §6), including the outbox mail a login link produces.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;
using namespace partner_it;

const std::regex kRfc3339Millis(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
const std::regex kTokenParam(R"(token=ll_[a-z2-7]{52}$)");

std::string nested_object(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"k\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}

std::vector<boost::json::object> login_mails(const ServerProcess& server, std::string_view to) {
  std::vector<boost::json::object> out;
  for (const auto& m : server.outbox_messages()) {
    const auto* o = m.if_object();
    if (o == nullptr) continue;
    if (str(*o, "kind") == "login_link" && str(*o, "to") == to) out.push_back(*o);
  }
  return out;
}

// Mail goes out asynchronously and in order: wait until `to` has `count` login mails.
std::vector<boost::json::object> wait_for_login_mails(const ServerProcess& server, std::string_view to,
                                                      std::size_t count) {
  server.wait_for_outbox_message(
      [&](const boost::json::value&) { return login_mails(server, to).size() >= count; }, 10s);
  return login_mails(server, to);
}

TEST(PartnerUsers, CreateReplayAndGet) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "users-crud");

  const auto created = partner_post(port, tenant.key, "/v1/partner/users",
                                    R"({"external_id":"pc_trader_123","email":"  Trader@Example.COM ",)"
                                    R"("metadata":{"country":"ES","tiers":[1,2],"nested":{"a":null}}})");
  expect_ok(created, 201);
  auto body = obj(created);
  std::set<std::string> keys;
  for (const auto& kv : body) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"user_id", "tenant_user_id", "external_id", "email", "metadata", "created",
                                         "created_at"}));
  const auto user_id = int_field(body, "user_id");
  EXPECT_GT(user_id, 0);
  EXPECT_TRUE(body.at("user_id").is_int64() || body.at("user_id").is_uint64()) << "user_id is a JSON integer";
  const auto tenant_user_id = Uuid::parse(str(body, "tenant_user_id"));
  EXPECT_TRUE(tenant_user_id.has_value()) << "tenant_user_id must be a lowercase canonical UUID";
  EXPECT_EQ(str(body, "external_id"), "pc_trader_123");
  EXPECT_EQ(str(body, "email"), "trader@example.com");
  EXPECT_EQ(body.at("metadata"), boost::json::parse(R"({"country":"ES","tiers":[1,2],"nested":{"a":null}})"));
  EXPECT_EQ(body.at("created"), boost::json::value(true));
  EXPECT_TRUE(std::regex_match(str(body, "created_at"), kRfc3339Millis)) << str(body, "created_at");

  // GET: the same body without `created`.
  const auto got = partner_get(port, tenant.key, "/v1/partner/users/" + std::to_string(user_id));
  expect_ok(got);
  auto expected = body;
  expected.erase("created");
  EXPECT_EQ(obj(got), expected);

  // Replay with the same normalised email: 200, created:false, stored row unchanged (the new
  // metadata is not applied).
  const auto replay = partner_post(port, tenant.key, "/v1/partner/users",
                                   R"({"external_id":"pc_trader_123","email":"TRADER@example.com","metadata":{"x":1}})");
  expect_ok(replay, 200);
  auto replay_body = obj(replay);
  EXPECT_EQ(replay_body.at("created"), boost::json::value(false));
  replay_body.erase("created");
  EXPECT_EQ(replay_body, expected);
  EXPECT_EQ(obj(partner_get(port, tenant.key, "/v1/partner/users/" + std::to_string(user_id))), expected);

  // Optional metadata defaults to {} (absent or null); external_id up to 255 characters.
  const auto plain = partner_post(port, tenant.key, "/v1/partner/users", user_body("plain", "plain@example.com"));
  expect_ok(plain, 201);
  EXPECT_EQ(obj(plain).at("metadata"), boost::json::object{});
  const auto null_meta = partner_post(port, tenant.key, "/v1/partner/users",
                                      R"({"external_id":"nullmeta","email":"nm@example.com","metadata":null})");
  expect_ok(null_meta, 201);
  EXPECT_EQ(obj(null_meta).at("metadata"), boost::json::object{});
  const std::string long_id(255, 'x');
  const auto longest = partner_post(port, tenant.key, "/v1/partner/users", user_body(long_id, "long@example.com"));
  expect_ok(longest, 201);
  EXPECT_EQ(str(obj(longest), "external_id"), long_id);
  // external_id is case-sensitive and byte-exact: another id, another user.
  const auto other_case = partner_post(port, tenant.key, "/v1/partner/users", user_body("PC_TRADER_123", "pc@example.com"));
  expect_ok(other_case, 201);
  EXPECT_NE(int_field(obj(other_case), "user_id"), user_id);
  // Unknown body fields are ignored.
  expect_ok(partner_post(port, tenant.key, "/v1/partner/users",
                         R"({"external_id":"extra","email":"extra@example.com","nickname":"x"})"),
            201);

  // Unknown user id.
  expect_error(partner_get(port, tenant.key, "/v1/partner/users/" + std::to_string(user_id + 1000)), 404,
               "USER_NOT_FOUND");
}

TEST(PartnerUsers, ValidationFailuresNameTheFieldAndCreateNothing) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "users-valid");

  struct Case {
    std::string body;
    std::string field;  // expected in the message; empty: not checked
  };
  const std::string big_meta = R"({"blob":")" + std::string(16 * 1024, 'a') + R"("})";
  const std::vector<Case> cases = {
      {R"({"email":"a@example.com"})", "external_id"},
      {R"({"external_id":null,"email":"a@example.com"})", "external_id"},
      {R"({"external_id":12,"email":"a@example.com"})", "external_id"},
      {R"({"external_id":["x"],"email":"a@example.com"})", "external_id"},
      {R"({"external_id":"","email":"a@example.com"})", "external_id"},
      {R"({"external_id":"has space","email":"a@example.com"})", "external_id"},
      {R"({"external_id":"tab\there","email":"a@example.com"})", "external_id"},
      {R"({"external_id":"caf\u00e9","email":"a@example.com"})", "external_id"},
      {R"({"external_id":")" + std::string(256, 'x') + R"(","email":"a@example.com"})", "external_id"},
      {R"({"external_id":"ok1"})", "email"},
      {R"({"external_id":"ok1","email":null})", "email"},
      {R"({"external_id":"ok1","email":42})", "email"},
      {R"({"external_id":"ok1","email":{"a":1}})", "email"},
      {R"({"external_id":"ok1","email":"a@example.com","metadata":"x"})", "metadata"},
      {R"({"external_id":"ok1","email":"a@example.com","metadata":[1]})", "metadata"},
      {R"({"external_id":"ok1","email":"a@example.com","metadata":7})", "metadata"},
      {R"({"external_id":"ok1","email":"a@example.com","metadata":)" + nested_object(11) + "}", "metadata"},
      {R"({"external_id":"ok1","email":"a@example.com","metadata":)" + big_meta + "}", "metadata"},
      // Validation precedes the email check.
      {R"({"external_id":"","email":"not-an-email"})", "external_id"},
      // Malformed, non-object and duplicate-key bodies.
      {"{not json", ""},
      {"[]", ""},
      {R"("a string")", ""},
      {"null", ""},
      {"{}", ""},
      {R"({"external_id":"ok1","email":"a@example.com"} x)", ""},
      {R"({"external_id":"ok1","external_id":"ok2","email":"a@example.com"})", ""},
      {R"({"external_id":"ok1","email":"a@example.com","email":"b@example.com"})", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 120));
    const auto message = expect_error(partner_post(port, tenant.key, "/v1/partner/users", c.body), 422,
                                      "VALIDATION_FAILED");
    if (!c.field.empty()) {
      EXPECT_NE(message.find(c.field), std::string::npos) << message;
    }
  }
  // No body at all.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users"), 422, "VALIDATION_FAILED");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 0);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE tenant_id = ?1", {tenant.tenant_id}), 0);

  // The bounds themselves are accepted: 10 levels of metadata, just under 16 KiB.
  expect_ok(partner_post(port, tenant.key, "/v1/partner/users",
                         R"({"external_id":"deep","email":"deep@example.com","metadata":)" + nested_object(10) + "}"),
            201);
  const std::string near_limit = R"({"blob":")" + std::string(16 * 1024 - 20, 'a') + R"("})";
  expect_ok(partner_post(port, tenant.key, "/v1/partner/users",
                         R"({"external_id":"big","email":"big@example.com","metadata":)" + near_limit + "}"),
            201);
}

TEST(PartnerUsers, EmailShapeIsChecked) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "users-email");

  const std::vector<std::string> bad = {
      "",
      "   ",
      "plain",
      "a@b",
      "@example.com",
      "a@",
      "a@@example.com",
      "a@b@example.com",
      "a b@example.com",
      "a\"b@example.com",
      "a(b)@example.com",
      "a,b@example.com",
      "a:b@example.com",
      "a;b@example.com",
      "a<b>@example.com",
      "a[b]@example.com",
      "a\\b@example.com",
      "\xC3\xBC@example.com",
      "a@ex\xC3\xA4mple.com",
      "a@-example.com",
      "a@example-.com",
      "a@example..com",
      "a@.example.com",
      "a@example.com.",
      "a@exa_mple.com",
      "a@example.c%m",
      std::string(65, 'l') + "@example.com",
      "a@" + std::string(64, 'd') + ".com",
      std::string(60, 'l') + "@" + std::string(60, 'd') + "." + std::string(60, 'd') + "." + std::string(60, 'd') +
          "." + std::string(10, 'd') + ".com",  // longer than 254 characters
  };
  int n = 0;
  for (const auto& email : bad) {
    SCOPED_TRACE("email '" + email + "'");
    expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("bad" + std::to_string(++n), email)),
                 400, "INVALID_EMAIL");
  }
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE tenant_id = ?1", {tenant.tenant_id}), 0);

  struct Good {
    std::string input;
    std::string normalised;
  };
  const std::vector<Good> good = {
      {"a@b.co", "a@b.co"},
      {" \tMixed.Case+Tag@Example.CO.uk \n", "mixed.case+tag@example.co.uk"},
      {"o'brien!#$%&*/=?^_`{|}~-@x-y.example", "o'brien!#$%&*/=?^_`{|}~-@x-y.example"},
      {std::string(64, 'l') + "@" + std::string(63, 'd') + ".com", std::string(64, 'l') + "@" + std::string(63, 'd') + ".com"},
  };
  for (const auto& g : good) {
    SCOPED_TRACE("email '" + g.input + "'");
    const auto r = partner_post(port, tenant.key, "/v1/partner/users", user_body("good" + std::to_string(++n), g.input));
    expect_ok(r, 201);
    EXPECT_EQ(str(obj(r), "email"), g.normalised);
  }
}

TEST(PartnerUsers, ConflictsAreReportedInOrderAndChangeNothing) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "users-conflict");
  const auto a = create_user(port, tenant.key, "ext-a", "a@example.com");
  create_user(port, tenant.key, "ext-b", "b@example.com");

  // external_id mapped to another email.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("ext-a", "c@example.com")), 409,
               "EXTERNAL_ID_CONFLICT");
  // Both conflicts at once: the external_id one is reported.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("ext-a", "b@example.com")), 409,
               "EXTERNAL_ID_CONFLICT");
  // The trader (by email, in any spelling) already mapped under another external_id.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("ext-c", "A@Example.com")), 409,
               "USER_ALREADY_MAPPED");
  // Shape errors come first.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", user_body("ext-a", "broken")), 400, "INVALID_EMAIL");
  expect_error(partner_post(port, tenant.key, "/v1/partner/users", R"({"external_id":"ext-a"})"), 422,
               "VALIDATION_FAILED");

  const auto got = obj(partner_get(port, tenant.key, "/v1/partner/users/" + std::to_string(a)));
  EXPECT_EQ(str(got, "email"), "a@example.com");
  EXPECT_EQ(str(got, "external_id"), "ext-a");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE tenant_id = ?1", {tenant.tenant_id}), 2);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM partner_user_mappings WHERE tenant_id = ?1", {tenant.tenant_id}), 2);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM users WHERE email = 'c@example.com'"), 0);
}

TEST(PartnerLoginLink, MailsTheLinkAndNeverReturnsTheToken) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "ll-ok", {"--redirect-origin", std::string(kPartnerOrigin)});
  const auto u1 = create_user(port, tenant.key, "ll-u1", "ll1@example.com");
  const auto u2 = create_user(port, tenant.key, "ll-u2", "ll2@example.com");
  const auto path1 = "/v1/partner/users/" + std::to_string(u1) + "/login-link";
  const auto path2 = "/v1/partner/users/" + std::to_string(u2) + "/login-link";

  auto accepted = [&](const HttpResponse& r) {
    expect_ok(r, 202);
    EXPECT_EQ(parse_body(r).value_or(nullptr), boost::json::parse(R"({"status":"accepted"})"));
    EXPECT_EQ(r.body.find("ll_"), std::string::npos) << "the token must never reach the partner";
    EXPECT_EQ(r.body.find("token"), std::string::npos);
    for (const auto& [name, value] : r.headers) EXPECT_EQ(value.find("ll_"), std::string::npos) << name;
  };

  // 1. No body: the trader_app_url landing.
  accepted(partner_post(port, tenant.key, path1));
  auto mails = wait_for_login_mails(server, "ll1@example.com", 1);
  ASSERT_EQ(mails.size(), 1u);
  std::string link = str(mails[0], "link");
  EXPECT_EQ(link.rfind(std::string(kTraderAppUrl) + "?token=ll_", 0), 0u) << link;
  EXPECT_TRUE(std::regex_search(link, kTokenParam)) << link;
  EXPECT_EQ(link.size(), kTraderAppUrl.size() + std::string("?token=ll_").size() + 52) << link;
  EXPECT_NE(str(mails[0], "text").find(link), std::string::npos) << "the mail text carries the link";

  // 2. An allowed redirect_url with a query: the token is appended with '&'.
  const std::string landing = std::string(kPartnerOrigin) + "/welcome?plan=10k";
  accepted(partner_post(port, tenant.key, path1, R"({"redirect_url":")" + landing + R"("})"));
  mails = wait_for_login_mails(server, "ll1@example.com", 2);
  ASSERT_EQ(mails.size(), 2u);
  link = str(mails[1], "link");
  EXPECT_EQ(link.rfind(landing + "&token=ll_", 0), 0u) << link;
  EXPECT_TRUE(std::regex_search(link, kTokenParam)) << link;
  EXPECT_NE(str(mails[0], "link"), link);

  // 3. Another spelling of the listed origin, and the trader_app_url origin, are allowed too.
  const std::string spelled = "HTTPS://Partner.POLYSIM.test:443/x";
  accepted(partner_post(port, tenant.key, path1, R"({"redirect_url":")" + spelled + R"("})"));
  accepted(partner_post(port, tenant.key, path1, R"({"redirect_url":"https://trader.polysim.test/elsewhere"})"));
  // 4. redirect_url null or an empty object body: the default landing.
  accepted(partner_post(port, tenant.key, path1, R"({"redirect_url":null})"));
  mails = wait_for_login_mails(server, "ll1@example.com", 5);
  ASSERT_EQ(mails.size(), 5u);
  EXPECT_EQ(str(mails[2], "link").rfind(spelled + "?token=ll_", 0), 0u) << str(mails[2], "link");
  EXPECT_EQ(str(mails[3], "link").rfind("https://trader.polysim.test/elsewhere?token=ll_", 0), 0u);
  EXPECT_EQ(str(mails[4], "link").rfind(std::string(kTraderAppUrl) + "?token=ll_", 0), 0u);

  // 5. The tenant's default_login_url replaces trader_app_url as the default landing.
  const std::string default_login = std::string(kPartnerOrigin) + "/login";
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--default-login-url", default_login});
  accepted(partner_post(port, tenant.key, path2, "{}"));
  mails = wait_for_login_mails(server, "ll2@example.com", 1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(str(mails[0], "link").rfind(default_login + "?token=ll_", 0), 0u) << str(mails[0], "link");

  // One mail per accepted request, each with its own token.
  EXPECT_EQ(login_mails(server, "ll1@example.com").size(), 5u);
  std::set<std::string> links;
  for (const auto& m : login_mails(server, "ll1@example.com")) links.insert(str(m, "link"));
  EXPECT_EQ(links.size(), 5u);

  // Unknown user.
  expect_error(partner_post(port, tenant.key, "/v1/partner/users/" + std::to_string(u2 + 1000) + "/login-link"), 404,
               "USER_NOT_FOUND");
}

TEST(PartnerLoginLink, RedirectRulesRejectAndSendNoMail) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "ll-redirect",
                                 {"--redirect-origin", std::string(kPartnerOrigin), "--redirect-origin",
                                  "http://localhost:3000"});
  const auto uid = create_user(port, tenant.key, "rr-u1", "rr@example.com");
  const auto path = "/v1/partner/users/" + std::to_string(uid) + "/login-link";

  const std::string p(kPartnerOrigin);
  const std::vector<std::string> refused = {
      "",
      "not a url",
      "/welcome",
      "welcome",
      "partner.polysim.test/welcome",
      "//partner.polysim.test/welcome",
      "ftp://partner.polysim.test/",
      "javascript:alert(1)",
      "data:text/html,hi",
      "https://user@partner.polysim.test/",
      "https://user:pw@partner.polysim.test/",
      "https://@partner.polysim.test/",
      p + "/#frag",
      p + "/x#",
      p + "/?token=abc",
      p + "/?a=1&TOKEN=x",
      p + "/?%74oken=x",
      p + "/?token",
      "https://evil.polysim.test/",
      "https://sub.partner.polysim.test/",
      "https://partner.polysim.test.evil.example/",
      p + ":8443/",
      "http://partner.polysim.test/",
      "http://localhost:3001/",
      "https://localhost:3000/",
      p + "/" + std::string(2048, 'a'),
  };
  for (const auto& url : refused) {
    SCOPED_TRACE("redirect_url '" + url.substr(0, 80) + "'");
    expect_error(partner_post(port, tenant.key, path, boost::json::serialize(boost::json::object{{"redirect_url", url}})),
                 400, "REDIRECT_NOT_ALLOWED");
  }
  // Wrong types are validation errors, and REDIRECT_NOT_ALLOWED precedes USER_NOT_FOUND.
  for (const std::string body : {R"({"redirect_url":5})", R"({"redirect_url":true})", R"({"redirect_url":{}})",
                                 R"({"redirect_url":["x"]})", "[]", "{bad"}) {
    SCOPED_TRACE(body);
    expect_error(partner_post(port, tenant.key, path, body), 422, "VALIDATION_FAILED");
  }
  const auto unknown = "/v1/partner/users/" + std::to_string(uid + 1000) + "/login-link";
  expect_error(partner_post(port, tenant.key, unknown, R"({"redirect_url":"https://evil.polysim.test/"})"), 400,
               "REDIRECT_NOT_ALLOWED");
  expect_error(partner_post(port, tenant.key, unknown, R"({"redirect_url":"https://partner.polysim.test/ok"})"), 404,
               "USER_NOT_FOUND");

  // The rejected requests queued nothing: after an accepted one is delivered, it is the only
  // mail of the trader (the outbox delivers in order).
  expect_ok(partner_post(port, tenant.key, path, R"({"redirect_url":"http://localhost:3000/callback"})"), 202);
  const auto mails = wait_for_login_mails(server, "rr@example.com", 1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(str(mails[0], "link").rfind("http://localhost:3000/callback?token=ll_", 0), 0u);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM email_outbox WHERE recipient = 'rr@example.com'"), 1);
}

TEST(PartnerLoginLink, FiveLinksPerUserPerHour) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "ll-cap", {"--redirect-origin", std::string(kPartnerOrigin)});
  const auto u1 = create_user(port, tenant.key, "cap-u1", "cap1@example.com");
  const auto u2 = create_user(port, tenant.key, "cap-u2", "cap2@example.com");
  const auto path1 = "/v1/partner/users/" + std::to_string(u1) + "/login-link";
  const auto path2 = "/v1/partner/users/" + std::to_string(u2) + "/login-link";

  // Refused redirects do not count against the cap.
  expect_error(partner_post(port, tenant.key, path1, R"({"redirect_url":"https://evil.polysim.test/"})"), 400,
               "REDIRECT_NOT_ALLOWED");
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE("link " + std::to_string(i + 1));
    expect_ok(partner_post(port, tenant.key, path1), 202);
  }
  for (int i = 0; i < 2; ++i) {
    const auto r = partner_post(port, tenant.key, path1);
    const auto message = expect_error(r, 429, "RATE_LIMIT_EXCEEDED");
    const auto retry = header_int(r, "Retry-After");
    EXPECT_GE(retry, 3590) << r.summary();
    EXPECT_LE(retry, 3600) << r.summary();
    EXPECT_EQ(message, "Rate limit exceeded. Retry after " + std::to_string(retry) + "s.");
  }
  // Another user of the same tenant is not affected.
  expect_ok(partner_post(port, tenant.key, path2), 202);
  wait_for_login_mails(server, "cap2@example.com", 1);
  EXPECT_EQ(wait_for_login_mails(server, "cap1@example.com", 5).size(), 5u);
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM email_outbox WHERE recipient = 'cap1@example.com'"), 5);
}

}  // namespace
}  // namespace polysim::testing
