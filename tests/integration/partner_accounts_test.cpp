// /v1/partner/accounts against the real binary: create (with replay), get, list, patch, close
// and reset (10-partner-api.md §7, §8), with their validation and error order.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/decimal.hpp"
#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;
using namespace partner_it;

const std::regex kRfc3339Millis(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

const std::set<std::string> kEnvelopeKeys = {
    "account_id", "external_id", "user_id", "stage", "status", "pending_action", "currency", "starting_balance",
    "cash", "reserved", "positions_value", "equity", "realized_pnl", "unrealized_pnl", "fees_paid", "peak_equity",
    "min_equity", "drawdown", "drawdown_pct", "max_drawdown", "max_drawdown_pct", "day_start_equity", "day_start_at",
    "day_pnl", "day_low_equity", "open_orders_count", "positions_count", "positions", "reset_count", "last_reset_at",
    "closed_at", "metadata", "rules", "created_at", "updated_at", "as_of"};

std::set<std::string> keys_of(const boost::json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

std::int64_t money(const boost::json::object& o, std::string_view key) {
  return parse_decimal(str(o, key), 6, 6, NegativeValues::Allow).value_or(-999'999'999);
}

// §7 identities (no positions exist yet, but they must hold exactly on every read).
void expect_identities(const boost::json::object& a) {
  SCOPED_TRACE(boost::json::serialize(a));
  EXPECT_EQ(money(a, "equity"), money(a, "cash") + money(a, "reserved") + money(a, "positions_value"));
  EXPECT_EQ(money(a, "equity"), money(a, "starting_balance") + money(a, "realized_pnl") + money(a, "unrealized_pnl"));
  EXPECT_GE(money(a, "peak_equity"), money(a, "equity"));
  EXPECT_GE(money(a, "equity"), money(a, "min_equity"));
  EXPECT_GE(money(a, "max_drawdown"), money(a, "drawdown"));
  EXPECT_GE(money(a, "drawdown"), 0);
  EXPECT_EQ(money(a, "drawdown"), money(a, "peak_equity") - money(a, "equity"));
  EXPECT_EQ(money(a, "day_pnl"), money(a, "equity") - money(a, "day_start_equity"));
  for (const auto* t : {"created_at", "updated_at", "as_of", "day_start_at"})
    EXPECT_TRUE(std::regex_match(str(a, t), kRfc3339Millis)) << t << " = " << str(a, t);
}

boost::json::object without(boost::json::object o, std::initializer_list<const char*> keys) {
  for (const auto* k : keys) o.erase(k);
  return o;
}

std::string account_path(const boost::json::object& a) { return "/v1/partner/accounts/" + str(a, "account_id"); }

TEST(PartnerAccounts, CreateAndGetReturnTheFullEnvelope) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-create");
  const auto uid = create_user(port, tenant.key, "acc-u1", "acc1@example.com");

  const auto r = partner_post(port, tenant.key, "/v1/partner/accounts",
                              account_body(uid, "pc_challenge_001", "challenge", "\"10000.00\"",
                                           R"("metadata":{"plan":"10k-2step"},"rules":{"max_drawdown_pct":10,"daily_loss_pct":5})"));
  expect_ok(r, 201);
  const auto a = obj(r);
  auto expected_keys = kEnvelopeKeys;
  expected_keys.insert("created");
  EXPECT_EQ(keys_of(a), expected_keys);
  const auto id = Uuid::parse(str(a, "account_id"));
  ASSERT_TRUE(id.has_value()) << str(a, "account_id");
  EXPECT_EQ(id->version(), 7);
  EXPECT_EQ(str(a, "external_id"), "pc_challenge_001");
  EXPECT_EQ(int_field(a, "user_id"), uid);
  EXPECT_EQ(str(a, "stage"), "challenge");
  EXPECT_EQ(str(a, "status"), "active");
  EXPECT_TRUE(a.at("pending_action").is_null());
  EXPECT_EQ(str(a, "currency"), "USD");
  for (const auto* k : {"starting_balance", "cash", "equity", "peak_equity", "min_equity", "day_start_equity",
                        "day_low_equity"})
    EXPECT_EQ(str(a, k), "10000.00") << k;
  for (const auto* k : {"reserved", "positions_value", "realized_pnl", "unrealized_pnl", "fees_paid", "drawdown",
                        "max_drawdown", "day_pnl"})
    EXPECT_EQ(str(a, k), "0.00") << k;
  EXPECT_EQ(str(a, "drawdown_pct"), "0.0000");
  EXPECT_EQ(str(a, "max_drawdown_pct"), "0.0000");
  EXPECT_EQ(int_field(a, "open_orders_count"), 0);
  EXPECT_EQ(int_field(a, "positions_count"), 0);
  EXPECT_EQ(a.at("positions"), boost::json::array{});
  EXPECT_EQ(int_field(a, "reset_count"), 0);
  EXPECT_TRUE(a.at("last_reset_at").is_null());
  EXPECT_TRUE(a.at("closed_at").is_null());
  EXPECT_EQ(a.at("metadata"), boost::json::parse(R"({"plan":"10k-2step"})"));
  EXPECT_EQ(a.at("rules"), boost::json::parse(R"({"max_drawdown_pct":10,"daily_loss_pct":5})"));
  EXPECT_EQ(str(a, "created_at"), str(a, "updated_at"));
  EXPECT_EQ(str(a, "created_at"), str(a, "day_start_at"));
  EXPECT_GE(str(a, "as_of"), str(a, "created_at"));
  EXPECT_EQ(a.at("created"), boost::json::value(true));
  expect_identities(a);

  const auto got = partner_get(port, tenant.key, account_path(a));
  expect_ok(got);
  const auto g = obj(got);
  EXPECT_EQ(keys_of(g), kEnvelopeKeys);
  EXPECT_EQ(without(g, {"as_of"}), without(a, {"as_of", "created"}));
  EXPECT_GE(str(g, "as_of"), str(a, "as_of"));
  expect_identities(g);

  // Balances are rendered with two decimals whatever the input spelling; objects default to {}.
  struct Spelling {
    std::string json;
    std::string rendered;
  };
  int n = 0;
  for (const auto& s : std::vector<Spelling>{{"2500", "2500.00"}, {"\"12345.6\"", "12345.60"}, {"\"0100.5\"", "100.50"},
                                             {"1.00", "1.00"}, {"1000000", "1000000.00"}, {"\"99.99\"", "99.99"}}) {
    SCOPED_TRACE(s.json);
    const auto c = partner_post(port, tenant.key, "/v1/partner/accounts",
                                account_body(uid, "spelling-" + std::to_string(++n), "demo", s.json));
    expect_ok(c, 201);
    const auto o = obj(c);
    EXPECT_EQ(str(o, "starting_balance"), s.rendered);
    EXPECT_EQ(str(o, "equity"), s.rendered);
    EXPECT_EQ(o.at("metadata"), boost::json::object{});
    EXPECT_EQ(o.at("rules"), boost::json::object{});
    expect_identities(o);
  }
  // null metadata/rules count as absent; unknown fields are ignored.
  const auto nulls = partner_post(port, tenant.key, "/v1/partner/accounts",
                                  account_body(uid, "nulls", "funded", "\"10.00\"",
                                               R"("metadata":null,"rules":null,"colour":"red")"));
  expect_ok(nulls, 201);
  EXPECT_EQ(obj(nulls).at("metadata"), boost::json::object{});
  EXPECT_FALSE(obj(nulls).contains("colour"));
}

TEST(PartnerAccounts, CreateValidationOrder) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-valid");
  const auto uid = create_user(port, tenant.key, "v-u1", "v1@example.com");
  const auto u = std::to_string(uid);

  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string field;  // named in a VALIDATION_FAILED message
  };
  const std::string ok_tail = R"(,"external_id":"v1","stage":"demo","starting_balance":"100.00"})";
  const std::vector<Case> cases = {
      // 422: missing, null or wrongly typed fields.
      {R"({"external_id":"v1","stage":"demo","starting_balance":"100.00"})", 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":null)" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":")" + u + "\"" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":)" + u + ".0" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":)" + u + "e0" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":0)" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":-1)" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":9007199254740992)" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {R"({"user_id":true)" + ok_tail, 422, "VALIDATION_FAILED", "user_id"},
      {"{\"user_id\":" + u + R"(,"stage":"demo","starting_balance":"100.00"})", 422, "VALIDATION_FAILED",
       "external_id"},
      {"{\"user_id\":" + u + R"(,"external_id":7,"stage":"demo","starting_balance":"100.00"})", 422,
       "VALIDATION_FAILED", "external_id"},
      {"{\"user_id\":" + u + R"(,"external_id":"a b","stage":"demo","starting_balance":"100.00"})", 422,
       "VALIDATION_FAILED", "external_id"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","starting_balance":"100.00"})", 422, "VALIDATION_FAILED", "stage"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":null,"starting_balance":"100.00"})", 422,
       "VALIDATION_FAILED", "stage"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":1,"starting_balance":"100.00"})", 422,
       "VALIDATION_FAILED", "stage"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"demo"})", 422, "VALIDATION_FAILED", "starting_balance"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"demo","starting_balance":null})", 422,
       "VALIDATION_FAILED", "starting_balance"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"demo","starting_balance":"1","metadata":[]})", 422,
       "VALIDATION_FAILED", "metadata"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"demo","starting_balance":"1","rules":"x"})", 422,
       "VALIDATION_FAILED", "rules"},
      // Validation precedes the stage and balance codes.
      {R"({"external_id":"v1","stage":"live","starting_balance":"abc"})", 422, "VALIDATION_FAILED", "user_id"},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"live","starting_balance":"1","metadata":1})", 422,
       "VALIDATION_FAILED", "metadata"},
      // 400 INVALID_STAGE (case-sensitive), before INVALID_BALANCE.
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"Challenge","starting_balance":"100.00"})", 400,
       "INVALID_STAGE", ""},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"live","starting_balance":"100.00"})", 400,
       "INVALID_STAGE", ""},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"","starting_balance":"100.00"})", 400, "INVALID_STAGE",
       ""},
      {"{\"user_id\":" + u + R"(,"external_id":"v1","stage":"live","starting_balance":"1.001"})", 400,
       "INVALID_STAGE", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const auto message = expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", c.body), c.status, c.code);
    if (!c.field.empty()) {
      EXPECT_NE(message.find(c.field), std::string::npos) << message;
    }
  }

  // 400 INVALID_BALANCE: anything that is not a decimal with at most two places.
  for (const std::string balance : {"\"100.001\"", "100.001", "\"abc\"", "true", "[]", "{}", "\"1e4\"", "1e4", "1E2",
                                    "\"+100\"", "\" 100\"", "\"100 \"", "\"NaN\"", "\"Infinity\"", "\"\"", "\".5\"",
                                    "\"5.\"", "\"1,000.00\"", "\"0x10\""}) {
    SCOPED_TRACE("starting_balance " + balance);
    expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", account_body(uid, "v1", "demo", balance)), 400,
                 "INVALID_BALANCE");
  }
  // Malformed bodies.
  for (const std::string body : {"{bad", "[]", "42", R"({"user_id":1,"user_id":1})"}) {
    SCOPED_TRACE(body);
    expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", body), 422, "VALIDATION_FAILED");
  }
  expect_error(partner_post(port, tenant.key, "/v1/partner/accounts"), 422, "VALIDATION_FAILED");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {tenant.tenant_id}), 0);
}

