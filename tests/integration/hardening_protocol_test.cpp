// Malformed HTTP, oversized request lines and header sections, and protocol corners (HEAD,
// unknown methods, Expect: 100-continue, pipelining): each gets its 4xx or a closed connection,
// and the server keeps serving everyone else.
#include <string>
#include <utility>
#include <vector>

#include "hardening_support.hpp"

namespace polysim::testing::hardening {
namespace {

using namespace std::string_literals;

class HardeningProtocol : public HardeningTest {
 protected:
  // A malformed request: answered 400 (or closed without an answer), and never kept open.
  void expect_rejected_and_closed(std::string_view bytes, std::string_view label, bool partner_path = false) {
    SCOPED_TRACE(std::string(label));
    auto conn = connect();
    const auto r = exchange(conn, bytes, 3s);
    if (r) {
      if (partner_path) {
        expect_partner_error(*r, 400, "BAD_REQUEST");
      } else {
        expect_generic_error(*r, 400, "BAD_REQUEST");
      }
      EXPECT_EQ(r->header("Connection"), "close") << r->summary();
    }
    const auto start = Clock::now();
    EXPECT_TRUE(conn.closed_by_peer(kSlack + 1s)) << "the connection stayed open after a malformed request";
    // discard_then_close may wait a little for a peer that keeps the write side open.
    EXPECT_LT(ms_since(start), 4000);
    expect_still_serving(label);
  }
};

TEST_F(HardeningProtocol, GarbageAndBadRequestLinesAre400AndClosed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x00\x01\x02\x03garbage\xff\xfe\r\n\r\n"s, "binary garbage"},
      {"GARBAGE\r\n\r\n", "single token line"},
      {"\r\n\r\n\r\n\r\n", "empty lines only"},
      {"GET\r\n\r\n", "method only"},
      {"GET /healthz\r\n\r\n", "HTTP/0.9 style line"},
      {"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n", "extra token after the version"},
      {"GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n", "bad protocol name"},
      {"GET /healthz HTTP/1.1x\r\nHost: x\r\n\r\n", "junk after the version"},
      {"GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", "unsupported version"},
      {"GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "double space"},
      {"G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "invalid method characters"},
      {"GET /heal thz HTTP/1.1\r\nHost: x\r\n\r\n", "space inside the target"},
      {"GET /heal\x00" "thz HTTP/1.1\r\nHost: x\r\n\r\n"s, "NUL inside the target"},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/2 connection preface"},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s + std::string(200, 'A') + "\r\n\r\n",
       "TLS ClientHello on the plain port"},
  };
  for (const auto& [bytes, label] : cases) expect_rejected_and_closed(bytes, label);
}

TEST_F(HardeningProtocol, InvalidHeaderSyntaxIs400AndClosed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", "field without colon"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\n: no-name\r\n\r\n", "empty field name"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", "space in field name"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A : v\r\n\r\n", "space before colon"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nX(A): v\r\n\r\n", "separator in field name"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00" "b\r\n\r\n"s, "NUL in field value"},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", "bare CR in field value"},
  };
  for (const auto& [bytes, label] : cases) expect_rejected_and_closed(bytes, label);
}

TEST_F(HardeningProtocol, BadContentLengthIs400AndClosed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Content-Length: abc\r\n", "non-numeric"},
      {"Content-Length: -1\r\n", "negative"},
      {"Content-Length: 1.5\r\n", "fractional"},
      {"Content-Length: 0x10\r\n", "hexadecimal"},
      {"Content-Length: \r\n", "empty"},
      {"Content-Length: 99999999999999999999999\r\n", "overflowing"},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", "duplicate, conflicting"},
      {"Content-Length: 5, 6\r\n", "conflicting list"},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Content-Length then chunked"},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "chunked then Content-Length"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "chunked twice"},
  };
  for (const auto& [headers, label] : cases) {
    expect_rejected_and_closed(raw_request("POST", "/healthz", headers, "hello"), label);
  }
  // On a partner path the answer uses the partner envelope, before any authentication.
  expect_rejected_and_closed(raw_request("POST", "/v1/partner/accounts", "Content-Length: abc\r\n", "{}"),
                             "partner path, non-numeric Content-Length", true);
  expect_rejected_and_closed(
      raw_request("POST", "/v1/partner/accounts", auth_header() + "Content-Length: 2\r\nContent-Length: 3\r\n", "{}"),
      "partner path, conflicting Content-Length", true);
}

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked has no knowable
// length; the server must answer 400 and close. Treating it as bodiless lets the "body" be
// parsed as a second request on the same connection (request smuggling behind a proxy that
// honours the coding).
TEST_F(HardeningProtocol, NonChunkedTransferEncodingIsRejectedNotSmuggled) {
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Transfer-Encoding: gzip\r\n", "gzip only"},
      {"Transfer-Encoding: identity\r\n", "identity"},
      {"Transfer-Encoding: chunked, gzip\r\n", "chunked not last"},
  };
  for (const auto& [headers, label] : cases) {
    SCOPED_TRACE(label);
    auto conn = connect();
    const auto first = exchange(conn, raw_request("POST", "/healthz", headers, smuggled), 3s);
    if (first) {
      EXPECT_EQ(first->status, 400) << first->summary();
      const auto second = conn.read_response(500ms);
      EXPECT_FALSE(second.has_value()) << "the body was served as a second request:\n" << second->summary();
    }
    EXPECT_TRUE(conn.closed_by_peer(kSlack + 1s));
    expect_still_serving(label);
  }
}

