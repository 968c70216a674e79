#include "email/smtp_settings.hpp"

#include <gtest/gtest.h>

namespace polysim::email {
namespace {

SmtpSettings parse_ok(std::string_view url) {
  std::string error;
  const auto settings = SmtpSettings::parse(url, &error);
  EXPECT_TRUE(settings) << url << ": " << error;
  return settings.value_or(SmtpSettings{});
}

std::string parse_error(std::string_view url) {
  std::string error;
  const auto settings = SmtpSettings::parse(url, &error);
  EXPECT_FALSE(settings) << url << " was accepted";
  EXPECT_FALSE(error.empty()) << url;
  return error;
}

TEST(SmtpSettings, ParsesHostPortAndPercentDecodedCredentials) {
  const auto s = parse_ok("smtp://mailer%40corp:p%3Ass%2Fw%25rd@relay.example.com:2525");
  EXPECT_EQ(s.host, "relay.example.com");
  EXPECT_EQ(s.port, 2525);
  EXPECT_EQ(s.username, "mailer@corp");
  EXPECT_EQ(s.password, "p:ss/w%rd");
  EXPECT_TRUE(s.has_credentials());
}

TEST(SmtpSettings, DefaultsToPort25WithoutCredentials) {
  const auto s = parse_ok("smtp://localhost");
  EXPECT_EQ(s.host, "localhost");
  EXPECT_EQ(s.port, 25);
  EXPECT_FALSE(s.has_credentials());
  EXPECT_EQ(parse_ok("SMTP://relay.internal/").host, "relay.internal");
}

TEST(SmtpSettings, AcceptsIpAddressesAndUserWithoutPassword) {
  const auto v6 = parse_ok("smtp://[::1]:587");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 587);
  EXPECT_EQ(parse_ok("smtp://10.0.0.7:1025").host, "10.0.0.7");
  const auto user_only = parse_ok("smtp://apikey@smtp.example.com");
  EXPECT_EQ(user_only.username, "apikey");
  EXPECT_EQ(user_only.password, "");
}

TEST(SmtpSettings, RejectsSmtpsAndSaysTlsIsNotSupportedYet) {
  const auto error = parse_error("smtps://user:pw@relay.example.com:465");
  EXPECT_NE(error.find("smtps://"), std::string::npos) << error;
  EXPECT_NE(error.find("STARTTLS"), std::string::npos) << error;
  EXPECT_NE(error.find("not supported"), std::string::npos) << error;
}

TEST(SmtpSettings, RejectsOtherSchemes) {
  EXPECT_NE(parse_error("http://relay.example.com").find("smtp://"), std::string::npos);
  EXPECT_NE(parse_error("relay.example.com:25").find("smtp://"), std::string::npos);
  EXPECT_NE(parse_error("").find("smtp://"), std::string::npos);
}

TEST(SmtpSettings, RejectsBadPorts) {
  for (const char* url : {"smtp://relay:0", "smtp://relay:65536", "smtp://relay:abc", "smtp://relay:",
                          "smtp://relay:-1", "smtp://relay:25x", "smtp://relay:000025", "smtp://[::1]:"}) {
    EXPECT_NE(parse_error(url).find("port"), std::string::npos) << url;
  }
}

TEST(SmtpSettings, RejectsBadHostsPathsAndEncodings) {
  for (const char* url : {"smtp://", "smtp://user:pw@", "smtp://relay/path", "smtp://relay?x=1", "smtp://relay#x",
                          "smtp://re lay", "smtp://[::1", "smtp://[]:25", "smtp://::1", "smtp://%zz@relay",
                          "smtp://user:%4@relay", "smtp://user:a%00b@relay", "smtp://@relay", "smtp://relay]:25"}) {
    parse_error(url);
  }
}

TEST(SmtpSettings, ErrorsNeverRepeatThePassword) {
  for (const char* url :
       {"smtp://user:hunter2@relay:99999", "smtp://user:hunter2@relay/x", "smtps://u:hunter2@relay"}) {
    EXPECT_EQ(parse_error(url).find("hunter2"), std::string::npos) << url;
  }
}

TEST(SmtpSettings, ErrorOutputIsOptional) { EXPECT_FALSE(SmtpSettings::parse("ftp://x", nullptr)); }

}  // namespace
}  // namespace polysim::email
