#include "auth/password_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "auth/common_passwords.hpp"

namespace polysim::auth {
namespace {

constexpr std::string_view kEmail = "ada@example.com";

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(PasswordPolicyTest, AcceptsAnOrdinaryPassphrase) {
  EXPECT_EQ(password_problem("violet staircase umbrella", kEmail), std::nullopt);
}

TEST(PasswordPolicyTest, MinimumLengthCountsCodePoints) {
  EXPECT_EQ(password_problem("vxq7-plm9-r2", kEmail), std::nullopt);          // 12
  EXPECT_EQ(password_problem("vxq7-plm9-r", kEmail), "too_short");          // 11
  EXPECT_EQ(password_problem(repeat("é", 11), kEmail), "too_short");        // 22 bytes
  EXPECT_EQ(password_problem(repeat("é", 12), kEmail), std::nullopt);
  EXPECT_EQ(password_problem(repeat("密", 11), kEmail), "too_short");       // 33 bytes
  EXPECT_EQ(password_problem(repeat("🔑", 12), kEmail), std::nullopt);      // 48 bytes
  EXPECT_EQ(password_problem("", kEmail), "too_short");
}

TEST(PasswordPolicyTest, MaximumLengthCountsCodePointsAndBytes) {
  const std::string varied = "violet staircase umbrella ";
  EXPECT_EQ(password_problem(repeat(varied, 5).substr(0, 128), kEmail), std::nullopt);
  EXPECT_EQ(password_problem(repeat(varied, 5).substr(0, 129), kEmail), "too_long");
  EXPECT_EQ(password_problem(repeat("é", 128), kEmail), std::nullopt);
  EXPECT_EQ(password_problem(repeat("é", 129), kEmail), "too_long");
  EXPECT_EQ(password_problem(repeat("🔑", 128), kEmail), std::nullopt);  // exactly 512 bytes
  EXPECT_EQ(password_problem(repeat("🔑", 129), kEmail), "too_long");
}

TEST(PasswordPolicyTest, CommonPasswordsInAnyCase) {
  for (const std::string_view common :
       {"123456789012", "Password1234", "PASSWORD1234", "QwertyUiop123", "1qaz2wsx3edc4rfv", "passwordpassword",
        "iloveyou1234", "ILoveYou2024!", "aaaaaaaaaaaa", "Sunshine12345", "polysim12345"}) {
    EXPECT_EQ(password_problem(common, kEmail), "too_common") << common;
  }
}

TEST(PasswordPolicyTest, ContainsTheEmailLocalPartIgnoringCase) {
  EXPECT_EQ(password_problem("my-ADA-lovelace-pass", kEmail), "contains_email");
  EXPECT_EQ(password_problem("jsmith violet staircase", "jsmith@example.com"), "contains_email");
  EXPECT_EQ(password_problem("violet staircase JSmith", "jsmith@example.com"), "contains_email");
  EXPECT_EQ(password_problem("violet staircase jsmit", "jsmith@example.com"), std::nullopt);
}

TEST(PasswordPolicyTest, ShortLocalPartsAreNotChecked) {
  EXPECT_EQ(password_problem("al violet staircase", "al@example.com"), std::nullopt);
  EXPECT_EQ(password_problem("alx violet staircase", "alx@example.com"), "contains_email");
}

TEST(PasswordPolicyTest, CommonListIsLargeSortedLowercaseAndLongEnough) {
  const auto& list = common_passwords();
  EXPECT_GE(list.size(), 500u);
  EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
  EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
  for (const std::string& entry : list) {
    EXPECT_GE(entry.size(), kMinPasswordCodePoints) << entry;
    EXPECT_EQ(entry.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << entry;
    EXPECT_TRUE(is_common_password(entry)) << entry;
  }
}

TEST(PasswordPolicyTest, CommonCheckIsExactNotSubstring) {
  EXPECT_TRUE(is_common_password("Password1234"));
  EXPECT_FALSE(is_common_password("Password1234 violet"));
  EXPECT_FALSE(is_common_password("password"));  // shorter ones are left to the length rule
}

}  // namespace
}  // namespace polysim::auth
