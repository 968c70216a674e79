#include "email/smtp_connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace polysim::email {

namespace {

// RFC 5321 allows 512 octets per reply line; some servers send longer ones, none sensible this long.
constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::size_t kMaxReplyLines = 128;
constexpr std::size_t kMaxSummary = 300;

std::string system_error(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

std::string timeout_text(std::chrono::milliseconds timeout) { return std::to_string(timeout.count()) + " ms"; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

class AddressList {
 public:
  AddressList(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list_);
    if (rc != 0) throw std::runtime_error("cannot resolve " + host + ": " + ::gai_strerror(rc));
  }
  ~AddressList() { ::freeaddrinfo(list_); }
  AddressList(const AddressList&) = delete;
  AddressList& operator=(const AddressList&) = delete;
  const addrinfo* first() const { return list_; }

 private:
  addrinfo* list_ = nullptr;
};

}  // namespace

std::string SmtpReply::summary() const {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += " / ";
    for (char c : line)
      if (c >= 0x20 && c != 0x7f) out += c;
    if (out.size() > kMaxSummary) {
      out.resize(kMaxSummary);
      out += "...";
      break;
    }
  }
  return out;
}

SmtpConnection::SmtpConnection(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  const AddressList addresses(host, port);
  std::string last_error = "no address";
  for (const addrinfo* a = addresses.first(); a; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) {
      last_error = system_error("socket", errno);
      continue;
    }
    int error = 0;
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        if (!wait(POLLOUT, deadline)) {
          last_error = "timed out after " + timeout_text(timeout_);
          ::close(fd_);
          fd_ = -1;
          break;  // the one deadline covers every address
        }
        socklen_t length = sizeof error;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      }
    }
    if (error == 0) return;
    last_error = std::strerror(error);
    ::close(fd_);
    fd_ = -1;
  }
  throw std::runtime_error("cannot connect: " + last_error);
}

SmtpConnection::~SmtpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool SmtpConnection::wait(short events, Deadline deadline) const {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
    if (rc > 0) return true;  // readiness or an error condition; the next call reports which
    if (rc < 0 && errno != EINTR) throw std::runtime_error(system_error("poll", errno));
  }
}

void SmtpConnection::send(std::string_view bytes) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (!bytes.empty()) {
    const auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait(POLLOUT, deadline))
        throw std::runtime_error("server accepted no data within " + timeout_text(timeout_));
      continue;
    }
    throw std::runtime_error(system_error("send", errno));
  }
}

std::string SmtpConnection::read_line(Deadline deadline) {
  for (;;) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() > kMaxReplyLine) throw std::runtime_error("server sent an overlong reply line");
    if (!wait(POLLIN, deadline))
      throw std::runtime_error("no answer within " + timeout_text(timeout_));
    char chunk[2048];
    const auto received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(received));
    } else if (received == 0) {
      throw std::runtime_error("server closed the connection");
    } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      throw std::runtime_error(system_error("recv", errno));
    }
  }
}

SmtpReply SmtpConnection::read_reply() {
  // One deadline for the whole reply, so a server trickling continuation lines is bounded too.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  SmtpReply reply;
  for (;;) {
    const std::string line = read_line(deadline);
    const bool well_formed = line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) &&
                             (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!well_formed) throw std::runtime_error("server sent a malformed reply line");
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply.lines.empty()) reply.code = code;
    else if (code != reply.code) throw std::runtime_error("server changed the reply code within one reply");
    reply.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
    if (line.size() == 3 || line[3] == ' ') return reply;
    if (reply.lines.size() >= kMaxReplyLines) throw std::runtime_error("server sent an overlong reply");
  }
}

}  // namespace polysim::email
