// Shared helpers of the partner-API integration tests (tests/integration/partner_*_test.cpp):
// surface-wide response checks (10-partner-api.md §1 and §11 property 1), provisioning through
// the CLI, concurrent request bursts and direct store access for fills, which no engine writes
// yet. Everything is inline and lives in its own namespace so the test files stay independent.
#pragma once
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/uuid.hpp"
#include "store/engine_store.hpp"
#include "store/records.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/http_client.hpp"
#include "support/partner_fixture.hpp"
#include "support/server_process.hpp"

namespace polysim::testing::partner_it {

using namespace std::chrono_literals;

// Login links land here unless the tenant or the request says otherwise.
inline constexpr std::string_view kTraderAppUrl = "https://trader.polysim.test/app";
inline constexpr std::string_view kPartnerOrigin = "https://partner.polysim.test";

// Tests that change keys or tenants through the CLI while the server runs use no cache, so the
// change is visible to the very next request.
inline std::vector<std::string> server_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--cache-ttl", "0ms", "--trader-app-url", std::string(kTraderAppUrl)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

inline std::string unique_name(std::string_view prefix) {
  return std::string(prefix) + "-" + Uuid::v4().to_string().substr(0, 8);
}

// ---------------------------------------------------------------------------------------------
// CLI

inline CliResult cli_ok(const ServerProcess& server, const std::vector<std::string>& args) {
  auto result = server.run_cli(args);
  if (result.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error("`polysim" + cmd + "` exited with " + std::to_string(result.exit_code) + "\n" +
                             result.out + "\n" + result.err);
  }
  return result;
}

// High enough that no test but the limiter's own ever meets a 429.
inline void raise_limits(const ServerProcess& server, const std::string& tenant) {
  cli_ok(server, {"tenant", "set", tenant, "--tenant-per-second", "100000", "--tenant-per-minute", "1000000",
                  "--key-per-second", "100000", "--key-per-minute", "1000000"});
}

struct KeyInfo {
  std::string id;
  std::string key;
};

inline KeyInfo create_key(const ServerProcess& server, const std::string& tenant, const std::string& scopes = "",
                          const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"key", "create", "--tenant", tenant, "--json"};
  if (!scopes.empty()) {
    args.push_back("--scopes");
    args.push_back(scopes);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const auto v = cli_ok(server, args).json();
  return KeyInfo{std::string(v.at("id").as_string()), std::string(v.at("key").as_string())};
}

// A tenant (unique name with `prefix`) with one key; the limits are raised unless told not to.
inline PartnerTenant new_tenant(ServerProcess& server, std::string_view prefix,
                                std::vector<std::string> tenant_args = {}, std::string scopes = "",
                                bool fast = true) {
  auto tenant = make_tenant(server, unique_name(prefix), std::move(tenant_args), std::move(scopes));
  if (fast) raise_limits(server, tenant.tenant_id);
  return tenant;
}

// ---------------------------------------------------------------------------------------------
// Responses

inline std::optional<boost::json::value> parse_body(const HttpResponse& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec) return std::nullopt;
  return v;
}

// The body as an object; an empty object (and a test failure) when it is not one.
inline boost::json::object obj(const HttpResponse& r) {
  auto v = parse_body(r);
  if (!v || !v->is_object()) {
    ADD_FAILURE() << "response body is not a JSON object:\n" << r.summary(800);
    return {};
  }
  return v->as_object();
}

inline std::string str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "<no string " + std::string(key) + ">";
  return std::string(v->as_string());
}

inline std::int64_t int_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return -1;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64()) return static_cast<std::int64_t>(*u);
  return -1;
}

inline bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline std::int64_t header_int(const HttpResponse& r, std::string_view name) {
  const auto v = r.header(name);
  if (!v || !all_digits(*v) || v->size() > 18) return -1;
  return std::stoll(*v);
}

inline constexpr std::string_view kRateLimitSuffixes[] = {"Limit", "Remaining", "Reset", "Limit-Per-Second",
                                                          "Remaining-Per-Second"};

