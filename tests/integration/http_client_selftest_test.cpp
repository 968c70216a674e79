// The HTTP client that every integration test relies on, checked against a canned in-process
// server, so that a failure in a server test points at the server and not at the client's
// framing or timeout handling.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Answers each request by its target with fixed bytes. Every wait polls the stop flag so the
// destructor can always join, even while a client is still connected.
class CannedServer {
 public:
  CannedServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("canned server: cannot listen on loopback");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~CannedServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& w : workers_) w.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads one request (head plus Content-Length body) into `raw`; false on EOF or stop.
  bool read_request(int fd, std::string& pending, std::string& raw, std::string& target) {
    for (;;) {
      const auto head_end = pending.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        std::string head_lower = pending.substr(0, head_end);
        for (char& c : head_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const auto cl = head_lower.find("\r\ncontent-length:"); cl != std::string::npos) {
          length = std::stoul(head_lower.substr(cl + 17));
        }
        const auto total = head_end + 4 + length;
        if (pending.size() >= total) {
          raw = pending.substr(0, total);
          pending.erase(0, total);
          const auto sp1 = raw.find(' ');
          target = raw.substr(sp1 + 1, raw.find(' ', sp1 + 1) - sp1 - 1);
          return true;
        }
      }
      if (!wait_readable(fd)) return false;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      pending.append(buf, static_cast<std::size_t>(n));
    }
  }

  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  static void send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  static void send_slowly(int fd, const std::vector<std::string_view>& pieces) {
    for (auto piece : pieces) {
      send_all(fd, piece);
      std::this_thread::sleep_for(15ms);
    }
  }

  void serve(int fd) {
    std::string pending, raw, target;
    while (read_request(fd, pending, raw, target)) {
      if (target == "/cl") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Dup: a\r\nx-dup: b\r\n\r\nhello");
      } else if (target == "/chunked") {
        send_slowly(fd, {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "5;ext=1\r\nhel", "lo\r\n",
                         "6\r\n world\r", "\n0\r\nX-Trailer: t\r\n", "\r\n"});
      } else if (target == "/close") {
        send_slowly(fd, {"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbye, ", "bye"});
        break;
      } else if (target == "/announce-close") {
        send_all(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        break;
      } else if (target == "/silent") {
        // Holds the connection open without answering until the client gives up.
        while (wait_readable(fd)) {
          char buf[256];
          if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
        }
        break;
      } else if (target == "/late-body") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nla");
        std::this_thread::sleep_for(400ms);
        send_all(fd, "te");
      } else if (target == "/json") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"a\":[1,2],\"b\"");
        send_all(fd, ":1}");
      } else if (target == "/echo") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(raw.size()) + "\r\n\r\n" + raw);
      } else if (target == "/continue") {
        send_all(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
      } else if (target == "/head") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
      } else if (target == "/nocontent") {
        send_all(fd, "HTTP/1.1 204 No Content\r\n\r\n");
      } else if (target == "/garbage") {
        send_all(fd, "NOT HTTP AT ALL\r\n\r\n");
      } else {
        send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      }
    }
    ::close(fd);
  }

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

TEST(HttpClientSelfTest, ContentLengthResponseWithRepeatedHeaders) {
  CannedServer server;
  const auto r = http_request(server.port(), "GET", "/cl", {}, {}, 2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.header("x-DUP"), "a");
  EXPECT_EQ(r.header_count("X-Dup"), 2u);
  EXPECT_EQ(r.header_values("x-dup"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.header("Missing"), std::nullopt);
  EXPECT_EQ(r.header_count("Missing"), 0u);
}

TEST(HttpClientSelfTest, KeepAliveReusesTheConnection) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).body, "hello");
  EXPECT_EQ(conn.request("GET", "/chunked", {}, {}, 2s).body, "hello world");
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).body, "hello");
  EXPECT_EQ(conn.connect_count(), 1);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientSelfTest, ChunkedResponseArrivingInFragments) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  const auto r = conn.request("GET", "/chunked", {}, {}, 2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  ASSERT_EQ(r.trailers.size(), 1u);
  EXPECT_EQ(r.trailers[0].first, "X-Trailer");
  EXPECT_EQ(r.trailers[0].second, "t");
  EXPECT_TRUE(conn.buffered().empty());
}

TEST(HttpClientSelfTest, CloseDelimitedBodyThenReconnect) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  const auto r = conn.request("GET", "/close", {}, {}, 2s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "bye, bye");
  EXPECT_TRUE(conn.closed_by_peer(1s));
  // The next request must transparently use a new connection.
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).body, "hello");
  EXPECT_EQ(conn.connect_count(), 2);
}

TEST(HttpClientSelfTest, AnnouncedCloseIsDetectedAndReopened) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  EXPECT_EQ(conn.request("GET", "/announce-close", {}, {}, 2s).header("connection"), "close");
  EXPECT_TRUE(conn.closed_by_peer(1s));
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).status, 200);
  EXPECT_EQ(conn.connect_count(), 2);
}

TEST(HttpClientSelfTest, SilentServerTimesOutWithinTheBound) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  ASSERT_TRUE(conn.send_raw("GET /silent HTTP/1.1\r\nHost: x\r\n\r\n", 1s)) << conn.last_error();

  const auto start = Clock::now();
  const auto r = conn.read_response(300ms);
  const auto elapsed = Clock::now() - start;
  EXPECT_FALSE(r.has_value());
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_NE(conn.last_error().find("no complete response within 300 ms"), std::string::npos) << conn.last_error();

  EXPECT_FALSE(conn.closed_by_peer(100ms));
}