TEST(PartnerAccounts, BalanceBoundsThenUserExistence) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-bounds", {"--min-balance", "100", "--max-balance", "50000"});
  const auto uid = create_user(port, tenant.key, "b-u1", "b1@example.com");
  const auto unknown_uid = uid + 1000;

  int n = 0;
  for (const std::string balance : {"\"99.99\"", "\"50000.01\"", "0", "\"0.00\"", "\"-5\"", "-100.00", "1000000"}) {
    SCOPED_TRACE(balance);
    expect_error(partner_post(port, tenant.key, "/v1/partner/accounts",
                              account_body(uid, "b" + std::to_string(++n), "demo", balance)),
                 400, "BALANCE_OUT_OF_BOUNDS");
    // Bounds are checked before the user exists.
    expect_error(partner_post(port, tenant.key, "/v1/partner/accounts",
                              account_body(unknown_uid, "b" + std::to_string(++n), "demo", balance)),
                 400, "BALANCE_OUT_OF_BOUNDS");
  }
  expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", account_body(unknown_uid, "b-unknown")), 404,
               "USER_NOT_FOUND");
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {tenant.tenant_id}), 0);
  // The bounds themselves are inside.
  EXPECT_EQ(str(create_account(port, tenant.key, uid, "b-min", "demo", "100"), "starting_balance"), "100.00");
  EXPECT_EQ(str(create_account(port, tenant.key, uid, "b-max", "demo", "\"50000.00\""), "starting_balance"), "50000.00");
}

