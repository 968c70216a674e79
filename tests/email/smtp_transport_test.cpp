#include "email/smtp_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "support/smtp_sink.hpp"
#include "email/smtp_message.hpp"

namespace polysim::email {
namespace {

using namespace std::chrono_literals;
using testing::SmtpSink;
using testing::SmtpSinkFailure;

store::OutboxMessage sample_message() {
  store::OutboxMessage m;
  m.id = "0190c0de-0000-7000-8000-00000000abcd";
  m.tenant_id = "tenant-1";
  m.recipient = "trader@example.com";
  m.kind = "login_link";
  m.subject = "Votre lien de connexion — Prêt ✓";
  m.text = "Bonjour,\n.this line starts with a dot\n..and this one with two\nÀ bientôt\n";
  m.link = "https://app.example.com/login?token=ll_abc";
  m.created_at = 1'795'000'000'000'000;
  return m;
}

SmtpSettings settings_for(const SmtpSink& sink, std::string_view user_info = "") {
  std::string error;
  const std::string url = "smtp://" + std::string(user_info) + "127.0.0.1:" + std::to_string(sink.port());
  auto settings = SmtpSettings::parse(url, &error);
  if (!settings) throw std::logic_error(error);
  return *settings;
}

// The exception text of a delivery expected to fail.
std::string failure_of(SmtpTransport& transport, const store::OutboxMessage& message) {
  try {
    transport.deliver(message);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "delivery succeeded";
  return "";
}

TEST(SmtpTransport, DeliversTheMessageWithItsHeadersAndBody) {
  SmtpSink sink;
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  const auto m = sample_message();
  transport.deliver(m);

  ASSERT_TRUE(sink.wait_for(1, 2s));
  const auto mail = sink.messages().at(0);
  EXPECT_TRUE(mail.client_hello.starts_with("EHLO ")) << mail.client_hello;
  EXPECT_EQ(mail.auth_user, "");
  EXPECT_EQ(mail.mail_from, "no-reply@polysim.invalid");
  EXPECT_EQ(mail.mail_from_parameters, "BODY=8BITMIME");
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"trader@example.com"});

