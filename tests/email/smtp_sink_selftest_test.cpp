// The SMTP sink's own checks, spoken in raw SMTP so a sink bug cannot hide behind a transport bug.
#include "support/smtp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

namespace polysim::testing {
namespace {

using namespace std::chrono_literals;

// Just enough of a client to script a conversation line by line.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  void send(std::string_view text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
  }

  // The next reply's final line ("250 ..."), or "" after that much silence.
  std::string reply(std::chrono::milliseconds timeout = 2s) {
    for (;;) {
      const auto newline = buffer_.find("\r\n");
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 2);
        if (line.size() >= 4 && line[3] == '-') continue;
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
      char chunk[1024];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::string command(std::string_view line) {
    send(std::string(line) + "\r\n");
    return reply();
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

TEST(SmtpSink, RecordsAMessageWithHeadersAndUnstuffedBody) {
  SmtpSink sink;
  RawClient client(sink.port());
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(client.reply().starts_with("220"));
  EXPECT_TRUE(client.command("EHLO tester").starts_with("250 "));
  EXPECT_TRUE(client.command("MAIL FROM:<from@example.com> BODY=8BITMIME").starts_with("250"));
  EXPECT_TRUE(client.command("RCPT TO:<to@example.com>").starts_with("250"));
  EXPECT_TRUE(client.command("DATA").starts_with("354"));
  EXPECT_TRUE(client.command("Subject: hi\r\nX-Long: a\r\n b\r\n\r\n..leading dot\r\nend\r\n.").starts_with("250"));
  EXPECT_TRUE(client.command("QUIT").starts_with("221"));

  ASSERT_TRUE(sink.wait_for(1, 2s));
  const auto mail = sink.messages().at(0);
  EXPECT_EQ(mail.client_hello, "EHLO tester");
  EXPECT_EQ(mail.mail_from, "from@example.com");
  EXPECT_EQ(mail.mail_from_parameters, "BODY=8BITMIME");
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"to@example.com"});
  EXPECT_EQ(mail.headers.at("Subject"), "hi");
  EXPECT_EQ(mail.headers.at("X-Long"), "a b");
  EXPECT_EQ(mail.body, ".leading dot\r\nend\r\n");
  EXPECT_EQ(mail.data, "Subject: hi\r\nX-Long: a\r\n b\r\n\r\n.leading dot\r\nend\r\n");
}

TEST(SmtpSink, ServesSequentialConnectionsAndFailureModes) {
  SmtpSink sink;
  {
    RawClient client(sink.port());
    client.reply();
    sink.set_failure_mode(SmtpSinkFailure::RejectRecipient);
    client.command("HELO a");
    client.command("MAIL FROM:<a@example.com>");
    EXPECT_TRUE(client.command("RCPT TO:<b@example.com>").starts_with("550"));
  }
  {
    RawClient client(sink.port());
    EXPECT_TRUE(client.reply().starts_with("220"));
    sink.set_failure_mode(SmtpSinkFailure::TemporaryFailure);
    client.command("HELO a");
    client.command("MAIL FROM:<a@example.com>");
    client.command("RCPT TO:<b@example.com>");
    client.command("DATA");
    EXPECT_TRUE(client.command("x\r\n.").starts_with("451"));
  }
  EXPECT_TRUE(sink.messages().empty());
  EXPECT_EQ(sink.connections(), 2u);
}

TEST(SmtpSink, SilentModeSaysNothing) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::Silent);
  RawClient client(sink.port());
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.reply(300ms), "");
}

TEST(SmtpSink, DestructorReturnsPromptlyWhileAClientHangsOn) {
  std::unique_ptr<RawClient> client;
  const auto started = std::chrono::steady_clock::now();
  {
    SmtpSink sink;
    sink.set_failure_mode(SmtpSinkFailure::Silent);
    client = std::make_unique<RawClient>(sink.port());
    while (sink.connections() == 0 && std::chrono::steady_clock::now() - started < 2s)
      std::this_thread::sleep_for(5ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(SmtpSink, DecodesEncodedWords) {
  EXPECT_EQ(decode_encoded_words("=?UTF-8?B?UHLDqnQ=?= =?utf-8?b?IOKckw==?="), "Prêt ✓");
  EXPECT_EQ(decode_encoded_words("plain  text"), "plain  text");
  EXPECT_EQ(decode_encoded_words("a =?UTF-8?B?w6k=?= b"), "a é b");
  EXPECT_EQ(decode_encoded_words("=?broken"), "=?broken");
}

}  // namespace
}  // namespace polysim::testing
