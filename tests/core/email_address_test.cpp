#include "core/email_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace polysim {
namespace {

TEST(EmailAddress, AcceptsAndNormalizes) {
  const std::pair<std::string, std::string> cases[] = {
      {" Trader@Example.COM ", "trader@example.com"},
      {"\t\r\nuser@example.com\n", "user@example.com"},
      {"a@b.co", "a@b.co"},
      {"first.last+tag@sub.example.org", "first.last+tag@sub.example.org"},
      {"o'brien@example.ie", "o'brien@example.ie"},
      {"x!#$%&*/=?^_`{|}~-@example.com", "x!#$%&*/=?^_`{|}~-@example.com"},
      {"user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
      {"user@123.example", "user@123.example"},
      {"user@a-b.c-d", "user@a-b.c-d"},
  };
  for (const auto& [raw, expected] : cases) {
    EXPECT_EQ(normalize_email(raw), expected) << raw;
  }
}

TEST(EmailAddress, RejectsMalformed) {
  const std::string rejected[] = {
      "",
      "   ",
      "a@b",       // one label
      "a@-b.com",  // label starts with '-'
      "a@b-.com",  // label ends with '-'
      "a@b..com",  // empty label
      "a@.b.com",
      "a@b.com.",
      "@example.com",  // empty local part
      "user@",
      "user",
      "a@b@example.com",  // two '@'
      "us er@example.com",
      "user@exa mple.com",
      "\"quoted\"@example.com",
      "a(b)@example.com",
      "a,b@example.com",
      "a:b@example.com",
      "a;b@example.com",
      "<a>@example.com",
      "[a]@example.com",
      "a\\b@example.com",
      "a@exam_ple.com",  // underscore in a domain label
      "a@[127.0.0.1]",
      "\xC3\xA9@x.com",  // é
      std::string("user@b\xC3\xBC") + "cher.example",
      "us\ter@example.com",  // inner whitespace is not trimmed
      "user@example.com\x7f",
      std::string("user\0@example.com", 17),
  };
  for (const auto& raw : rejected) {
    EXPECT_EQ(normalize_email(raw), std::nullopt) << raw;
  }
}

TEST(EmailAddress, LengthLimits) {
  const std::string local_64(64, 'a');
  EXPECT_EQ(normalize_email(local_64 + "@example.com"), local_64 + "@example.com");
  EXPECT_EQ(normalize_email(std::string(65, 'a') + "@example.com"), std::nullopt);

  const std::string label_63(63, 'd');
  EXPECT_TRUE(normalize_email("a@" + label_63 + ".com").has_value());
  EXPECT_EQ(normalize_email("a@" + std::string(64, 'd') + ".com"), std::nullopt);

  // 64 + 1 + 189 = 254 characters is the longest accepted address.
  const std::string domain = std::string(62, 'x') + "." + std::string(62, 'y') + "." + std::string(61, 'z') + ".m";
  ASSERT_EQ(domain.size(), 189u);
  const std::string longest = local_64 + "@" + domain;
  ASSERT_EQ(longest.size(), 254u);
  EXPECT_EQ(normalize_email(longest), longest);
  EXPECT_EQ(normalize_email(local_64 + "@x" + domain), std::nullopt);

  // Surrounding whitespace does not count towards the limit.
  EXPECT_EQ(normalize_email("  " + longest + "  "), longest);
  EXPECT_EQ(normalize_email("a@"), std::nullopt);
}

}  // namespace
}  // namespace polysim