// §1 and §11 property 1: what every /v1/partner/* response carries, errors included.
inline void expect_surface_headers(const HttpResponse& r) {
  SCOPED_TRACE(r.summary(600));
  EXPECT_EQ(r.header_count("X-Request-Id"), 1u);
  EXPECT_FALSE(r.header("X-Request-Id").value_or("").empty());
  EXPECT_EQ(r.header_count("Content-Type"), 1u);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json; charset=utf-8");
  EXPECT_EQ(r.header_count("Cache-Control"), 1u);
  EXPECT_EQ(r.header("Cache-Control").value_or(""), "no-store");
  EXPECT_FALSE(r.header("Access-Control-Allow-Origin").has_value()) << "the partner surface has no CORS";
  for (const auto suffix : kRateLimitSuffixes) {
    const std::string name = "X-RateLimit-" + std::string(suffix);
    const std::string alias = "X-Polysim-RateLimit-" + std::string(suffix);
    EXPECT_EQ(r.header_count(name), 1u) << name;
    EXPECT_EQ(r.header_count(alias), 1u) << alias;
    const auto value = r.header(name);
    EXPECT_TRUE(value && all_digits(*value)) << name << " must be a non-negative integer";
    EXPECT_EQ(value, r.header(alias)) << alias << " must equal " << name;
  }
  EXPECT_LE(header_int(r, "X-RateLimit-Remaining"), header_int(r, "X-RateLimit-Limit"));
  EXPECT_LE(header_int(r, "X-RateLimit-Remaining-Per-Second"), header_int(r, "X-RateLimit-Limit-Per-Second"));
  EXPECT_LE(header_int(r, "X-RateLimit-Reset"), 60);
  if (r.status >= 400) {
    const auto v = parse_body(r);
    ASSERT_TRUE(v && v->is_object()) << "error body must be a JSON object";
    const auto& o = v->as_object();
    EXPECT_EQ(o.size(), 2u) << "error body must hold exactly error and message";
    ASSERT_TRUE(o.contains("error") && o.at("error").is_string());
    ASSERT_TRUE(o.contains("message") && o.at("message").is_string());
    EXPECT_FALSE(o.at("message").as_string().empty());
    EXPECT_EQ(r.header_count("X-Polysim-Code"), 1u);
    EXPECT_EQ(r.header("X-Polysim-Code").value_or(""), std::string(o.at("error").as_string()));
  }
  if (r.status == 429) {
    EXPECT_EQ(r.header_count("Retry-After"), 1u);
    EXPECT_GE(header_int(r, "Retry-After"), 1);
  }
}

// Status, code and every surface property of an error answer; returns the message.
inline std::string expect_error(const HttpResponse& r, int status, std::string_view code) {
  EXPECT_EQ(r.status, status) << r.summary(800);
  const auto v = parse_body(r);
  std::string actual_code, message;
  if (v && v->is_object()) {
    const auto& o = v->as_object();
    if (const auto* e = o.if_contains("error"); e && e->is_string()) actual_code = std::string(e->as_string());
    if (const auto* m = o.if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
  }
  EXPECT_EQ(actual_code, code) << r.summary(800);
  expect_surface_headers(r);
  return message;
}

inline void expect_ok(const HttpResponse& r, int status = 200) {
  EXPECT_EQ(r.status, status) << r.summary(800);
  expect_surface_headers(r);
}

// ---------------------------------------------------------------------------------------------
// Queries
//
// Every query string the tests send ends in the unknown, ignored parameter `_=0`. The spec
// ignores unknown query parameters; the trailing one keeps the meaningful parameters away from
// the end of the query, where the server currently misreads values
// (PartnerQueryParsing.LastQueryParameterIsReadExactly shows that defect on its own).
inline std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& params) {
  char sep = '?';
  for (const auto& [k, v] : params) {
    path += sep;
    path += k;
    path += '=';
    path += v;
    sep = '&';
  }
  path += sep;
  path += "_=0";
  return path;
}

// Percent-encodes everything outside the unreserved set.
inline std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Provisioning through the API

inline std::string user_body(std::string_view external_id, std::string_view email) {
  return boost::json::serialize(boost::json::object{{"external_id", external_id}, {"email", email}});
}

inline std::int64_t create_user(std::uint16_t port, std::string_view key, std::string_view external_id,
                                std::string_view email) {
  const auto r = partner_post(port, key, "/v1/partner/users", user_body(external_id, email));
  if (r.status != 201) throw std::runtime_error("POST /v1/partner/users failed: " + r.summary(800));
  return int_field(obj(r), "user_id");
}

// `balance_json` is a JSON token: "\"10000.00\"" or "10000".
inline std::string account_body(std::int64_t user_id, std::string_view external_id, std::string_view stage = "challenge",
                                std::string_view balance_json = "\"10000.00\"", std::string_view extra_members = "") {
  std::string body = "{\"user_id\":" + std::to_string(user_id) + ",\"external_id\":" +
                     boost::json::serialize(boost::json::value(external_id)) + ",\"stage\":\"" + std::string(stage) +
                     "\",\"starting_balance\":" + std::string(balance_json);
  if (!extra_members.empty()) body += "," + std::string(extra_members);
  return body + "}";
}

