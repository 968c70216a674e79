// One blocking TCP connection to an SMTP server, speaking in lines and replies. Every call is
// bounded by the timeout given at construction (connect, each whole reply, each whole send), using
// non-blocking sockets and poll(), so a server that stops talking cannot stall the outbox thread.
// Deadlines use the steady clock: they are about real network waiting, which a test's
// ManualClock must not stretch or shrink.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::email {

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // text after "250-" / "250 ", one per reply line

  // The lines joined with " / ", control characters dropped and cut to a bounded length, fit
  // for an error message or a log line.
  std::string summary() const;
};

class SmtpConnection {
 public:
  // Resolves the host (name resolution follows the system resolver's own limits) and connects,
  // trying each address in turn within one timeout. Throws std::runtime_error.
  SmtpConnection(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  ~SmtpConnection();
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;

  // Writes all bytes or throws std::runtime_error.
  void send(std::string_view bytes);
  // Reads one complete reply, multi-line ones included, or throws std::runtime_error (timeout,
  // closed connection, malformed or oversized reply).
  SmtpReply read_reply();

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  std::string read_line(Deadline deadline);
  // Waits for the socket to become readable or writable; false once the deadline has passed.
  bool wait(short events, Deadline deadline) const;

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

}  // namespace polysim::email