TEST(HttpClientSelfTest, OneShotRequestToSilentServerThrowsInTime) {
  CannedServer server;
  const auto start = Clock::now();
  try {
    http_request(server.port(), "GET", "/silent", {}, {}, 300ms);
    FAIL() << "expected a timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("GET /silent"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST(HttpClientSelfTest, TimedOutReadKeepsPartialBytesForARetry) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  ASSERT_TRUE(conn.send_raw("GET /late-body HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(conn.read_response(100ms).has_value());
  EXPECT_FALSE(conn.buffered().empty());
  const auto r = conn.read_response(2s);
  ASSERT_TRUE(r.has_value()) << conn.last_error();
  EXPECT_EQ(r->body, "late");
}

TEST(HttpClientSelfTest, RequestIsWellFormed) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  const std::string host = "Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";

  const auto post = conn.request("POST", "/echo", {{"X-Test", "1"}}, "{}", 2s);
  EXPECT_EQ(post.body.rfind("POST /echo HTTP/1.1\r\n", 0), 0u) << post.body;
  EXPECT_NE(post.body.find(host), std::string::npos) << post.body;
  EXPECT_NE(post.body.find("X-Test: 1\r\n"), std::string::npos) << post.body;
  EXPECT_NE(post.body.find("Content-Length: 2\r\n"), std::string::npos) << post.body;
  EXPECT_TRUE(post.body.ends_with("\r\n\r\n{}")) << post.body;

  const auto get = conn.request("GET", "/echo", {}, {}, 2s);
  EXPECT_EQ(get.body.find("Content-Length"), std::string::npos) << get.body;

  const auto empty_post = conn.request("POST", "/echo", {}, {}, 2s);
  EXPECT_NE(empty_post.body.find("Content-Length: 0\r\n"), std::string::npos) << empty_post.body;

  const auto custom_host = conn.request("GET", "/echo", {{"host", "example.test"}}, {}, 2s);
  EXPECT_EQ(custom_host.body.find(host), std::string::npos) << custom_host.body;
  EXPECT_NE(custom_host.body.find("host: example.test\r\n"), std::string::npos) << custom_host.body;
  EXPECT_EQ(conn.connect_count(), 1);

  // Asking for close ourselves must also open a fresh connection for the next request.
  conn.request("GET", "/echo", {{"Connection", "close"}}, {}, 2s);
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).body, "hello");
  EXPECT_EQ(conn.connect_count(), 2);
}

TEST(HttpClientSelfTest, JsonBody) {
  CannedServer server;
  const auto r = http_request(server.port(), "GET", "/json", {}, {}, 2s);
  const auto v = r.json();
  EXPECT_EQ(v.at("a").as_array().size(), 2u);
  EXPECT_EQ(v.at("b").as_int64(), 1);

  const auto not_json = http_request(server.port(), "GET", "/cl", {}, {}, 2s);
  EXPECT_THROW(not_json.json(), std::runtime_error);
}

TEST(HttpClientSelfTest, InterimResponsesAreSkippedByRequestButVisibleRaw) {
  CannedServer server;
  EXPECT_EQ(http_request(server.port(), "POST", "/continue", {}, "x", 2s).status, 201);

  HttpConnection conn("127.0.0.1", server.port());
  ASSERT_TRUE(conn.send_raw("GET /continue HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto interim = conn.read_response(2s);
  ASSERT_TRUE(interim.has_value()) << conn.last_error();
  EXPECT_EQ(interim->status, 100);
  const auto final_response = conn.read_response(2s);
  ASSERT_TRUE(final_response.has_value()) << conn.last_error();
  EXPECT_EQ(final_response->status, 201);
  EXPECT_EQ(final_response->body, "ok");
}

TEST(HttpClientSelfTest, PipelinedResponsesAreReadOneByOne) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  ASSERT_TRUE(conn.send_raw("GET /cl HTTP/1.1\r\nHost: x\r\n\r\nGET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /json HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto a = conn.read_response(2s);
  const auto b = conn.read_response(2s);
  const auto c = conn.read_response(2s);
  ASSERT_TRUE(a && b && c) << conn.last_error();
  EXPECT_EQ(a->body, "hello");
  EXPECT_EQ(b->status, 204);
  EXPECT_EQ(b->body, "");
  EXPECT_EQ(c->body, R"({"a":[1,2],"b":1})");
}

TEST(HttpClientSelfTest, HeadResponseHasNoBodyDespiteContentLength) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  const auto head = conn.request("HEAD", "/head", {}, {}, 2s);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), "10");
  EXPECT_EQ(head.body, "");
  // Framing stayed in sync: the next response on the same connection parses.
  EXPECT_EQ(conn.request("GET", "/cl", {}, {}, 2s).body, "hello");
}

TEST(HttpClientSelfTest, MalformedResponseThrows) {
  CannedServer server;
  HttpConnection conn("127.0.0.1", server.port());
  ASSERT_TRUE(conn.send_raw("GET /garbage HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_THROW(conn.read_response(2s), std::runtime_error);
}

TEST(HttpClientSelfTest, RefusedConnectionThrows) {
  std::uint16_t port = 0;
  {
    // Bound but never listening: connecting to it is refused.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    const auto start = Clock::now();
    try {
      http_request(port, "GET", "/", {}, {}, 1s);
      ADD_FAILURE() << "expected connection refused";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("refused"), std::string::npos) << e.what();
    }
    EXPECT_LT(Clock::now() - start, 1s);
    ::close(fd);
  }
}

TEST(HttpClientSelfTest, SendOnClosedConnectionReportsFailure) {
  HttpConnection conn;
  EXPECT_FALSE(conn.send_raw("x"));
  EXPECT_FALSE(conn.last_error().empty());
  EXPECT_FALSE(conn.read_response(10ms).has_value());
  EXPECT_THROW(conn.request("GET", "/"), std::runtime_error);
}

}  // namespace
}  // namespace polysim::testing
