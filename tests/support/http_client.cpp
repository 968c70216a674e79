#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>

namespace polysim::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Anything larger means the server never terminated its header section; reading on would only
// turn a framing bug into an out-of-memory.
constexpr std::size_t kMaxHeaderSectionBytes = 1024 * 1024;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

// Does a comma-separated header value list contain `token`? (Connection: keep-alive, close)
bool list_contains(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string errno_text(int err) { return std::strerror(err); }

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, 24 * 3600 * 1000));
}

// poll() for `events` until the deadline; EINTR restarts with the remaining time.
// Returns revents, or 0 on timeout.
short wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0) return p.revents;
    if (rc == 0) return 0;
    if (errno != EINTR) throw std::runtime_error("poll failed: " + errno_text(errno));
  }
}

std::string escape_excerpt(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

[[noreturn]] void malformed(std::string_view what, std::string_view near) {
  throw std::runtime_error("malformed HTTP response: " + std::string(what) + " near \"" +
                           escape_excerpt(near, 200) + "\"");
}

void parse_header_line(std::string_view line, Headers& into) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) malformed("header line without name", line);
  const auto name = line.substr(0, colon);
  if (name.find_first_of(" \t") != std::string_view::npos) malformed("whitespace in header name", line);
  into.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
}

enum class Parse { incomplete, complete };

struct Head {
  HttpResponse response;
  std::size_t body_offset = 0;
};

// Parses the status line and header fields once the blank line has arrived.
std::optional<Head> parse_head(std::string_view buf) {
  const auto end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buf.size() > kMaxHeaderSectionBytes) malformed("header section never terminated", buf);
    return std::nullopt;
  }
  Head head;
  head.body_offset = end + 4;
  std::string_view section = buf.substr(0, end + 2);

  const auto status_end = section.find("\r\n");
  const auto status_line = section.substr(0, status_end);
  section.remove_prefix(status_end + 2);
  // HTTP/1.x SP 3DIGIT SP reason (the reason phrase may be empty).
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    malformed("bad status line", status_line);
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') malformed("non-numeric status code", status_line);
    status = status * 10 + (status_line[i] - '0');
  }
  head.response.status = status;
  if (status_line.size() > 13) head.response.reason = std::string(status_line.substr(13));

  while (!section.empty()) {
    const auto eol = section.find("\r\n");
    const auto line = section.substr(0, eol);
    if (line.front() == ' ' || line.front() == '\t') malformed("obsolete header line folding", line);
    parse_header_line(line, head.response.headers);
    section.remove_prefix(eol + 2);
  }
  return head;
}

// Chunked body starting at `pos`. On success sets `consumed` to the offset just past the
// trailer section.
Parse parse_chunked(std::string_view buf, std::size_t pos, HttpResponse& response, std::size_t& consumed) {
  std::string body;
  for (;;) {
    const auto eol = buf.find("\r\n", pos);
    if (eol == std::string_view::npos) return Parse::incomplete;
    const auto line = buf.substr(pos, eol - pos);
    std::size_t size = 0;
    std::size_t digits = 0;
    for (char c : line) {
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (lower(c) >= 'a' && lower(c) <= 'f') {
        v = lower(c) - 'a' + 10;
      } else if (c == ';' || c == ' ' || c == '\t') {
        break;  // chunk extensions are allowed and ignored
      } else {
        malformed("bad chunk size", line);
      }
      if (++digits > 15) malformed("chunk size too large", line);
      size = size * 16 + static_cast<std::size_t>(v);
    }
    if (digits == 0) malformed("missing chunk size", line);
    pos = eol + 2;

    if (size == 0) {
      Headers trailers;
      for (;;) {
        const auto tend = buf.find("\r\n", pos);
        if (tend == std::string_view::npos) return Parse::incomplete;
        const auto tline = buf.substr(pos, tend - pos);
        pos = tend + 2;
        if (tline.empty()) break;
        parse_header_line(tline, trailers);
      }
      response.body = std::move(body);
      response.trailers = std::move(trailers);
      consumed = pos;
      return Parse::complete;
    }
    if (buf.size() < pos + size + 2) return Parse::incomplete;
    if (buf.substr(pos + size, 2) != "\r\n") malformed("chunk data not followed by CRLF", buf.substr(pos + size));
    body.append(buf.substr(pos, size));
    pos += size + 2;
  }
}