TEST_F(HardeningProtocol, BadChunkedEncodingIsRejectedAndClosed) {
  // Read by the partner pipeline (authenticated POST), so the framing error surfaces while the
  // body is parsed rather than in a discard.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"zz\r\n{}\r\n0\r\n\r\n", "non-hex chunk size"},
      {"5\r\nabc\r\n0\r\n\r\n", "chunk shorter than its size"},
      {"2\r\n{}XX\r\n0\r\n\r\n", "missing CRLF after chunk data"},
      {"-2\r\n{}\r\n0\r\n\r\n", "negative chunk size"},
      {"\r\n{}\r\n0\r\n\r\n", "empty chunk size line"},
      {"2 2\r\n{}\r\n0\r\n\r\n", "space inside chunk size"},
      {"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "overflowing chunk size"},
      {"2;\x01\r\n{}\r\n0\r\n\r\n", "control byte in chunk extension"},
      {"2\r\n{}\r\n0\r\nBad Trailer\r\n\r\n", "invalid trailer"},
  };
  for (const auto& [body, label] : cases) {
    SCOPED_TRACE(label);
    auto conn = connect();
    const auto r = exchange(
        conn,
        raw_request("POST", "/v1/partner/accounts",
                    auth_header() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", body),
        3s);
    if (r) {
      // 400 (framing), 413 (a size past the limit) or the pipeline's 422 for an unreadable body.
      EXPECT_TRUE(r->status == 400 || r->status == 413 || r->status == 422) << r->summary();
      EXPECT_EQ(r->header("Connection"), "close") << r->summary();
    }
    EXPECT_TRUE(conn.closed_by_peer(kSlack + 1s)) << "connection left open after a framing error";
    expect_still_serving(label);
  }
}

TEST_F(HardeningProtocol, UrlLongerThan8KiBIs414) {
  const std::string filler9k(9 * 1024, 'a');
  const std::string filler30k(30 * 1024, 'a');
  {
    auto conn = connect();
    auto r = exchange(conn, raw_request("GET", "/healthz?x=" + filler9k));
    ASSERT_TRUE(r) << conn.last_error();
    expect_generic_error(*r, 414, "URI_TOO_LONG");
  }
  expect_still_serving("9 KiB URL on /healthz");
  {
    auto conn = connect();
    auto r = exchange(conn, raw_request("GET", "/" + filler30k));
    ASSERT_TRUE(r) << conn.last_error();
    expect_generic_error(*r, 414, "URI_TOO_LONG");
  }
  expect_still_serving("30 KiB URL");
  const std::vector<std::pair<std::string, std::string>> partner_cases = {
      {"/v1/partner/accounts?cursor=" + filler9k, "9 KiB partner URL with query"},
      {"/v1/partner/accounts?cursor=" + filler30k, "30 KiB partner URL with query"},
      {"/v1/partner/users/" + filler9k, "9 KiB partner path"},
      {"/v1/partner/users/" + filler30k, "30 KiB partner path"},
  };
  for (const auto& [target, label] : partner_cases) {
    SCOPED_TRACE(label);
    auto conn = connect();
    auto r = exchange(conn, raw_request("GET", target, auth_header()));
    ASSERT_TRUE(r) << conn.last_error();
    expect_partner_error(*r, 414, "URI_TOO_LONG");
    expect_still_serving(label);
  }
  // Just under the limit is still routed normally.
  const auto ok = http_request(port(), "GET", "/healthz?x=" + std::string(8000, 'a'), {}, {}, 3s);
  EXPECT_EQ(ok.status, 200) << ok.summary();
}

TEST_F(HardeningProtocol, HeadersLargerThan16KiBAre431) {
  auto fillers = [](int count, std::size_t size) {
    std::string out;
    for (int i = 0; i < count; ++i) out += "X-Filler-" + std::to_string(i) + ": " + std::string(size, 'v') + "\r\n";
    return out;
  };
  struct Case {
    std::string headers;
    std::string label;
  };
  const std::vector<Case> cases = {
      {fillers(20, 1000), "20 KiB in 20 fields"},
      {fillers(40, 1000), "40 KiB in 40 fields"},
      {"X-Big: " + std::string(20 * 1024, 'v') + "\r\n", "one 20 KiB field"},
      {fillers(6000, 1), "6000 tiny fields"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    {
      auto conn = connect();
      auto r = exchange(conn, raw_request("GET", "/healthz", c.headers));
      ASSERT_TRUE(r) << conn.last_error();
      expect_generic_error(*r, 431, "HEADERS_TOO_LARGE");
    }
    {
      auto conn = connect();
      auto r = exchange(conn, raw_request("GET", "/v1/partner/accounts", auth_header() + c.headers));
      ASSERT_TRUE(r) << conn.last_error();
      expect_partner_error(*r, 431, "HEADERS_TOO_LARGE");
    }
    expect_still_serving(c.label);
  }
  // 15 KiB of fields is within the limit.
  const auto ok = http_request(port(), "GET", "/healthz", {{"X-Filler", std::string(15 * 1024, 'v')}}, {}, 3s);
  EXPECT_EQ(ok.status, 200) << ok.summary();
}

TEST_F(HardeningProtocol, HeadOnHealthzHasContentLengthButNoBody) {
  auto conn = connect();
  ASSERT_TRUE(conn.send_raw(raw_request("HEAD", "/healthz"), 2s));
  const auto head = conn.read_response(3s, /*response_to_head=*/true);
  ASSERT_TRUE(head) << conn.last_error();
  EXPECT_EQ(head->status, 200) << head->summary();
  EXPECT_EQ(head->header("Content-Length"), "15") << head->summary();
  EXPECT_EQ(head->body, "");
  // No body bytes follow: the connection stays idle and in sync for the next request.
  EXPECT_FALSE(conn.closed_by_peer(300ms));
  EXPECT_TRUE(conn.buffered().empty()) << "body bytes after a HEAD response: " << conn.buffered();
  const auto get = conn.request("GET", "/healthz", {}, {}, 3s);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, R"({"status":"ok"})");
  EXPECT_EQ(conn.connect_count(), 1);

  // HEAD on a partner GET route: same headers as GET, no body.
  const auto partner_head =
      conn.request("HEAD", "/v1/partner/accounts", {{"X-API-Key", key()}}, {}, 3s);
  EXPECT_EQ(partner_head.status, 200) << partner_head.summary();
  EXPECT_EQ(partner_head.body, "");
  EXPECT_TRUE(partner_head.header("Content-Length").has_value());
  EXPECT_NE(partner_head.header("Content-Length"), "0");
  expect_still_serving("HEAD");
}

TEST_F(HardeningProtocol, UnknownMethodsGet405Or404PerPipeline) {
  const Headers auth{{"X-API-Key", key()}};
  const auto foo = http_request(port(), "FOO", "/v1/partner/accounts", auth, {}, 3s);
  expect_partner_error(foo, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(foo.header("Allow"), "POST, GET, HEAD") << foo.summary();

  const auto del = http_request(port(), "DELETE", "/v1/partner/accounts/00000000-0000-4000-8000-000000000000", auth,
                                {}, 3s);
  expect_partner_error(del, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(del.header("Allow"), "GET, HEAD, PATCH") << del.summary();

  const auto put = http_request(port(), "PUT", "/v1/partner/users", auth, "{}", 3s);
  expect_partner_error(put, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(put.header("Allow"), "POST") << put.summary();

  const auto msearch = http_request(port(), "M-SEARCH", "/v1/partner/accounts", auth, {}, 3s);
  expect_partner_error(msearch, 405, "METHOD_NOT_ALLOWED");

  const auto unknown_path = http_request(port(), "FOO", "/v1/partner/nothing-here", auth, {}, 3s);
  expect_partner_error(unknown_path, 404, "NOT_FOUND");

  // Authentication comes before routing: no key, no hint about which methods exist.
  const auto anonymous = http_request(port(), "FOO", "/v1/partner/accounts", {}, {}, 3s);
  expect_partner_error(anonymous, 401, "MISSING_API_KEY");
  EXPECT_FALSE(anonymous.header("Allow").has_value());

  const auto health = http_request(port(), "FOO", "/healthz", {}, {}, 3s);
  expect_generic_error(health, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(health.header("Allow"), "GET, HEAD");

  const auto elsewhere = http_request(port(), "FOO", "/nowhere", {}, {}, 3s);
  expect_generic_error(elsewhere, 404, "NOT_FOUND");
  expect_still_serving("unknown methods");
}

TEST_F(HardeningProtocol, ExpectContinueGets100ThenTheAnswer) {
  auto conn = connect();
  const std::string body = "{}";
  ASSERT_TRUE(conn.send_raw(raw_request("POST", "/v1/partner/accounts",
                                        auth_header() +
                                            "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                                            "Content-Length: 2\r\n"),
                            2s));
  const auto interim = conn.read_response(3s);
  ASSERT_TRUE(interim) << conn.last_error();
  EXPECT_EQ(interim->status, 100) << interim->summary();
  ASSERT_TRUE(conn.send_raw(body, 2s));
  const auto final_response = conn.read_response(3s);
  ASSERT_TRUE(final_response) << conn.last_error();
  expect_partner_error(*final_response, 422, "VALIDATION_FAILED");
  // The connection remains usable.
  const auto again = conn.request("GET", "/healthz", {}, {}, 3s);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(conn.connect_count(), 1);

  // An oversized announced body is refused without inviting the client to send it.
  auto big = connect();
  ASSERT_TRUE(big.send_raw(raw_request("POST", "/v1/partner/accounts",
                                       auth_header() +
                                           "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                                           "Content-Length: 10000000\r\n"),
                           2s));
  const auto refused = big.read_response(3s);
  ASSERT_TRUE(refused) << big.last_error();
  expect_partner_error(*refused, 413, "PAYLOAD_TOO_LARGE");
  expect_still_serving("Expect: 100-continue");
}

TEST_F(HardeningProtocol, PipelinedRequestsAreAnsweredInOrder) {
  auto conn = connect();
  const std::string batch = raw_request("GET", "/healthz", "X-Request-Id: pipe-1\r\n") +
                            raw_request("GET", "/nowhere", "X-Request-Id: pipe-2\r\n") +
                            raw_request("POST", "/v1/partner/accounts",
                                        auth_header() +
                                            "X-Request-Id: pipe-3\r\nContent-Type: application/json\r\n"
                                            "Content-Length: 2\r\n",
                                        "{}") +
                            raw_request("GET", "/readyz", "X-Request-Id: pipe-4\r\n");
  ASSERT_TRUE(conn.send_raw(batch, 2s));
  const std::vector<std::pair<int, std::string>> expected = {
      {200, "pipe-1"}, {404, "pipe-2"}, {422, "pipe-3"}, {200, "pipe-4"}};
  for (const auto& [status, id] : expected) {
    const auto r = conn.read_response(3s);
    ASSERT_TRUE(r) << conn.last_error();
    EXPECT_EQ(r->status, status) << r->summary();
    EXPECT_EQ(r->header("X-Request-Id"), id) << r->summary();
  }
  // Exactly three GETs in one write, as a client library would pipeline them.
  ASSERT_TRUE(conn.send_raw(raw_request("GET", "/healthz", "X-Request-Id: a\r\n") +
                                raw_request("GET", "/readyz", "X-Request-Id: b\r\n") +
                                raw_request("GET", "/healthz", "X-Request-Id: c\r\nConnection: close\r\n"),
                            2s));
  for (const char* id : {"a", "b", "c"}) {
    const auto r = conn.read_response(3s);
    ASSERT_TRUE(r) << conn.last_error();
    EXPECT_EQ(r->status, 200) << r->summary();
    EXPECT_EQ(r->header("X-Request-Id"), id) << r->summary();
  }
  EXPECT_TRUE(conn.closed_by_peer(2s)) << "Connection: close on the last pipelined request was ignored";
  expect_still_serving("pipelining");
}

}  // namespace
}  // namespace polysim::testing::hardening
