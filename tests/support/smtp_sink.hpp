// A minimal SMTP server for tests: listens on 127.0.0.1 (an ephemeral port) in a background
// thread of the test process, serves one connection at a time, records every accepted message,
// and can be told to misbehave in the ways a real relay does. Every wait is bounded and the
// destructor stops it promptly, so a confused client fails a test instead of hanging it.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace polysim::testing {

enum class SmtpSinkFailure {
  None,
  RejectRecipient,   // 550 to every RCPT TO
  TemporaryFailure,  // 451 once the message data has been received
  Silent,            // accepts connections and never says a word
  EhloUnsupported,   // 502 to EHLO, as an RFC 821 server; HELO works
  RejectAuth,        // 535 to AUTH
};

struct ReceivedMail {
  std::string client_hello;  // the EHLO or HELO line as sent
  std::string auth_user;     // from AUTH PLAIN; empty without AUTH
  std::string auth_password;
  std::string mail_from;                // the address inside MAIL FROM:<...>
  std::string mail_from_parameters;     // what followed it, e.g. "BODY=8BITMIME"
  std::vector<std::string> rcpt_to;     // addresses inside RCPT TO:<...>
  std::string data;                     // raw DATA, dot-unstuffed, CRLF line endings
  std::map<std::string, std::string> headers;  // unfolded; names as sent; first occurrence wins
  std::string body;                     // everything after the blank line
};

class SmtpSink {
 public:
  SmtpSink();  // listening once constructed; throws std::runtime_error when it cannot
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<ReceivedMail> messages() const;
  // Connections accepted so far, to assert that a client never connected.
  std::size_t connections() const;
  // True once at least count messages were accepted; false at the timeout.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;
  // Applies from the next command (Silent: from the next connection).
  void set_failure_mode(SmtpSinkFailure mode);

 private:
  class Session;
  void run();
  SmtpSinkFailure failure_mode() const;
  void record(ReceivedMail mail);

  int listen_fd_ = -1;
  int wake_read_fd_ = -1;
  int wake_write_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ReceivedMail> messages_;
  std::size_t connections_ = 0;
  SmtpSinkFailure failure_mode_ = SmtpSinkFailure::None;
  std::thread thread_;
};

// Decodes RFC 2047 "B" encoded-words ("=?UTF-8?B?...?=") in a header value, dropping the
// folding whitespace between adjacent words; other text is kept. For asserting on subjects.
std::string decode_encoded_words(std::string_view header_value);

}  // namespace polysim::testing