std::optional<std::size_t> content_length(const HttpResponse& r) {
  std::optional<std::size_t> length;
  for (const auto& value : r.header_values("Content-Length")) {
    std::string_view list = value;
    // A list of identical values is tolerated by RFC 9112; differing ones are a framing error.
    while (!list.empty()) {
      const auto comma = list.find(',');
      const auto item = trim(list.substr(0, comma));
      if (item.empty() || item.size() > 15 ||
          !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        malformed("bad Content-Length", value);
      }
      const auto n = static_cast<std::size_t>(std::stoull(std::string(item)));
      if (length && *length != n) malformed("conflicting Content-Length values", value);
      length = n;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return length;
}

bool is_chunked(const HttpResponse& r) {
  const auto values = r.header_values("Transfer-Encoding");
  if (values.empty()) return false;
  std::string_view last = values.back();
  const auto comma = last.rfind(',');
  if (comma != std::string_view::npos) last.remove_prefix(comma + 1);
  return iequals(trim(last), "chunked");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HttpResponse

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::header_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

std::size_t HttpResponse::header_count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(headers.begin(), headers.end(),
                                                [&](const auto& h) { return iequals(h.first, name); }));
}

boost::json::value HttpResponse::json() const {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) {
    throw std::runtime_error("response body is not JSON (" + ec.message() + "); HTTP " +
                             std::to_string(status) + ", body: \"" + escape_excerpt(body, 500) + "\"");
  }
  return v;
}

std::string HttpResponse::summary(std::size_t max_body_bytes) const {
  std::string out = "HTTP " + std::to_string(status) + " " + reason + "\n";
  for (const auto& [n, v] : headers) out += "  " + n + ": " + v + "\n";
  for (const auto& [n, v] : trailers) out += "  (trailer) " + n + ": " + v + "\n";
  out += "  body: \"" + escape_excerpt(body, max_body_bytes) + "\"";
  return out;
}

void PrintTo(const HttpResponse& response, std::ostream* os) { *os << response.summary(); }

// ---------------------------------------------------------------------------------------------
// HttpConnection

HttpConnection::HttpConnection(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout) {
  connect(host, port, timeout);
}

HttpConnection::~HttpConnection() { close(); }

HttpConnection::HttpConnection(HttpConnection&& other) noexcept { *this = std::move(other); }

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    host_ = std::move(other.host_);
    port_ = other.port_;
    buffer_ = std::move(other.buffer_);
    peer_closed_ = other.peer_closed_;
    reopen_before_next_request_ = other.reopen_before_next_request_;
    connect_count_ = other.connect_count_;
    last_error_ = std::move(other.last_error_);
  }
  return *this;
}

void HttpConnection::connect(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout) {
  close();
  host_ = std::string(host);
  port_ = port;
  const std::string where = host_ + ":" + std::to_string(port);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  const std::string numeric = host == "localhost" ? "127.0.0.1" : host_;
  if (::inet_pton(AF_INET, numeric.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("connect: not an IPv4 address: " + host_);
  }

  // CLOEXEC keeps server processes spawned later from inheriting the socket and holding the
  // connection open after the test closes it.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed: " + errno_text(errno));
  // Requests are written in one send(); Nagle would only add delay to tests that split them.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  const auto deadline = Clock::now() + timeout;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("connect to " + where + " failed: " + errno_text(err));
    }
    short revents = 0;
    try {
      revents = wait_for(fd, POLLOUT, deadline);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (revents == 0) {
      ::close(fd);
      throw std::runtime_error("connect to " + where + " timed out after " +
                               std::to_string(timeout.count()) + " ms");
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ::close(fd);
      throw std::runtime_error("connect to " + where + " failed: " + errno_text(err));
    }
  }
  fd_ = fd;
  ++connect_count_;
}

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  peer_closed_ = false;
  reopen_before_next_request_ = false;
}

void HttpConnection::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool HttpConnection::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    last_error_ = "send on a connection that is not open";
    return false;
  }
  const auto deadline = Clock::now() + timeout;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    // MSG_NOSIGNAL: a server closing early must fail the send, not kill the test binary.
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_for(fd_, POLLOUT, deadline) == 0) {
        last_error_ = "send timed out after " + std::to_string(timeout.count()) + " ms with " +
                      std::to_string(sent) + " of " + std::to_string(bytes.size()) + " bytes written";
        return false;
      }
      continue;
    }
    const int err = n < 0 ? errno : EPIPE;
    last_error_ = "send failed after " + std::to_string(sent) + " of " + std::to_string(bytes.size()) +
                  " bytes: " + errno_text(err);
    if (err == EPIPE || err == ECONNRESET) peer_closed_ = true;
    return false;
  }
  return true;
}

HttpConnection::ReadStatus HttpConnection::fill(Clock::time_point deadline) {
  if (fd_ < 0) {
    last_error_ = "connection is not open";
    return ReadStatus::reset;
  }
  if (peer_closed_) return ReadStatus::eof;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return ReadStatus::data;
    }
    if (n == 0) {
      peer_closed_ = true;
      return ReadStatus::eof;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (wait_for(fd_, POLLIN, deadline) == 0) return ReadStatus::timeout;
      continue;
    }
    last_error_ = "recv failed: " + errno_text(errno);
    peer_closed_ = true;
    return ReadStatus::reset;
  }
}

