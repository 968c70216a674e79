// Blocking HTTP/1.1 client for integration tests, written on raw POSIX sockets rather than a
// library so tests can also send bytes no well-behaved client would (bad framing, oversized
// headers, half-written requests) and observe exactly how the server reacts on the wire.
//
// Every operation takes a timeout and is enforced with poll(): a misbehaving server makes a test
// fail with a message, never hang until the CTest timeout kills the whole binary.
#pragma once
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polysim::testing {

// Order and duplicates are preserved: tests assert on repeated headers (e.g. Vary, Set-Cookie).
using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{5'000};
inline constexpr std::chrono::milliseconds kDefaultIoTimeout{10'000};

struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  // Only filled for chunked bodies that carried a trailer section.
  Headers trailers;
  std::string body;

  // Case-insensitive; first occurrence when the header is repeated.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
  std::size_t header_count(std::string_view name) const;

  // Throws std::runtime_error naming the status and a body excerpt when the body is not JSON,
  // so a failing assertion shows what the server actually sent.
  boost::json::value json() const;

  // One-line-per-header dump with a truncated body, for `<< response.summary()` in assertions.
  std::string summary(std::size_t max_body_bytes = 2'000) const;
};

// Lets GoogleTest print responses in failure messages.
void PrintTo(const HttpResponse& response, std::ostream* os);

class HttpConnection {
 public:
  HttpConnection() = default;
  // Connects immediately; throws like connect().
  HttpConnection(std::string_view host, std::uint16_t port,
                 std::chrono::milliseconds timeout = kDefaultConnectTimeout);
  ~HttpConnection();
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // IPv4 only ("localhost" is accepted as 127.0.0.1). Closes any previous socket first.
  // Throws std::runtime_error on refusal, timeout or a bad address.
  void connect(std::string_view host, std::uint16_t port,
               std::chrono::milliseconds timeout = kDefaultConnectTimeout);
  void close();
  bool is_open() const { return fd_ >= 0; }
  // Half-close: the server sees EOF on its read side while we can still read its answer.
  void shutdown_write();
  // For socket options a test may need (SO_LINGER to provoke a reset, buffer sizes, ...).
  int native_handle() const { return fd_; }

  // False when the peer closed/reset the connection or the timeout expired before every byte
  // was handed to the kernel; last_error() says which. A server rejecting a request early may
  // legitimately close while a large request is still being written.
  [[nodiscard]] bool send_raw(std::string_view bytes,
                              std::chrono::milliseconds timeout = kDefaultIoTimeout);

  // The next complete response on the connection, or nullopt if the timeout expires or the peer
  // closes/resets before it is complete (last_error() says which). Bytes already received stay
  // buffered, so a timed-out read can be retried and pipelined responses are read one by one.
  // Interim 1xx responses are returned like any other. Throws std::runtime_error when the bytes
  // are not a valid HTTP/1.1 response: that is a server bug, not a condition to test around.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = kDefaultIoTimeout,
                                            bool response_to_head = false);

  // True once the peer has closed (read returns 0) or reset the connection within the timeout.
  // Data arriving meanwhile is kept for read_response().
  bool closed_by_peer(std::chrono::milliseconds timeout);

  // Writes a well-formed request (Host and, when there is a body or the method expects one,
  // Content-Length are added unless `headers` already has them), then returns the final response,
  // skipping interim 1xx. The socket is reused across calls; it is reopened to the same endpoint
  // only after the server closed it or announced `Connection: close` (see connect_count()).
  // Throws std::runtime_error when no response arrives within the timeout.
  HttpResponse request(std::string_view method, std::string_view target,
                       const Headers& headers = {}, std::string_view body = {},
                       std::chrono::milliseconds timeout = kDefaultIoTimeout);

  // How many times a socket was opened; lets keep-alive tests assert that reuse happened.
  int connect_count() const { return connect_count_; }
  const std::string& last_error() const { return last_error_; }
  // Received bytes not yet consumed as a response.
  std::string_view buffered() const { return buffer_; }

 private:
  enum class ReadStatus { data, eof, reset, timeout };
  ReadStatus fill(std::chrono::steady_clock::time_point deadline);
  void ensure_connected(std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string buffer_;
  bool peer_closed_ = false;
  bool reopen_before_next_request_ = false;
  int connect_count_ = 0;
  std::string last_error_;
};

// One request on a fresh connection to 127.0.0.1:port, closed afterwards. Throws
// std::runtime_error naming the request on connection failure or timeout.
HttpResponse http_request(std::uint16_t port, std::string_view method, std::string_view target,
                          const Headers& headers = {}, std::string_view body = {},
                          std::chrono::milliseconds timeout = kDefaultIoTimeout);

}  // namespace polysim::testing