TEST(PartnerAccounts, ReplaysReturnTheAccountAndConflictsChangeNothing) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-replay");
  const auto uid = create_user(port, tenant.key, "r-u1", "r1@example.com");
  const auto uid2 = create_user(port, tenant.key, "r-u2", "r2@example.com");

  const auto first = partner_post(port, tenant.key, "/v1/partner/accounts",
                                  account_body(uid, "r-acc", "challenge", "10000", R"("metadata":{"v":1})"));
  expect_ok(first, 201);
  const auto a = obj(first);

  for (const std::string spelling : {"10000", "\"10000.00\"", "\"10000\"", "10000.00", "\"10000.0\"", "10000.0"}) {
    SCOPED_TRACE(spelling);
    const auto r = partner_post(port, tenant.key, "/v1/partner/accounts",
                                account_body(uid, "r-acc", "challenge", spelling, R"("metadata":{"v":2})"));
    expect_ok(r, 200);
    const auto o = obj(r);
    EXPECT_EQ(o.at("created"), boost::json::value(false));
    EXPECT_EQ(without(o, {"as_of", "created"}), without(a, {"as_of", "created"}));
  }

  // Any immutable field differs → 409, nothing changes.
  const std::vector<std::string> conflicting = {
      account_body(uid, "r-acc", "funded", "10000"),
      account_body(uid, "r-acc", "challenge", "10000.01"),
      account_body(uid, "r-acc", "challenge", "\"5000.00\""),
      account_body(uid2, "r-acc", "challenge", "10000"),
  };
  for (const auto& body : conflicting) {
    SCOPED_TRACE(body);
    expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", body), 409, "ACCOUNT_EXTERNAL_ID_CONFLICT");
  }
  // A conflicting user_id that does not even exist is still a conflict (replay check first).
  expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", account_body(uid2 + 1000, "r-acc")), 409,
               "ACCOUNT_EXTERNAL_ID_CONFLICT");
  const auto after = obj(partner_get(port, tenant.key, account_path(a)));
  EXPECT_EQ(without(after, {"as_of"}), without(a, {"as_of", "created"}));
  EXPECT_EQ(db_count(server, "SELECT COUNT(*) FROM accounts WHERE tenant_id = ?1", {tenant.tenant_id}), 1);

  // Replays skip the bound check: they still succeed after the tenant's bounds moved...
  cli_ok(server, {"tenant", "set", tenant.tenant_id, "--max-balance", "5000"});
  expect_ok(partner_post(port, tenant.key, "/v1/partner/accounts", account_body(uid, "r-acc", "challenge", "10000")),
            200);
  expect_error(partner_post(port, tenant.key, "/v1/partner/accounts", account_body(uid, "r-new", "challenge", "10000")),
               400, "BALANCE_OUT_OF_BOUNDS");
  // ...and after the account closed.
  expect_ok(partner_post(port, tenant.key, account_path(a) + "/close"));
  const auto closed_replay =
      partner_post(port, tenant.key, "/v1/partner/accounts", account_body(uid, "r-acc", "challenge", "10000"));
  expect_ok(closed_replay, 200);
  EXPECT_EQ(str(obj(closed_replay), "status"), "closed");
  EXPECT_EQ(str(obj(closed_replay), "account_id"), str(a, "account_id"));
}