inline boost::json::object create_account(std::uint16_t port, std::string_view key, std::int64_t user_id,
                                          std::string_view external_id, std::string_view stage = "challenge",
                                          std::string_view balance_json = "\"10000.00\"") {
  const auto r = partner_post(port, key, "/v1/partner/accounts", account_body(user_id, external_id, stage, balance_json));
  if (r.status != 201) throw std::runtime_error("POST /v1/partner/accounts failed: " + r.summary(800));
  return obj(r);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

struct RawRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
};

// Opens one connection per request first, then releases every thread at once, so the requests
// reach the server within a few milliseconds of each other. A request that fails on the wire
// yields status 0 with the error text as body.
inline std::vector<HttpResponse> send_concurrently(std::uint16_t port, const std::vector<RawRequest>& requests) {
  const std::size_t n = requests.size();
  std::vector<HttpConnection> connections(n);
  for (auto& c : connections) c.connect("127.0.0.1", port);
  std::vector<HttpResponse> responses(n);
  std::latch ready(static_cast<std::ptrdiff_t>(n));
  std::latch go(1);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ready.count_down();
      go.wait();
      try {
        responses[i] = connections[i].request(requests[i].method, requests[i].target, requests[i].headers,
                                              requests[i].body);
      } catch (const std::exception& e) {
        responses[i].status = 0;
        responses[i].body = e.what();
      }
    });
  }
  ready.wait();
  go.count_down();
  for (auto& t : threads) t.join();
  return responses;
}

inline RawRequest partner_request(std::string method, std::string target, std::string_view key,
                                  std::string body = {}) {
  RawRequest r{std::move(method), std::move(target), {{"X-API-Key", std::string(key)}}, std::move(body)};
  if (!r.body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

// ---------------------------------------------------------------------------------------------
// Direct database access (fills have no API writer yet; key expiry cannot be set by the CLI)

inline std::string db_path(const ServerProcess& server) { return server.data_dir() + "/polysim.db"; }

inline std::unique_ptr<store::sqlite::SqliteStore> open_store(const ServerProcess& server) {
  store::sqlite::SqliteOptions options;
  options.path = db_path(server);
  return std::make_unique<store::sqlite::SqliteStore>(options);
}

// One integer from a read-only query with text parameters ?1, ?2, ...
inline std::int64_t db_count(const ServerProcess& server, const std::string& sql,
                             const std::vector<std::string>& params = {}) {
  store::sqlite::SqliteConnection c(db_path(server), "normal", true);
  auto s = c.prepare(sql);
  for (std::size_t i = 0; i < params.size(); ++i) s.bind(static_cast<int>(i + 1), params[i]);
  if (!s.step()) return -1;
  return s.int64(0);
}

inline std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline store::MarketRecord make_market(store::EngineStore& store, UuidV7Generator& ids, std::string_view slug_prefix) {
  store::MarketRecord m;
  m.id = ids.next(now_micros() / 1000).to_string();
  m.slug = unique_name(slug_prefix);
  m.question = "Will " + m.slug + " happen?";
  m.yes_token_id = "yes-" + m.id;
  m.no_token_id = "no-" + m.id;
  m.created_at = now_micros();
  store.create_market(m);
  return m;
}

inline store::FillRecord make_fill(const std::string& trade_id, const std::string& order_id,
                                   const std::string& account_id, const store::MarketRecord& market,
                                   std::string_view side, std::int64_t filled_at, std::int64_t epoch = 0) {
  store::FillRecord f;
  f.trade_id = trade_id;
  f.order_id = order_id;
  f.account_id = account_id;
  f.epoch = epoch;
  f.market_id = market.id;
  f.market_slug = market.slug;
  f.token_id = market.yes_token_id;
  f.outcome = "YES";
  f.side = std::string(side);
  f.order_type = "limit";
  f.time_in_force = "GTC";
  f.liquidity = "maker";
  f.price = 555'000;        // 0.5550
  f.size = 400'000'000;     // 400 shares
  f.notional = 222'000'000; // 222.00
  f.fee = 0;
  f.fee_rate_bps = 0;
  f.cash_delta = side == "BUY" ? -f.notional : f.notional;
  f.filled_at = filled_at;
  return f;
}

}  // namespace polysim::testing::partner_it
