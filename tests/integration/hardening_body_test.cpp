// Request bodies that are too big, never finished, or not the JSON they claim to be: each gets
// 413 / 415 / 422 / its endpoint's 400 (never 500), or a connection closed within the body
// timeout, and the server keeps serving everyone else.
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hardening_support.hpp"

namespace polysim::testing::hardening {
namespace {

using namespace std::string_literals;

constexpr std::size_t kPartnerMaxBody = 64 * 1024;
const std::string kUnknownAccount = "00000000-0000-4000-8000-000000000000";

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

// A create-account body with one field replaced by raw JSON text.
std::string account_body(std::string_view user_id, std::string_view external_id, std::string_view stage,
                         std::string_view balance) {
  return R"({"user_id":)" + std::string(user_id) + R"(,"external_id":)" + std::string(external_id) +
         R"(,"stage":)" + std::string(stage) + R"(,"starting_balance":)" + std::string(balance) + "}";
}

class HardeningBody : public HardeningTest {};

TEST_F(HardeningBody, OversizedContentLengthIsRefusedBeforeTheBodyIsSent) {
  for (const std::string& length :
       std::vector<std::string>{"10000000", std::to_string(kPartnerMaxBody + 1), "18446744073709551615"}) {
    SCOPED_TRACE("Content-Length: " + length);
    auto conn = connect();
    // Headers only: the answer must come without a single body byte.
    ASSERT_TRUE(conn.send_raw(raw_request("POST", "/v1/partner/accounts",
                                          auth_header() + "Content-Type: application/json\r\nContent-Length: " +
                                              length + "\r\n"),
                              2s));
    const auto start = Clock::now();
    const auto r = conn.read_response(3s);
    ASSERT_TRUE(r) << conn.last_error();
    EXPECT_LT(ms_since(start), 1000);
    expect_partner_error(*r, 413, "PAYLOAD_TOO_LARGE");
    EXPECT_EQ(r->header("Connection"), "close") << r->summary();
    // The server lingers briefly for body bytes so the client sees the 413 rather than a reset,
    // then closes.
    EXPECT_TRUE(conn.closed_by_peer(2s + kSlack));
    expect_still_serving("oversized Content-Length " + length);
  }
  // Without credentials the answer is 401, still without reading the body.
  auto anonymous = connect();
  ASSERT_TRUE(anonymous.send_raw(
      raw_request("POST", "/v1/partner/accounts", "Content-Type: application/json\r\nContent-Length: 10000000\r\n"), 2s));
  const auto r = anonymous.read_response(3s);
  ASSERT_TRUE(r) << anonymous.last_error();
  expect_partner_error(*r, 401, "MISSING_API_KEY");
  // A surface that never reads bodies also answers at once: its own answer, or 413; the
  // request is well-formed, so not 400.
  auto health = connect();
  ASSERT_TRUE(health.send_raw(raw_request("GET", "/healthz", "Content-Length: 10000000\r\n"), 2s));
  const auto h = health.read_response(3s);
  ASSERT_TRUE(h) << health.last_error();
  EXPECT_TRUE(h->status == 200 || h->status == 413) << h->summary();
  EXPECT_EQ(h->header("Connection"), "close") << h->summary();
  expect_still_serving("oversized unread body");
}

TEST_F(HardeningBody, ChunkedBodyGrowingPast64KiBIs413) {
  auto conn = connect();
  ASSERT_TRUE(conn.send_raw(raw_request("POST", "/v1/partner/accounts",
                                        auth_header() +
                                            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"),
                            2s));
  const std::string piece = chunk(std::string(8 * 1024, ' '));
  std::optional<HttpResponse> r;
  std::size_t sent = 0;
  // At most 40 × 8 KiB; the answer is due once the body passes 64 KiB.
  for (int i = 0; i < 40 && !r; ++i) {
    if (!conn.send_raw(piece, 2s)) break;
    sent += 8 * 1024;
    r = conn.read_response(50ms);
  }
  if (!r) r = conn.read_response(3s);
  ASSERT_TRUE(r) << conn.last_error();
  expect_partner_error(*r, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_LE(sent, kPartnerMaxBody + 3 * 8 * 1024) << "the server kept reading past the limit";
  EXPECT_TRUE(conn.closed_by_peer(2s + kSlack));
  expect_still_serving("chunked body past 64 KiB");
}

TEST_F(HardeningBody, ChunkedBodyPast64KiBSentInOneWriteStillGets413) {
  // A client that writes the whole oversized body at once must still read the 413, not a reset.
  auto conn = connect();
  std::string request = raw_request("POST", "/v1/partner/accounts",
                                    auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n");
  for (int i = 0; i < 24; ++i) request += chunk(std::string(8 * 1024, ' '));
  request += "0\r\n\r\n";
  const auto r = exchange(conn, request, 3s);
  ASSERT_TRUE(r) << "no 413 before the connection ended: " << conn.last_error();
  expect_partner_error(*r, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_TRUE(conn.closed_by_peer(2s + kSlack));
  expect_still_serving("one-write chunked body past 64 KiB");
}

// After an early 413 the server must read and discard a bounded amount before closing
// (spec 90-style "Shortcuts to avoid"): a client still writing its body must not run into a
// reset, which many clients report instead of the answer already sent.
TEST_F(HardeningBody, ClientStillWritingAfterA413IsNotReset) {
  const std::string piece = chunk(std::string(8 * 1024, ' '));
  struct Case {
    std::string headers;
    bool chunked;
    std::string label;
  };
  const std::vector<Case> cases = {
      {"Content-Length: " + std::to_string(kPartnerMaxBody + 1) + "\r\n", false, "Content-Length over 64 KiB"},
      {"Transfer-Encoding: chunked\r\n", true, "chunked body growing past 64 KiB"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto conn = connect();
    ASSERT_TRUE(conn.send_raw(
        raw_request("POST", "/v1/partner/accounts", auth_header() + "Content-Type: application/json\r\n" + c.headers),
        2s));
    std::optional<HttpResponse> r = conn.read_response(100ms);
    for (int i = 0; i < 40 && !r; ++i) {
      if (!conn.send_raw(c.chunked ? piece : std::string(8 * 1024, ' '), 2s)) break;
      r = conn.read_response(50ms);
    }
    ASSERT_TRUE(r) << conn.last_error();
    expect_partner_error(*r, 413, "PAYLOAD_TOO_LARGE");
    // Keep writing the rest of a body (64 KiB more, well under the bounded discard) as a
    // client that does not read while it writes would.
    int sent_after = 0;
    for (int i = 0; i < 8; ++i) {
      if (!conn.send_raw(c.chunked ? piece : std::string(8 * 1024, ' '), 1s)) break;
      ++sent_after;
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(sent_after, 8) << "the server reset the connection right after its 413: " << conn.last_error();
    EXPECT_TRUE(conn.closed_by_peer(2s + kSlack));
    expect_still_serving(c.label);
  }
}

TEST_F(HardeningBody, BodyOfExactly64KiBIsReadAndValidated) {
  const std::string prefix = R"({"user_id":1,"external_id":")";
  const std::string suffix = R"(","stage":"demo","starting_balance":"100.00"})";
  const std::string body = prefix + std::string(kPartnerMaxBody - prefix.size() - suffix.size(), 'e') + suffix;
  ASSERT_EQ(body.size(), kPartnerMaxBody);
  const auto r = partner_post(port(), key(), "/v1/partner/accounts", body);
  expect_partner_error(r, 422, "VALIDATION_FAILED");
  expect_still_serving("64 KiB body");
}

TEST_F(HardeningBody, TruncatedBodyIsClosedWithinTheBodyTimeout) {
  struct Case {
    std::string request;
    std::string label;
  };
  const std::vector<Case> cases = {
      {raw_request("POST", "/v1/partner/accounts",
                   auth_header() + "Content-Type: application/json\r\nContent-Length: 100\r\n", R"({"user_id")"),
       "partner POST, 10 of 100 bytes"},
      {raw_request("POST", "/v1/partner/accounts",
                   auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "a\r\n{\"us"),
       "partner POST, chunked, stops inside a chunk"},
      {raw_request("POST", "/v1/partner/accounts",
                   auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", chunk("{}")),
       "partner POST, chunked, no last chunk"},
      {raw_request("GET", "/healthz", "Content-Length: 100\r\n", "0123456789"), "unread body on /healthz"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto conn = connect();
    ASSERT_TRUE(conn.send_raw(c.request, 2s));
    const auto start = Clock::now();
    // Whatever arrives before the close (nothing, or an error) must not be a 5xx.
    std::optional<HttpResponse> r = conn.read_response(kBodyTimeout + kSlack);
    EXPECT_TRUE(conn.closed_by_peer(kBodyTimeout + kSlack)) << "still open after the body timeout";
    EXPECT_LT(ms_since(start), std::chrono::milliseconds(kBodyTimeout + kSlack).count());
    if (r) {
      EXPECT_LT(r->status, 500) << r->summary();
    }
    expect_still_serving(c.label);
  }
}

TEST_F(HardeningBody, SlowBodyIsCutAtTheBodyTimeout) {
  auto conn = connect();
  ASSERT_TRUE(conn.send_raw(raw_request("POST", "/v1/partner/accounts",
                                        auth_header() + "Content-Type: application/json\r\nContent-Length: 1000\r\n"),
                            2s));
  const auto start = Clock::now();
  bool closed = false;
  // One byte every 300 ms would take five minutes; the body timeout is a total, not per read.
  for (int i = 0; i < 20 && !closed; ++i) {
    if (!conn.send_raw(" ", 1s)) break;
    closed = conn.closed_by_peer(300ms);
  }
  if (!closed) closed = conn.closed_by_peer(kSlack);
  EXPECT_TRUE(closed);
  EXPECT_LT(ms_since(start), std::chrono::milliseconds(kBodyTimeout + kSlack).count());
  expect_still_serving("slow body");
}

struct BodyCase {
  std::string body;
  int status;
  std::string code;
  std::string label;
  // Number tokens outside what the parser keeps may be refused as unparsable (422) instead of
  // reaching the field's own check.
  bool or_validation_failed = false;
};

std::vector<BodyCase> create_account_cases() {
  const std::string ok_ext = R"("ext-1")";
  const std::string demo = R"("demo")";
  const std::string bal = R"("100.00")";
  const std::string digits5000(5000, '9');
  const std::string digits900(900, '9');
  const std::string string60k = "\"" + std::string(60 * 1024, 's') + "\"";
  std::string many_keys = "{";
  for (int i = 0; i < 3000; ++i) many_keys += "\"k" + std::to_string(i) + "\":1,";
  many_keys += "\"k1500\":2}";
  return {
      // Not JSON at all, or not a JSON object.
      {R"({"user_id":)", 422, "VALIDATION_FAILED", "truncated JSON"},
      {"not json", 422, "VALIDATION_FAILED", "plain text"},
      {"{'user_id':1}", 422, "VALIDATION_FAILED", "single quotes"},
      {R"({"user_id":1,})", 422, "VALIDATION_FAILED", "trailing comma"},
      {R"({"user_id":1} {})", 422, "VALIDATION_FAILED", "trailing data"},
      {R"({"user_id":1 /* c */})", 422, "VALIDATION_FAILED", "comment"},
      {R"({"user_id":NaN})", 422, "VALIDATION_FAILED", "NaN"},
      {R"({"user_id":Infinity})", 422, "VALIDATION_FAILED", "Infinity"},
      {"[]", 422, "VALIDATION_FAILED", "array body"},
      {R"("text")", 422, "VALIDATION_FAILED", "string body"},
      {"null", 422, "VALIDATION_FAILED", "null body"},
      {"\xef\xbb\xbf{}"s, 422, "VALIDATION_FAILED", "byte order mark"},
      {"{\"a\":1}\x00"s, 422, "VALIDATION_FAILED", "trailing NUL"},
      // Ill-formed text inside strings.
      {"{\"external_id\":\"\xff\xfe\"}"s, 422, "VALIDATION_FAILED", "invalid UTF-8 bytes"},
      {"{\"external_id\":\"\xc0\xaf\"}"s, 422, "VALIDATION_FAILED", "overlong UTF-8"},
      {"{\"external_id\":\"\xed\xa0\x80\"}"s, 422, "VALIDATION_FAILED", "UTF-8 encoded surrogate"},
      {"{\"external_id\":\"\xe2\x82\"}"s, 422, "VALIDATION_FAILED", "truncated UTF-8 sequence"},
      {R"({"external_id":"\ud800"})", 422, "VALIDATION_FAILED", "escaped lone surrogate"},
      {R"({"external_id":"\udc00\ud800"})", 422, "VALIDATION_FAILED", "reversed surrogate pair"},
      {R"({"external_id":"\x41"})", 422, "VALIDATION_FAILED", "invalid escape"},
      {"{\"external_id\":\"a\x01" "b\"}"s, 422, "VALIDATION_FAILED", "raw control character"},
      {"{\"external_id\":\"a\x00" "b\"}"s, 422, "VALIDATION_FAILED", "raw NUL in a string"},
      // Wrong types.
      {account_body(R"("1")", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id as string"},
      {account_body("true", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id as bool"},
      {account_body("1.5", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "fractional user_id"},
      {account_body("[1]", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id as array"},
      {account_body("-1", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "negative user_id"},
      {account_body("1", "5", demo, bal), 422, "VALIDATION_FAILED", "external_id as number"},
      {account_body("1", "{}", demo, bal), 422, "VALIDATION_FAILED", "external_id as object"},
      {account_body("1", ok_ext, "7", bal), 422, "VALIDATION_FAILED", "stage as number"},
      {account_body("1", ok_ext, demo, "[1]"), 400, "INVALID_BALANCE", "balance as array"},
      {account_body("1", ok_ext, demo, "true"), 400, "INVALID_BALANCE", "balance as bool"},
      {account_body("1", ok_ext, demo, "{}"), 400, "INVALID_BALANCE", "balance as object"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","metadata":"x"})", 422,
       "VALIDATION_FAILED", "metadata as string"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","rules":[1]})", 422,
       "VALIDATION_FAILED", "rules as array"},
      // Duplicate keys, at the top, nested, and among thousands of keys.
      {R"({"user_id":1,"user_id":2,"external_id":"e","stage":"demo","starting_balance":"1.00"})", 422,
       "VALIDATION_FAILED", "duplicate top-level key"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","metadata":{"a":1,"a":2}})", 422,
       "VALIDATION_FAILED", "duplicate nested key"},
      {many_keys, 422, "VALIDATION_FAILED", "duplicate among 3000 keys"},
      // Deep nesting within the size limit.
      {repeat("[", 60000), 422, "VALIDATION_FAILED", "60000 nested arrays, unterminated"},
      {repeat("[", 30000) + repeat("]", 30000), 422, "VALIDATION_FAILED", "30000 nested arrays"},
      {repeat(R"({"a":)", 10000) + "1" + repeat("}", 10000), 422, "VALIDATION_FAILED", "10000 nested objects"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","metadata":)" + repeat("[", 50) +
           repeat("]", 50) + "}",
       422, "VALIDATION_FAILED", "metadata nested 50 deep"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","metadata":{"a":)" +
           repeat(R"({"a":)", 40) + "1" + repeat("}", 41) + "}",
       422, "VALIDATION_FAILED", "metadata object nested 41 deep"},
      // Huge numbers.
      {account_body("1e400", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id 1e400"},
      {account_body(digits5000, ok_ext, demo, bal), 422, "VALIDATION_FAILED", "5000-digit user_id"},
      {account_body(digits900, ok_ext, demo, bal), 422, "VALIDATION_FAILED", "900-digit user_id"},
      {account_body("9223372036854775808", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id 2^63"},
      {account_body("9007199254740992", ok_ext, demo, bal), 422, "VALIDATION_FAILED", "user_id 2^53"},
      {account_body("1", ok_ext, demo, "1e400"), 400, "INVALID_BALANCE", "balance 1e400", true},
      {account_body("1", ok_ext, demo, "-1e400"), 400, "INVALID_BALANCE", "balance -1e400", true},
      {account_body("1", ok_ext, demo, "1e-400"), 400, "INVALID_BALANCE", "balance 1e-400", true},
      {account_body("1", ok_ext, demo, "1e999999999999"), 400, "INVALID_BALANCE", "balance with a huge exponent", true},
      {account_body("1", ok_ext, demo, digits5000), 422, "VALIDATION_FAILED", "5000-digit balance"},
      {account_body("1", ok_ext, demo, digits900), 400, "INVALID_BALANCE", "900-digit balance", true},
      {account_body("1", ok_ext, demo, "\"" + digits5000 + "\""), 400, "INVALID_BALANCE", "5000-digit balance string"},
      {account_body("1", ok_ext, demo, R"("99999999999999999999.99")"), 400, "INVALID_BALANCE",
       "balance beyond int64 micros"},
      // Huge strings.
      {account_body("1", string60k, demo, bal), 422, "VALIDATION_FAILED", "60 KiB external_id"},
      {account_body("1", ok_ext, string60k, bal), 400, "INVALID_STAGE", "60 KiB stage"},
      {account_body("1", ok_ext, demo, string60k), 400, "INVALID_BALANCE", "60 KiB balance string"},
      {R"({"user_id":1,"external_id":"e","stage":"demo","starting_balance":"1.00","metadata":{"a":)" + string60k +
           "}}",
       422, "VALIDATION_FAILED", "60 KiB metadata"},
  };
}

TEST_F(HardeningBody, MalformedJsonOnCreateAccountIs422OrItsSpecific400) {
  for (const auto& c : create_account_cases()) {
    SCOPED_TRACE(c.label);
    ASSERT_LE(c.body.size(), kPartnerMaxBody);
    try {
      const auto r = partner_post(port(), key(), "/v1/partner/accounts", c.body);
      if (c.or_validation_failed && r.status == 422) {
        expect_partner_error(r, 422, "VALIDATION_FAILED");
      } else {
        expect_partner_error(r, c.status, c.code);
      }
      EXPECT_LT(r.status, 500) << r.summary();
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << server_->log_tail();
    }
    ASSERT_TRUE(server_->running()) << server_->log_tail();
  }
  expect_still_serving("malformed JSON bodies");
}

TEST_F(HardeningBody, MalformedJsonOnOtherEndpoints) {
  const std::string string60k = "\"" + std::string(60 * 1024, 's') + "\"";
  struct Case {
    std::string method;
    std::string target;
    std::string body;
    int status;
    std::string code;
    std::string label;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/partner/users", "{", 422, "VALIDATION_FAILED", "users: truncated"},
      {"POST", "/v1/partner/users", R"({"external_id":1,"email":"a@example.com"})", 422, "VALIDATION_FAILED",
       "users: external_id number"},
      {"POST", "/v1/partner/users", R"({"external_id":"e","email":["a@example.com"]})", 422, "VALIDATION_FAILED",
       "users: email array"},
      {"POST", "/v1/partner/users", R"({"external_id":"e","email":"a@example.com","email":"b@example.com"})", 422,
       "VALIDATION_FAILED", "users: duplicate email"},
      {"POST", "/v1/partner/users", R"({"external_id":"e","email":)" + string60k + "}", 400, "INVALID_EMAIL",
       "users: 60 KiB email"},
      {"POST", "/v1/partner/users", repeat("[", 60000), 422, "VALIDATION_FAILED", "users: deep nesting"},
      {"POST", "/v1/partner/users/1/login-link", R"({"redirect_url":5})", 422, "VALIDATION_FAILED",
       "login-link: redirect_url number"},
      {"POST", "/v1/partner/users/1/login-link", "\"\xff\""s, 422, "VALIDATION_FAILED", "login-link: bad UTF-8"},
      {"PATCH", "/v1/partner/accounts/" + kUnknownAccount, R"({"stage":5})", 422, "VALIDATION_FAILED",
       "patch: stage number"},
      {"PATCH", "/v1/partner/accounts/" + kUnknownAccount, R"({"surprise":1})", 422, "VALIDATION_FAILED",
       "patch: unknown field"},
      {"PATCH", "/v1/partner/accounts/" + kUnknownAccount, R"({"metadata":null})", 422, "VALIDATION_FAILED",
       "patch: null metadata"},
      {"PATCH", "/v1/partner/accounts/" + kUnknownAccount, R"({"stage":"demo","stage":"funded"})", 422,
       "VALIDATION_FAILED", "patch: duplicate stage"},
      {"PATCH", "/v1/partner/accounts/" + kUnknownAccount, repeat(R"({"a":)", 12000), 422, "VALIDATION_FAILED",
       "patch: deep nesting"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    try {
      const auto r = http_request(port(), c.method, c.target,
                                  {{"X-API-Key", key()}, {"Content-Type", "application/json"}}, c.body, 5s);
      expect_partner_error(r, c.status, c.code);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << server_->log_tail();
    }
    ASSERT_TRUE(server_->running()) << server_->log_tail();
  }
  expect_still_serving("malformed JSON on other endpoints");
}

TEST_F(HardeningBody, NestingBeyondTheBodyLimitIs413) {
  // 100000 levels do not fit in 64 KiB: refused by size, whether announced or streamed.
  const std::string deep = repeat("[", 100000);
  const auto announced = partner_post(port(), key(), "/v1/partner/accounts", deep);
  expect_partner_error(announced, 413, "PAYLOAD_TOO_LARGE");
  expect_still_serving("100000 levels, Content-Length");

  auto conn = connect();
  std::string request = raw_request("POST", "/v1/partner/accounts",
                                    auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n");
  for (std::size_t off = 0; off < deep.size(); off += 10000) request += chunk(std::string_view(deep).substr(off, 10000));
  request += "0\r\n\r\n";
  const auto r = exchange(conn, request, 3s);
  ASSERT_TRUE(r) << conn.last_error();
  expect_partner_error(*r, 413, "PAYLOAD_TOO_LARGE");
  expect_still_serving("100000 levels, chunked");
}

TEST_F(HardeningBody, NonJsonContentTypeIs415) {
  const std::vector<std::pair<std::string, std::string>> types = {
      {"text/plain", "text/plain"},
      {"application/x-www-form-urlencoded", "form"},
      {"multipart/form-data; boundary=x", "multipart"},
      {"application/jsonp", "json prefix"},
      {"application/json-seq", "json-seq"},
      {"application/xml", "xml"},
      {"", "empty"},
      {"json", "bare subtype"},
  };
  for (const auto& [type, label] : types) {
    SCOPED_TRACE(label);
    const auto r = http_request(port(), "POST", "/v1/partner/accounts",
                                {{"X-API-Key", key()}, {"Content-Type", type}}, R"({"user_id":1})", 3s);
    expect_partner_error(r, 415, "UNSUPPORTED_MEDIA_TYPE");
  }
  const auto missing = http_request(port(), "POST", "/v1/partner/accounts", {{"X-API-Key", key()}}, "{}", 3s);
  expect_partner_error(missing, 415, "UNSUPPORTED_MEDIA_TYPE");
  // Parameters and case do not matter: this one reaches validation.
  const auto with_charset = http_request(port(), "POST", "/v1/partner/accounts",
                                         {{"X-API-Key", key()}, {"Content-Type", "Application/JSON; charset=utf-8"}},
                                         "{", 3s);
  expect_partner_error(with_charset, 422, "VALIDATION_FAILED");
  expect_still_serving("content types");
}

TEST_F(HardeningBody, HostilePathAndQueryParameters) {
  struct Case {
    std::string target;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"/v1/partner/users/" + std::string(5000, '9'), 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/99999999999999999999", 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/9007199254740992", 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/0", 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/-1", 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/1e3", 422, "VALIDATION_FAILED"},
      {"/v1/partner/users/%31", 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts/not-a-uuid", 422, "INVALID_ACCOUNT_ID"},
      {"/v1/partner/accounts/%00", 422, "INVALID_ACCOUNT_ID"},
      {"/v1/partner/accounts/" + std::string(5000, 'f'), 422, "INVALID_ACCOUNT_ID"},
      {"/v1/partner/accounts?limit=1e400", 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts?limit=99999999999999999999", 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts?user_id=" + std::string(5000, '9'), 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts?limit=1&limit=2", 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts?stage=%ff%fe", 422, "VALIDATION_FAILED"},
      {"/v1/partner/accounts?cursor=" + std::string(5000, 'A'), 400, "INVALID_CURSOR"},
      {"/v1/partner/accounts?cursor=%00%ff", 400, "INVALID_CURSOR"},
      {"/v1/partner/accounts/" + kUnknownAccount + "/trades?since=" + std::string(3000, '9'), 422,
       "VALIDATION_FAILED"},
      {"/v1/partner/accounts/" + kUnknownAccount + "/trades?limit=-1", 422, "VALIDATION_FAILED"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target.substr(0, 120));
    try {
      const auto r = partner_get(port(), key(), c.target);
      expect_partner_error(r, c.status, c.code);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    ASSERT_TRUE(server_->running()) << server_->log_tail();
  }
  expect_still_serving("hostile path and query parameters");
}

}  // namespace
}  // namespace polysim::testing::hardening