TEST(PartnerAccounts, MalformedAndUnknownAccountIdsOnEveryRoute) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-ids");
  const auto uid = create_user(port, tenant.key, "i-u1", "i1@example.com");
  const auto a = create_account(port, tenant.key, uid, "i-acc");
  std::string upper = str(a, "account_id");
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string no_hyphens = str(a, "account_id");
  std::erase(no_hyphens, '-');

  struct Route {
    std::string method;
    std::string suffix;
    std::string body;
  };
  const std::vector<Route> routes = {{"GET", "", ""},
                                     {"PATCH", "", R"({"stage":"funded"})"},
                                     {"POST", "/close", ""},
                                     {"POST", "/reset", ""},
                                     {"GET", "/trades", ""}};
  const std::vector<std::string> malformed = {"not-a-uuid", upper, no_hyphens, "{" + str(a, "account_id") + "}",
                                              str(a, "account_id").substr(1), str(a, "account_id") + "0",
                                              "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6g", "12345"};
  const std::vector<std::string> unknown = {Uuid::v4().to_string(), UuidV7Generator().next(now_micros() / 1000).to_string(),
                                            "00000000-0000-0000-0000-000000000000"};
  for (const auto& route : routes) {
    for (const auto& id : malformed) {
      SCOPED_TRACE(route.method + " " + id + route.suffix);
      const auto target = "/v1/partner/accounts/" + id + route.suffix;
      const auto r = route.method == "GET"     ? partner_get(port, tenant.key, target)
                     : route.method == "PATCH" ? partner_patch(port, tenant.key, target, route.body)
                                               : partner_post(port, tenant.key, target, route.body);
      expect_error(r, 422, "INVALID_ACCOUNT_ID");
    }
    std::string first_body;
    for (const auto& id : unknown) {
      SCOPED_TRACE(route.method + " " + id + route.suffix);
      const auto target = "/v1/partner/accounts/" + id + route.suffix;
      const auto r = route.method == "GET"     ? partner_get(port, tenant.key, target)
                     : route.method == "PATCH" ? partner_patch(port, tenant.key, target, route.body)
                                               : partner_post(port, tenant.key, target, route.body);
      expect_error(r, 404, "ACCOUNT_NOT_FOUND");
      if (first_body.empty()) first_body = r.body;
      EXPECT_EQ(r.body, first_body);
    }
  }
  // The real account was never touched.
  const auto g = obj(partner_get(port, tenant.key, account_path(a)));
  EXPECT_EQ(str(g, "stage"), "challenge");
  EXPECT_EQ(str(g, "status"), "active");
  EXPECT_EQ(int_field(g, "reset_count"), 0);
}

