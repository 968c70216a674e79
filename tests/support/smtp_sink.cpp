// Included by path from unit tests as well as compiled into polysim_test_support, hence the
// include relative to this file.
#include "support/smtp_sink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace polysim::testing {

namespace {

// A client quiet for this long is abandoned so the next connection can be served.
constexpr int kIdleMillis = 10'000;
constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::size_t kMaxMessage = 10 * 1024 * 1024;

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii_upper(text.substr(0, prefix.size())) == prefix;
}

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

// "<address> PARAMS" after "MAIL FROM:" or "RCPT TO:"; nullopt without the angle brackets.
std::optional<std::pair<std::string, std::string>> parse_path(std::string_view argument) {
  argument = trim_left(argument);
  if (argument.empty() || argument.front() != '<') return std::nullopt;
  const auto close = argument.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  return std::pair{std::string(argument.substr(1, close - 1)), std::string(trim_left(argument.substr(close + 1)))};
}

void split_headers_and_body(ReceivedMail& mail) {
  const auto blank = mail.data.find("\r\n\r\n");
  const std::string_view header_block =
      blank == std::string::npos ? std::string_view(mail.data) : std::string_view(mail.data).substr(0, blank + 2);
  mail.body = blank == std::string::npos ? std::string() : mail.data.substr(blank + 4);
  std::string* current = nullptr;  // the value that continuation lines extend; null for a duplicate
  std::size_t start = 0;
  while (start < header_block.size()) {
    auto end = header_block.find("\r\n", start);
    if (end == std::string_view::npos) end = header_block.size();
    const auto line = header_block.substr(start, end - start);
    start = end + 2;
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      if (current) *current += line;  // unfolding removes only the CRLF
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      current = nullptr;
      continue;
    }
    const auto [entry, inserted] =
        mail.headers.emplace(std::string(line.substr(0, colon)), std::string(trim_left(line.substr(colon + 1))));
    current = inserted ? &entry->second : nullptr;
  }
}

}  // namespace

// One client connection, served on the sink's thread.
class SmtpSink::Session {
 public:
  Session(SmtpSink& sink, int fd) : sink_(sink), fd_(fd) {}

  void run() {
    if (sink_.failure_mode() == SmtpSinkFailure::Silent) {
      drain();
      return;
    }
    reply("220 smtp-sink.test ESMTP ready\r\n");
    while (auto line = read_line()) {
      if (!handle(*line)) return;
    }
  }

 private:
  // Returns false when the session is over.
  bool handle(const std::string& line) {
    const auto mode = sink_.failure_mode();
    const auto verb = ascii_upper(std::string_view(line).substr(0, line.find(' ')));
    if (verb == "EHLO") {
      if (mode == SmtpSinkFailure::EhloUnsupported) return reply("502 5.5.2 EHLO not implemented\r\n");
      hello_ = line;
      return reply("250-smtp-sink.test greets you\r\n250-8BITMIME\r\n250-AUTH LOGIN PLAIN\r\n250 SIZE 10485760\r\n");
    }
    if (verb == "HELO") {
      hello_ = line;
      return reply("250 smtp-sink.test\r\n");
    }
    if (verb == "AUTH") return handle_auth(line, mode);
    if (starts_with_nocase(line, "MAIL FROM:")) {
      const auto path = parse_path(std::string_view(line).substr(10));
      if (!path) return reply("501 5.5.4 syntax: MAIL FROM:<address>\r\n");
      mail_ = ReceivedMail{};
      mail_->mail_from = path->first;
      mail_->mail_from_parameters = path->second;
      return reply("250 2.1.0 sender ok\r\n");
    }
    if (starts_with_nocase(line, "RCPT TO:")) {
      if (!mail_) return reply("503 5.5.1 MAIL first\r\n");
      const auto path = parse_path(std::string_view(line).substr(8));
      if (!path) return reply("501 5.5.4 syntax: RCPT TO:<address>\r\n");
      if (mode == SmtpSinkFailure::RejectRecipient) return reply("550 5.1.1 <" + path->first + ">: no such user\r\n");
      mail_->rcpt_to.push_back(path->first);
      return reply("250 2.1.5 recipient ok\r\n");
    }
    if (verb == "DATA") return handle_data();
    if (verb == "RSET") {
      mail_.reset();
      return reply("250 2.0.0 reset\r\n");
    }
    if (verb == "NOOP") return reply("250 2.0.0 ok\r\n");
    if (verb == "QUIT") {
      reply("221 2.0.0 bye\r\n");
      return false;
    }
    return reply("500 5.5.2 command not recognized\r\n");
  }

  bool handle_auth(const std::string& line, SmtpSinkFailure mode) {
    const std::string_view rest = trim_left(std::string_view(line).substr(4));
    if (!starts_with_nocase(rest, "PLAIN ")) return reply("504 5.5.4 only AUTH PLAIN with an initial response\r\n");
    const auto decoded = base64_decode(trim_left(rest.substr(6)));
    const auto first = decoded ? decoded->find('\0') : std::string::npos;
    const auto second = first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
    if (second == std::string::npos) return reply("501 5.5.2 malformed AUTH PLAIN response\r\n");
    if (mode == SmtpSinkFailure::RejectAuth) return reply("535 5.7.8 authentication credentials invalid\r\n");
    auth_user_ = decoded->substr(first + 1, second - first - 1);
    auth_password_ = decoded->substr(second + 1);
    return reply("235 2.7.0 authenticated\r\n");
  }