std::optional<HttpResponse> HttpConnection::read_response(std::chrono::milliseconds timeout, bool response_to_head) {
  const auto deadline = Clock::now() + timeout;
  if (fd_ < 0 && buffer_.empty()) {
    last_error_ = "read on a connection that is not open";
    return std::nullopt;
  }
  for (;;) {
    // Re-parsing from the start after every read is quadratic in theory but test responses are
    // small, and it keeps the buffer untouched until a whole response is there.
    bool close_delimited = false;
    if (auto head = parse_head(buffer_)) {
      HttpResponse& r = head->response;
      const int s = r.status;
      const bool no_body = response_to_head || (s >= 100 && s < 200) || s == 204 || s == 304;
      std::optional<std::size_t> consumed;
      if (no_body) {
        consumed = head->body_offset;
      } else if (is_chunked(r)) {
        std::size_t end = 0;
        if (parse_chunked(buffer_, head->body_offset, r, end) == Parse::complete) consumed = end;
      } else if (r.header_count("Transfer-Encoding") > 0) {
        close_delimited = true;  // a non-chunked transfer coding runs until the connection closes
      } else if (const auto length = content_length(r)) {
        if (buffer_.size() - head->body_offset >= *length) {
          r.body = buffer_.substr(head->body_offset, *length);
          consumed = head->body_offset + *length;
        }
      } else {
        close_delimited = true;
      }
      if (close_delimited && peer_closed_) {
        r.body = buffer_.substr(head->body_offset);
        consumed = buffer_.size();
      }
      if (consumed) {
        buffer_.erase(0, *consumed);
        if (const auto c = r.header("Connection"); c && list_contains(*c, "close")) {
          reopen_before_next_request_ = true;
        }
        return std::move(r);
      }
    }

    switch (fill(deadline)) {
      case ReadStatus::data:
        break;
      case ReadStatus::eof:
        if (close_delimited) break;  // loop once more to complete the close-delimited body
        last_error_ = "connection closed by peer before a complete response (" +
                      std::to_string(buffer_.size()) + " bytes buffered: \"" + escape_excerpt(buffer_, 200) + "\")";
        return std::nullopt;
      case ReadStatus::reset:
        if (last_error_.empty()) last_error_ = "connection reset";
        return std::nullopt;
      case ReadStatus::timeout:
        last_error_ = "no complete response within " + std::to_string(timeout.count()) + " ms (" +
                      std::to_string(buffer_.size()) + " bytes buffered: \"" + escape_excerpt(buffer_, 200) + "\")";
        return std::nullopt;
    }
  }
}

bool HttpConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return true;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    switch (fill(deadline)) {
      case ReadStatus::data:
        continue;
      case ReadStatus::eof:
      case ReadStatus::reset:
        return true;
      case ReadStatus::timeout:
        return false;
    }
  }
}

void HttpConnection::ensure_connected(std::chrono::milliseconds timeout) {
  if (fd_ >= 0 && !peer_closed_ && !reopen_before_next_request_ && buffer_.empty()) {
    // A zero-wait read notices a close that happened since the last response (idle timeout),
    // which would otherwise surface as a confusing failure of the next request.
    fill(Clock::now());
  }
  if (fd_ >= 0 && !peer_closed_ && !reopen_before_next_request_) return;
  if (port_ == 0) throw std::runtime_error("HttpConnection::request() before connect()");
  const std::string host = host_;
  connect(host, port_, timeout);
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target, const Headers& headers,
                                     std::string_view body, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = std::string(method) + " " + std::string(target) + " to " + host_ + ":" +
                           std::to_string(port_);
  ensure_connected(timeout);

  std::string req;
  req.reserve(256 + body.size());
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has_header(headers, "Host")) req += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
  for (const auto& [n, v] : headers) req += n + ": " + v + "\r\n";
  const bool expects_body = method == "POST" || method == "PUT" || method == "PATCH";
  if (!has_header(headers, "Content-Length") && !has_header(headers, "Transfer-Encoding") &&
      (expects_body || !body.empty())) {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req.append(body);

  if (!send_raw(req, std::chrono::milliseconds(remaining_ms(deadline)))) {
    throw std::runtime_error(what + ": " + last_error_);
  }
  for (;;) {
    auto r = read_response(std::chrono::milliseconds(remaining_ms(deadline)), method == "HEAD");
    if (!r) throw std::runtime_error(what + ": " + last_error_);
    if (r->status >= 100 && r->status < 200 && r->status != 101) continue;
    for (const auto& [n, v] : headers) {
      if (iequals(n, "Connection") && list_contains(v, "close")) reopen_before_next_request_ = true;
    }
    return std::move(*r);
  }
}

HttpResponse http_request(std::uint16_t port, std::string_view method, std::string_view target,
                          const Headers& headers, std::string_view body, std::chrono::milliseconds timeout) {
  HttpConnection conn;
  try {
    conn.connect("127.0.0.1", port, std::min(timeout, kDefaultConnectTimeout));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(method) + " " + std::string(target) + ": " + e.what());
  }
  return conn.request(method, target, headers, body, timeout);
}

}  // namespace polysim::testing