TEST(PartnerAccounts, PatchAppliesAllowedFieldsOnly) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-patch");
  const auto uid = create_user(port, tenant.key, "p-u1", "p1@example.com");
  const auto created = partner_post(port, tenant.key, "/v1/partner/accounts",
                                    account_body(uid, "p-acc", "challenge", "\"10000.00\"",
                                                 R"("metadata":{"a":1},"rules":{"r":1})"));
  expect_ok(created, 201);
  const auto a = obj(created);
  const auto path = account_path(a);
  std::this_thread::sleep_for(5ms);

  auto patch = [&](const std::string& body) { return partner_patch(port, tenant.key, path, body); };

  // A change moves updated_at; everything else stays.
  auto r = patch(R"({"stage":"funded"})");
  expect_ok(r);
  auto p = obj(r);
  EXPECT_EQ(str(p, "stage"), "funded");
  EXPECT_GT(str(p, "updated_at"), str(a, "updated_at"));
  EXPECT_EQ(without(p, {"stage", "updated_at", "as_of"}), without(a, {"stage", "updated_at", "as_of", "created"}));
  EXPECT_EQ(keys_of(p), kEnvelopeKeys);
  expect_identities(p);
  const auto stamp = str(p, "updated_at");
  std::this_thread::sleep_for(5ms);

  // No value changed: updated_at stays.
  for (const std::string body : {R"({"stage":"funded"})", "{}", R"({"metadata":{"a":1}})", R"({"rules":{"r":1}})",
                                 R"({ "metadata" : { "a" : 1 } , "stage" : "funded" })"}) {
    SCOPED_TRACE(body);
    r = patch(body);
    expect_ok(r);
    EXPECT_EQ(str(obj(r), "updated_at"), stamp);
  }

  // Objects are replaced wholesale.
  r = patch(R"({"metadata":{"b":{"c":[1,2]}},"rules":{}})");
  expect_ok(r);
  p = obj(r);
  EXPECT_EQ(p.at("metadata"), boost::json::parse(R"({"b":{"c":[1,2]}})"));
  EXPECT_EQ(p.at("rules"), boost::json::object{});
  EXPECT_GE(str(p, "updated_at"), stamp);
  const auto before_errors = without(obj(partner_get(port, tenant.key, path)), {"as_of"});

  // Unknown or immutable fields: 422 naming the field, nothing applied (not even the valid part).
  for (const std::string field : {"rulez", "starting_balance", "status", "user_id", "external_id", "account_id",
                                  "currency", "created_at", "updated_at", "cash", "closed_at", "reset_count",
                                  "pending_action", "Stage"}) {
    SCOPED_TRACE(field);
    const auto message = expect_error(patch(R"({"stage":"demo","metadata":{"z":1},")" + field + R"(":"x"})"), 422,
                                      "VALIDATION_FAILED");
    EXPECT_NE(message.find(field), std::string::npos) << message;
  }
  // Wrong types and invalid values.
  for (const std::string body : {R"({"metadata":null})", R"({"rules":null})", R"({"metadata":[1]})",
                                 R"({"rules":"x"})", R"({"stage":5})", R"({"stage":"demo","metadata":null})",
                                 "[]", "{bad", R"({"stage":"demo","stage":"funded"})"}) {
    SCOPED_TRACE(body);
    expect_error(patch(body), 422, "VALIDATION_FAILED");
  }
  expect_error(partner_patch(port, tenant.key, path), 422, "VALIDATION_FAILED");
  for (const std::string body : {R"({"stage":"live"})", R"({"stage":"Funded"})", R"({"stage":"demo ","metadata":{"z":1}})"}) {
    SCOPED_TRACE(body);
    expect_error(patch(body), 400, "INVALID_STAGE");
  }
  EXPECT_EQ(without(obj(partner_get(port, tenant.key, path)), {"as_of"}), before_errors);
}