  bool handle_data() {
    if (!mail_ || mail_->rcpt_to.empty()) return reply("503 5.5.1 RCPT first\r\n");
    reply("354 end data with <CR><LF>.<CR><LF>\r\n");
    std::string data;
    for (;;) {
      auto line = read_line();
      if (!line) return false;
      if (*line == ".") break;
      if (!line->empty() && line->front() == '.') line->erase(0, 1);
      data += *line + "\r\n";
      if (data.size() > kMaxMessage) {
        reply("552 5.3.4 message too big\r\n");
        return false;
      }
    }
    ReceivedMail mail = std::move(*mail_);
    mail_.reset();
    if (sink_.failure_mode() == SmtpSinkFailure::TemporaryFailure) return reply("451 4.3.0 try again later\r\n");
    mail.client_hello = hello_;
    mail.auth_user = auth_user_;
    mail.auth_password = auth_password_;
    mail.data = std::move(data);
    split_headers_and_body(mail);
    sink_.record(std::move(mail));
    return reply("250 2.0.0 queued\r\n");
  }

  // Waits for the client or for the sink to stop; false on stop, idle timeout or error.
  bool wait_readable() const {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {sink_.wake_read_fd_, POLLIN, 0}};
    for (;;) {
      const int rc = ::poll(fds, 2, kIdleMillis);
      if (sink_.stopping_) return false;
      if (rc > 0) return (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
      if (rc == 0 || errno != EINTR) return false;
    }
  }

  // The next line without its CRLF (a bare LF also ends a line); nullopt when the client is
  // gone, idle too long, or sends an absurdly long line.
  std::optional<std::string> read_line() {
    for (;;) {
      const auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buffer_.size() > kMaxLine || !wait_readable()) return std::nullopt;
      char chunk[4096];
      const auto received = ::recv(fd_, chunk, sizeof chunk, 0);
      if (received <= 0) {
        if (received < 0 && errno == EINTR) continue;
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<std::size_t>(received));
    }
  }

  // Reads and discards until the client hangs up, goes idle, or the sink stops.
  void drain() const {
    char chunk[4096];
    while (wait_readable())
      if (::recv(fd_, chunk, sizeof chunk, 0) <= 0) return;
  }

  // Always true, so handlers can `return reply(...)`; a failed send shows up as a closed
  // connection on the next read.
  bool reply(std::string_view text) const {
    while (!text.empty()) {
      const auto sent = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) break;
      text.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  SmtpSink& sink_;
  int fd_;
  std::string buffer_;
  std::string hello_;
  std::string auth_user_;
  std::string auth_password_;
  std::optional<ReceivedMail> mail_;  // the transaction since MAIL FROM
};

SmtpSink::SmtpSink() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int pipe_fds[2] = {-1, -1};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = listen_fd_ >= 0 && ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::listen(listen_fd_, 16) == 0 &&
                  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
                  ::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) == 0;
  if (!ok) {
    const std::string reason = std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("SmtpSink cannot listen on 127.0.0.1: " + reason);
  }
  port_ = ntohs(address.sin_port);
  wake_read_fd_ = pipe_fds[0];
  wake_write_fd_ = pipe_fds[1];
  thread_ = std::thread([this] { run(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  // The byte is never read, so every later poll on the pipe returns at once.
  [[maybe_unused]] const auto written = ::write(wake_write_fd_, "x", 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_fd_);
  ::close(wake_write_fd_);
}

void SmtpSink::run() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
    const int rc = ::poll(fds, 2, 1'000);
    if (stopping_) return;
    if (rc <= 0 || !(fds[0].revents & POLLIN)) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    {
      std::lock_guard lock(mutex_);
      ++connections_;
    }
    Session(*this, client).run();
    ::close(client);
  }
}

std::vector<ReceivedMail> SmtpSink::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::size_t SmtpSink::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool SmtpSink::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
}

void SmtpSink::set_failure_mode(SmtpSinkFailure mode) {
  std::lock_guard lock(mutex_);
  failure_mode_ = mode;
}

SmtpSinkFailure SmtpSink::failure_mode() const {
  std::lock_guard lock(mutex_);
  return failure_mode_;
}

void SmtpSink::record(ReceivedMail mail) {
  {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(mail));
  }
  changed_.notify_all();
}

std::string decode_encoded_words(std::string_view value) {
  std::string out;
  std::string pending_space;
  bool previous_was_word = false;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i++];
      continue;
    }
    // =?charset?B?text?=
    const auto charset_end = value.compare(i, 2, "=?") == 0 ? value.find('?', i + 2) : std::string_view::npos;
    const bool b_encoding = charset_end != std::string_view::npos && charset_end + 2 < value.size() &&
                            (value[charset_end + 1] == 'B' || value[charset_end + 1] == 'b') &&
                            value[charset_end + 2] == '?';
    const auto word_end = b_encoding ? value.find("?=", charset_end + 3) : std::string_view::npos;
    const auto decoded = word_end != std::string_view::npos
                             ? base64_decode(value.substr(charset_end + 3, word_end - charset_end - 3))
                             : std::nullopt;
    if (decoded) {
      // Whitespace between two encoded-words is folding, not text (RFC 2047 section 6.2).
      if (!previous_was_word) out += pending_space;
      out += *decoded;
      i = word_end + 2;
      previous_was_word = true;
    } else {
      out += pending_space;
      out += value[i++];
      previous_was_word = false;
    }
    pending_space.clear();
  }
  return out + pending_space;
}

}  // namespace polysim::testing