  const auto& h = mail.headers;
  EXPECT_EQ(h.at("From"), "polysim <no-reply@polysim.invalid>");
  EXPECT_EQ(h.at("To"), "trader@example.com");
  EXPECT_TRUE(h.at("Subject").starts_with("=?UTF-8?B?")) << h.at("Subject");
  EXPECT_EQ(testing::decode_encoded_words(h.at("Subject")), m.subject);
  EXPECT_EQ(h.at("Date"), format_rfc5322_date(m.created_at));
  EXPECT_EQ(h.at("Message-ID"), "<0190c0de-0000-7000-8000-00000000abcd@polysim>");
  EXPECT_EQ(h.at("MIME-Version"), "1.0");
  EXPECT_EQ(h.at("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(h.at("Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(h.at("X-Polysim-Mail-Kind"), "login_link");
  // The sink removes the dot-stuffing again, so the leading dots arrive as written.
  EXPECT_EQ(mail.body,
            "Bonjour,\r\n.this line starts with a dot\r\n..and this one with two\r\nÀ bientôt\r\n"
            "\r\nhttps://app.example.com/login?token=ll_abc\r\n");
}

TEST(SmtpTransport, DeliversSeveralMessagesOneConnectionEach) {
  SmtpSink sink;
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  auto m = sample_message();
  m.link.reset();
  transport.deliver(m);
  m.id = "second";
  transport.deliver(m);
  ASSERT_TRUE(sink.wait_for(2, 2s));
  EXPECT_EQ(sink.messages().at(1).headers.at("Message-ID"), "<second@polysim>");
  EXPECT_EQ(sink.connections(), 2u);
}

TEST(SmtpTransport, AuthenticatesWithPlainWhenTheUrlHasCredentials) {
  SmtpSink sink;
  SmtpTransport transport(settings_for(sink, "mailer%40corp:s3cr%3At@"), "no-reply@polysim.invalid", 2s);
  transport.deliver(sample_message());
  ASSERT_TRUE(sink.wait_for(1, 2s));
  EXPECT_EQ(sink.messages().at(0).auth_user, "mailer@corp");
  EXPECT_EQ(sink.messages().at(0).auth_password, "s3cr:t");
}

TEST(SmtpTransport, RefusedAuthenticationNamesTheCodeButNotTheCredentials) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::RejectAuth);
  SmtpTransport transport(settings_for(sink, "mailer:hunter2@"), "no-reply@polysim.invalid", 2s);
  const auto error = failure_of(transport, sample_message());
  EXPECT_NE(error.find("535"), std::string::npos) << error;
  EXPECT_NE(error.find("AUTH"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_EQ(error.find("AG1haWxlcgBodW50ZXIy"), std::string::npos) << error;  // the AUTH PLAIN blob
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpTransport, FallsBackToHeloWithoutExtensions) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::EhloUnsupported);
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  transport.deliver(sample_message());
  ASSERT_TRUE(sink.wait_for(1, 2s));
  const auto mail = sink.messages().at(0);
  EXPECT_TRUE(mail.client_hello.starts_with("HELO ")) << mail.client_hello;
  EXPECT_EQ(mail.mail_from_parameters, "");
  // No 8BITMIME was offered, so the non-ASCII body travels as base64.
  EXPECT_EQ(mail.headers.at("Content-Transfer-Encoding"), "base64");
}

TEST(SmtpTransport, CredentialsWithoutServerAuthFailRatherThanSendUnauthenticated) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::EhloUnsupported);  // HELO: no AUTH on offer
  SmtpTransport transport(settings_for(sink, "mailer:pw@"), "no-reply@polysim.invalid", 2s);
  EXPECT_NE(failure_of(transport, sample_message()).find("does not offer AUTH"), std::string::npos);
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpTransport, RejectedRecipientThrowsWithTheServersCodeAndText) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::RejectRecipient);
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  const auto error = failure_of(transport, sample_message());
  EXPECT_NE(error.find("RCPT TO"), std::string::npos) << error;
  EXPECT_NE(error.find("550"), std::string::npos) << error;
  EXPECT_NE(error.find("no such user"), std::string::npos) << error;
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpTransport, TemporaryFailureAfterDataThrows) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::TemporaryFailure);
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  const auto error = failure_of(transport, sample_message());
  EXPECT_NE(error.find("451"), std::string::npos) << error;
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpTransport, SilentServerFailsWithinTheTimeout) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::Silent);
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 300ms);
  const auto started = std::chrono::steady_clock::now();
  const auto error = failure_of(transport, sample_message());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_NE(error.find("greeting"), std::string::npos) << error;
  EXPECT_NE(error.find("300 ms"), std::string::npos) << error;
}

TEST(SmtpTransport, RefusedConnectionThrows) {
  std::uint16_t closed_port = 0;
  {
    SmtpSink gone;
    closed_port = gone.port();
  }
  auto settings = *SmtpSettings::parse("smtp://127.0.0.1:" + std::to_string(closed_port), nullptr);
  SmtpTransport transport(settings, "no-reply@polysim.invalid", 2s);
  const auto error = failure_of(transport, sample_message());
  EXPECT_NE(error.find("connect"), std::string::npos) << error;
}

TEST(SmtpTransport, HeaderInjectionIsRefusedBeforeConnecting) {
  SmtpSink sink;
  SmtpTransport transport(settings_for(sink), "no-reply@polysim.invalid", 2s);
  auto bad_recipient = sample_message();
  bad_recipient.recipient = "trader@example.com\r\nBcc: everyone@example.com";
  EXPECT_THROW(transport.deliver(bad_recipient), std::runtime_error);
  auto bad_subject = sample_message();
  bad_subject.subject = "Hello\nBcc: everyone@example.com";
  EXPECT_THROW(transport.deliver(bad_subject), std::runtime_error);
  auto smuggled_command = sample_message();
  smuggled_command.recipient = "trader@example.com>\r\nRCPT TO:<everyone@example.com";
  EXPECT_THROW(transport.deliver(smuggled_command), std::runtime_error);
  EXPECT_EQ(sink.connections(), 0u);
}

TEST(SmtpTransport, FromAddressMustBePlain) {
  SmtpSettings settings;
  settings.host = "127.0.0.1";
  EXPECT_THROW((SmtpTransport(settings, "polysim <no-reply@polysim.invalid>")), std::invalid_argument);
  EXPECT_THROW((SmtpTransport(settings, "no-reply@polysim.invalid\r\nRCPT TO:<x@y.z>")), std::invalid_argument);
  EXPECT_THROW((SmtpTransport(settings, "no-at-sign")), std::invalid_argument);
  EXPECT_NO_THROW((SmtpTransport(settings)));
}

}  // namespace
}  // namespace polysim::email