// "updated_at moves only if a value changed" (§8.4): an object is the same value whatever the
// order of its members (JSON objects are unordered, and the spec does not preserve key order).
TEST(PartnerAccounts, PatchWithTheSameObjectInAnotherKeyOrderChangesNothing) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-order");
  const auto uid = create_user(port, tenant.key, "o-u1", "o1@example.com");
  const auto created = partner_post(port, tenant.key, "/v1/partner/accounts",
                                    account_body(uid, "o-acc", "demo", "100", R"("metadata":{"a":1,"b":2})"));
  expect_ok(created, 201);
  const auto a = obj(created);
  std::this_thread::sleep_for(5ms);
  const auto r = partner_patch(port, tenant.key, account_path(a), R"({"metadata":{"b":2,"a":1}})");
  expect_ok(r);
  EXPECT_EQ(obj(r).at("metadata"), boost::json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(str(obj(r), "updated_at"), str(a, "updated_at")) << "no value changed, so updated_at must not move";
}

TEST(PartnerAccountLifecycle, CloseIsIdempotentAndBlocksReset) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "life-close");
  const auto uid = create_user(port, tenant.key, "c-u1", "c1@example.com");
  const auto a = create_account(port, tenant.key, uid, "c-acc", "challenge", "\"2500.50\"");
  const auto path = account_path(a);
  std::this_thread::sleep_for(5ms);

  const auto closed = partner_post(port, tenant.key, path + "/close");
  expect_ok(closed);
  const auto c = obj(closed);
  EXPECT_EQ(keys_of(c), kEnvelopeKeys);
  EXPECT_EQ(str(c, "status"), "closed");
  EXPECT_TRUE(c.at("pending_action").is_null());
  ASSERT_TRUE(c.at("closed_at").is_string());
  EXPECT_GT(str(c, "closed_at"), str(a, "created_at"));
  EXPECT_EQ(str(c, "as_of"), str(c, "closed_at")) << "a closed account is valued at closed_at";
  EXPECT_GE(str(c, "updated_at"), str(c, "closed_at"));
  EXPECT_EQ(str(c, "equity"), "2500.50");
  expect_identities(c);
  std::this_thread::sleep_for(5ms);

  // Idempotent: the stored envelope, closed_at and updated_at never re-stamped.
  for (const std::string body : {"", "{}", R"({"reason":"done"})"}) {
    SCOPED_TRACE("body '" + body + "'");
    const auto again = partner_post(port, tenant.key, path + "/close", body);
    expect_ok(again);
    EXPECT_EQ(obj(again), c);
  }
  expect_error(partner_post(port, tenant.key, path + "/close", "[]"), 422, "VALIDATION_FAILED");
  expect_error(http_request(port, "POST", path + "/close", {{"X-API-Key", tenant.key}, {"Content-Type", "text/plain"}},
                            "close"),
               415, "UNSUPPORTED_MEDIA_TYPE");

  // Reset is refused, and nothing changes.
  expect_error(partner_post(port, tenant.key, path + "/reset"), 409, "ACCOUNT_CLOSED");
  expect_error(partner_post(port, tenant.key, path + "/reset", "{}"), 409, "ACCOUNT_CLOSED");
  auto g = obj(partner_get(port, tenant.key, path));
  EXPECT_EQ(g, c);
  EXPECT_EQ(int_field(g, "reset_count"), 0);

  // PATCH is allowed on a closed account.
  std::this_thread::sleep_for(5ms);
  const auto patched = partner_patch(port, tenant.key, path, R"({"stage":"funded","metadata":{"closed_by":"ops"}})");
  expect_ok(patched);
  const auto p = obj(patched);
  EXPECT_EQ(str(p, "stage"), "funded");
  EXPECT_EQ(str(p, "status"), "closed");
  EXPECT_EQ(str(p, "closed_at"), str(c, "closed_at"));
  EXPECT_GT(str(p, "updated_at"), str(c, "updated_at"));
  // Its fills stay readable, and it is listed as closed.
  const auto trades = partner_get(port, tenant.key, path + "/trades");
  expect_ok(trades);
  EXPECT_EQ(obj(trades).at("data"), boost::json::array{});
  const auto listed = obj(partner_get(port, tenant.key, with_query("/v1/partner/accounts", {{"status", "closed"}})));
  ASSERT_EQ(listed.at("data").as_array().size(), 1u);
  EXPECT_EQ(str(listed.at("data").as_array()[0].as_object(), "account_id"), str(a, "account_id"));
}

