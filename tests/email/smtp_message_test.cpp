#include "email/smtp_message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

// polysim_unit_tests does not link polysim_test_support, so the sink's decoder is taken by path.
#include "support/smtp_sink.hpp"

namespace polysim::email {
namespace {

store::OutboxMessage message() {
  store::OutboxMessage m;
  m.id = "0190c0de-0000-7000-8000-000000000001";
  m.tenant_id = "tenant-1";
  m.recipient = "trader@example.com";
  m.kind = "login_link";
  m.subject = "Your sign-in link";
  m.text = "Hello";
  m.created_at = 1'795'000'000'000'000;
  return m;
}

std::string body_of(const std::string& composed) {
  const auto blank = composed.find("\r\n\r\n");
  return blank == std::string::npos ? std::string() : composed.substr(blank + 4);
}

TEST(SmtpMessage, DateIsRfc5322InUtc) {
  EXPECT_EQ(format_rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_rfc5322_date(1'795'000'000'999'999), "Wed, 18 Nov 2026 11:06:40 +0000");
  EXPECT_EQ(format_rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
  EXPECT_EQ(format_rfc5322_date(951'782'400'000'000), "Tue, 29 Feb 2000 00:00:00 +0000");
}

TEST(SmtpMessage, PlainAsciiSubjectIsKept) {
  EXPECT_EQ(encode_header_text("Your sign-in link"), "Your sign-in link");
}

TEST(SmtpMessage, NonAsciiSubjectIsEncodedAndRoundTrips) {
  const std::string subject = "Prêt à trader ✓";
  const auto encoded = encode_header_text(subject);
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
  EXPECT_EQ(testing::decode_encoded_words(encoded), subject);
}

TEST(SmtpMessage, LongNonAsciiSubjectIsFoldedWithoutSplittingCharacters) {
  std::string subject;
  for (int i = 0; i < 60; ++i) subject += "é€";  // 2 + 3 bytes, so a naive cut would land mid-character
  const auto encoded = encode_header_text(subject);
  std::size_t start = 0;
  int words = 0;
  while (start <= encoded.size()) {
    auto end = encoded.find("\r\n ", start);
    if (end == std::string::npos) end = encoded.size();
    const auto word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    ++words;
    start = end + 3;
  }
  EXPECT_GT(words, 1);
  // Unfold as a reader would (drop CRLF, keep the space), then decode.
  std::string unfolded;
  for (std::size_t i = 0; i < encoded.size(); ++i)
    if (encoded.compare(i, 2, "\r\n") == 0) ++i;
    else unfolded += encoded[i];
  EXPECT_EQ(testing::decode_encoded_words(unfolded), subject);
}

TEST(SmtpMessage, AsciiThatLooksLikeAnEncodedWordIsEncoded) {
  const auto encoded = encode_header_text("price =?UTF-8?B?x?= now");
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
}

TEST(SmtpMessage, DotStuffingDoublesLeadingDotsOnly) {
  EXPECT_EQ(dot_stuff(".a\r\nb.c\r\n..\r\n.\r\n"), "..a\r\nb.c\r\n...\r\n..\r\n");
  EXPECT_EQ(dot_stuff("no dots\r\n"), "no dots\r\n");
}

TEST(SmtpMessage, HeadersAreCompleteAndInOrder) {
  const auto composed = compose_message(message(), "no-reply@polysim.invalid", true);
  EXPECT_TRUE(composed.starts_with("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"
                                   "From: polysim <no-reply@polysim.invalid>\r\n"
                                   "To: trader@example.com\r\n"
                                   "Subject: Your sign-in link\r\n"
                                   "Message-ID: <0190c0de-0000-7000-8000-000000000001@polysim>\r\n"
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=utf-8\r\n"
                                   "Content-Transfer-Encoding: 8bit\r\n"
                                   "X-Polysim-Mail-Kind: login_link\r\n"
                                   "\r\n"))
      << composed;
}

TEST(SmtpMessage, LinkFollowsTheTextAfterABlankLine) {
  auto m = message();
  m.text = "Use this link to sign in.\n";
  m.link = "https://app.example.com/login?token=ll_abc";
  EXPECT_EQ(body_of(compose_message(m, "a@b.example", true)),
            "Use this link to sign in.\r\n\r\nhttps://app.example.com/login?token=ll_abc\r\n");
}

TEST(SmtpMessage, LinkAlreadyInTheTextIsNotRepeated) {
  auto m = message();
  m.link = "https://app.example.com/login?token=ll_abc";
  m.text = "Sign in:\n\n" + *m.link + "\n";
  EXPECT_EQ(body_of(compose_message(m, "a@b.example", true)), "Sign in:\r\n\r\n" + *m.link + "\r\n");
}

TEST(SmtpMessage, EveryLineBreakBecomesCrlf) {
  auto m = message();
  m.text = "one\ntwo\rthree\r\nfour";
  EXPECT_EQ(body_of(compose_message(m, "a@b.example", true)), "one\r\ntwo\r\nthree\r\nfour\r\n");
}

TEST(SmtpMessage, NonAsciiBodyGoesAsBase64WhenTheServerLacks8BitMime) {
  auto m = message();
  m.text = "Café";
  const auto composed = compose_message(m, "a@b.example", false);
  EXPECT_NE(composed.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  EXPECT_EQ(body_of(composed), "Q2Fmw6kNCg==\r\n");  // "Café\r\n"
  EXPECT_NE(compose_message(m, "a@b.example", true).find("Content-Transfer-Encoding: 8bit\r\n"), std::string::npos);
}

TEST(SmtpMessage, OverlongLinesGoAsBase64) {
  auto m = message();
  m.text = std::string(1200, 'x');
  const auto composed = compose_message(m, "a@b.example", true);
  EXPECT_NE(composed.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  std::size_t start = 0;
  while (start < composed.size()) {
    const auto end = composed.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    start = end + 2;
  }
}

TEST(SmtpMessage, LineBreaksInHeaderValuesAreRefused) {
  auto bad_recipient = message();
  bad_recipient.recipient = "trader@example.com\r\nBcc: victim@example.com";
  EXPECT_THROW(check_message_is_safe_to_send(bad_recipient), std::runtime_error);
  auto bad_subject = message();
  bad_subject.subject = "Hi\nBcc: victim@example.com";
  EXPECT_THROW(compose_message(bad_subject, "a@b.example", true), std::runtime_error);
  auto bad_kind = message();
  bad_kind.kind = "x\rY: z";
  EXPECT_THROW(check_message_is_safe_to_send(bad_kind), std::runtime_error);
  auto bad_address = message();
  bad_address.recipient = "Trader <trader@example.com>";
  EXPECT_THROW(check_message_is_safe_to_send(bad_address), std::runtime_error);
  EXPECT_NO_THROW(check_message_is_safe_to_send(message()));
}

}  // namespace
}  // namespace polysim::email