TEST(PartnerAccountLifecycle, ResetRestartsTheEpochEachTime) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "life-reset");
  const auto uid = create_user(port, tenant.key, "s-u1", "s1@example.com");
  const auto a = create_account(port, tenant.key, uid, "s-acc", "challenge", "\"2500.50\"");
  const auto path = account_path(a);
  std::string previous_updated = str(a, "updated_at");
  std::string previous_reset;

  for (int i = 1; i <= 3; ++i) {
    SCOPED_TRACE("reset " + std::to_string(i));
    std::this_thread::sleep_for(5ms);
    const auto r = partner_post(port, tenant.key, path + "/reset", i == 2 ? "{}" : "");
    expect_ok(r);
    const auto o = obj(r);
    EXPECT_EQ(keys_of(o), kEnvelopeKeys);
    EXPECT_EQ(int_field(o, "reset_count"), i);
    EXPECT_EQ(str(o, "status"), "active");
    EXPECT_EQ(str(o, "equity"), "2500.50");
    EXPECT_EQ(str(o, "cash"), "2500.50");
    EXPECT_EQ(str(o, "starting_balance"), "2500.50");
    EXPECT_EQ(str(o, "peak_equity"), "2500.50");
    EXPECT_EQ(str(o, "realized_pnl"), "0.00");
    EXPECT_EQ(o.at("positions"), boost::json::array{});
    ASSERT_TRUE(o.at("last_reset_at").is_string());
    EXPECT_GT(str(o, "last_reset_at"), previous_reset);
    EXPECT_EQ(str(o, "day_start_at"), str(o, "last_reset_at"));
    EXPECT_GT(str(o, "updated_at"), previous_updated);
    EXPECT_TRUE(o.at("closed_at").is_null());
    expect_identities(o);
    previous_updated = str(o, "updated_at");
    previous_reset = str(o, "last_reset_at");
    EXPECT_EQ(without(obj(partner_get(port, tenant.key, path)), {"as_of"}), without(o, {"as_of"}));
  }
  expect_error(partner_post(port, tenant.key, path + "/reset", "[1]"), 422, "VALIDATION_FAILED");
  EXPECT_EQ(int_field(obj(partner_get(port, tenant.key, path)), "reset_count"), 3);
}

TEST(PartnerAccountList, FiltersOrderAndPagination) {
  ServerProcess server(server_args());
  const auto port = server.api_port();
  const auto tenant = new_tenant(server, "acc-list");
  const auto u1 = create_user(port, tenant.key, "l-u1", "l1@example.com");
  const auto u2 = create_user(port, tenant.key, "l-u2", "l2@example.com");
  create_user(port, tenant.key, "l-u3", "l3@example.com");  // no accounts

  std::vector<std::string> ids;  // creation order
  for (int i = 0; i < 4; ++i) ids.push_back(str(create_account(port, tenant.key, u1, "l-c" + std::to_string(i)), "account_id"));
  for (int i = 0; i < 2; ++i)
    ids.push_back(str(create_account(port, tenant.key, u1, "l-f" + std::to_string(i), "funded"), "account_id"));
  ids.push_back(str(create_account(port, tenant.key, u2, "l-d0", "demo"), "account_id"));
  expect_ok(partner_post(port, tenant.key, "/v1/partner/accounts/" + ids[1] + "/close"));
  const std::vector<std::string> newest_first(ids.rbegin(), ids.rend());

  auto list = [&](std::vector<std::pair<std::string, std::string>> params) {
    const auto r = partner_get(port, tenant.key, with_query("/v1/partner/accounts", params));
    expect_ok(r);
    return obj(r);
  };
  auto ids_of = [](const boost::json::object& page) {
    std::vector<std::string> out;
    for (const auto& item : page.at("data").as_array()) out.push_back(str(item.as_object(), "account_id"));
    return out;
  };
  auto walk = [&](std::vector<std::pair<std::string, std::string>> params, int limit) {
    std::vector<std::string> out;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      auto p = params;
      p.emplace_back("limit", std::to_string(limit));
      if (!cursor.empty()) p.emplace_back("cursor", cursor);
      const auto o = list(p);
      const auto got = ids_of(o);
      EXPECT_LE(got.size(), static_cast<std::size_t>(limit));
      out.insert(out.end(), got.begin(), got.end());
      if (o.at("next_cursor").is_null()) return out;
      EXPECT_EQ(got.size(), static_cast<std::size_t>(limit)) << "only the last page may be short";
      cursor = str(o, "next_cursor");
    }
    ADD_FAILURE() << "pagination did not end";
    return out;
  };

  const auto all = list({});
  EXPECT_EQ(ids_of(all), newest_first);
  EXPECT_TRUE(all.at("next_cursor").is_null());
  for (const auto& item : all.at("data").as_array()) {
    auto expected = kEnvelopeKeys;
    expected.erase("positions");
    EXPECT_EQ(keys_of(item.as_object()), expected) << "list items omit positions";
    expect_identities(item.as_object());
  }

  auto filtered = [&](auto pred) {
    std::vector<std::string> out;
    for (std::size_t i = ids.size(); i-- > 0;)
      if (pred(i)) out.push_back(ids[i]);
    return out;
  };
  EXPECT_EQ(ids_of(list({{"user_id", std::to_string(u1)}})), filtered([](std::size_t i) { return i < 6; }));
  EXPECT_EQ(ids_of(list({{"user_id", std::to_string(u2)}})), filtered([](std::size_t i) { return i == 6; }));
  EXPECT_EQ(ids_of(list({{"user_id", "987654321"}})), std::vector<std::string>{});
  EXPECT_EQ(ids_of(list({{"external_id", "l-f1"}})), std::vector<std::string>{ids[5]});
  EXPECT_EQ(ids_of(list({{"external_id", "nope"}})), std::vector<std::string>{});
  EXPECT_EQ(ids_of(list({{"stage", "funded"}})), filtered([](std::size_t i) { return i == 4 || i == 5; }));
  EXPECT_EQ(ids_of(list({{"status", "closed"}})), std::vector<std::string>{ids[1]});
  EXPECT_EQ(ids_of(list({{"user_id", std::to_string(u1)}, {"stage", "challenge"}, {"status", "active"}})),
            filtered([](std::size_t i) { return i < 4 && i != 1; }));
  EXPECT_EQ(ids_of(list({{"cursor", ""}})), newest_first) << "an empty cursor is no cursor";

  // Keyset pages.
  EXPECT_EQ(walk({}, 3), newest_first);
  EXPECT_EQ(walk({}, 1), newest_first);
  EXPECT_EQ(walk({}, 7), newest_first);
  EXPECT_EQ(walk({{"user_id", std::to_string(u1)}}, 4), filtered([](std::size_t i) { return i < 6; }));
  EXPECT_EQ(walk({{"status", "active"}}, 2), filtered([](std::size_t i) { return i != 1; }));

  // A page's cursor only fits the filters it was issued for.
  const auto first_page = list({{"limit", "2"}, {"user_id", std::to_string(u1)}});
  const auto cursor = str(first_page, "next_cursor");
  expect_ok(partner_get(port, tenant.key,
                        with_query("/v1/partner/accounts", {{"user_id", std::to_string(u1)}, {"cursor", cursor}})));
  expect_error(partner_get(port, tenant.key, with_query("/v1/partner/accounts", {{"cursor", cursor}})), 400,
               "INVALID_CURSOR");
  expect_error(partner_get(port, tenant.key,
                           with_query("/v1/partner/accounts",
                                      {{"user_id", std::to_string(u1)}, {"stage", "challenge"}, {"cursor", cursor}})),
               400, "INVALID_CURSOR");
  std::string forged = cursor;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  expect_error(partner_get(port, tenant.key,
                           with_query("/v1/partner/accounts", {{"user_id", std::to_string(u1)}, {"cursor", forged}})),
               400, "INVALID_CURSOR");
  for (const auto& bad : {std::string("garbage"), std::string("!!!!"), std::string("AAAA"), std::string(600, 'A')}) {
    SCOPED_TRACE(bad.substr(0, 20));
    expect_error(partner_get(port, tenant.key, with_query("/v1/partner/accounts", {{"cursor", bad}})), 400,
                 "INVALID_CURSOR");
  }
  // Another tenant cannot use it either.
  const auto other = new_tenant(server, "acc-list-b");
  expect_error(partner_get(port, other.key,
                           with_query("/v1/partner/accounts", {{"user_id", std::to_string(u1)}, {"cursor", cursor}})),
               400, "INVALID_CURSOR");

  // Bad values.
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"limit", "0"}, {"limit", "501"}, {"limit", "-1"}, {"limit", "abc"}, {"limit", ""}, {"limit", "1.5"},
           {"stage", "live"}, {"stage", "DEMO"}, {"status", "open"}, {"user_id", "abc"}, {"user_id", "0"},
           {"external_id", "a%20b"}}) {
    SCOPED_TRACE(k + "=" + v);
    expect_error(partner_get(port, tenant.key, with_query("/v1/partner/accounts", {{k, v}})), 422, "VALIDATION_FAILED");
  }
  expect_error(partner_get(port, tenant.key, "/v1/partner/accounts?stage=demo&stage=funded&_=0"), 422,
               "VALIDATION_FAILED");
  expect_ok(partner_get(port, tenant.key, with_query("/v1/partner/accounts", {{"limit", "500"}, {"colour", "red"}})));
}

}  // namespace
}  // namespace polysim::testing
