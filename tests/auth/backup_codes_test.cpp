#include "auth/backup_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace polysim::auth {
namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

bool has_backup_code_shape(const std::string& code) {
  if (code.size() != 11 || code[5] != '-') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i != 5 && kAlphabet.find(code[i]) == std::string_view::npos) return false;
  }
  return true;
}

TEST(BackupCodeTest, TenCodesOfTheRightShapeByDefault) {
  const auto codes = generate_backup_codes();
  ASSERT_EQ(codes.size(), 10u);
  for (const std::string& code : codes) EXPECT_TRUE(has_backup_code_shape(code)) << code;
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), codes.size());
}

TEST(BackupCodeTest, CountIsHonoured) {
  EXPECT_TRUE(generate_backup_codes(0).empty());
  EXPECT_EQ(generate_backup_codes(1).size(), 1u);
  EXPECT_EQ(generate_backup_codes(25).size(), 25u);
  EXPECT_THROW(generate_backup_codes(-1), std::invalid_argument);
}

TEST(BackupCodeTest, EveryCharacterOfTheAlphabetTurnsUpInEveryPosition) {
  std::set<char> seen[10];
  for (const std::string& code : generate_backup_codes(2000)) {
    const std::string normalized = *normalize_backup_code(code);
    for (std::size_t i = 0; i < normalized.size(); ++i) seen[i].insert(normalized[i]);
  }
  for (const auto& position : seen) EXPECT_EQ(position.size(), kAlphabet.size());
}

TEST(BackupCodeTest, NormalizationDropsDashesAndSpacesAndLowersCase) {
  EXPECT_EQ(normalize_backup_code("abcde-fgh23"), "abcdefgh23");
  EXPECT_EQ(normalize_backup_code("ABCDE-FGH23"), "abcdefgh23");
  EXPECT_EQ(normalize_backup_code("  abcde fgh23 "), "abcdefgh23");
  EXPECT_EQ(normalize_backup_code("ab-cd-ef-gh-23"), "abcdefgh23");
  EXPECT_EQ(normalize_backup_code("abcdefgh23"), "abcdefgh23");
  for (const std::string& code : generate_backup_codes()) {
    const auto normalized = normalize_backup_code(code);
    ASSERT_TRUE(normalized.has_value()) << code;
    EXPECT_EQ(*normalized, code.substr(0, 5) + code.substr(6));
  }
}

TEST(BackupCodeTest, NormalizationRefusesOtherInput) {
  for (const std::string_view bad : {"", "-----", "abcde-fgh2", "abcde-fgh234", "abcde-fgh21", "abcde-fgh28",
                                     "abcde-fgh20", "abcde_fgh23", "abcde\tfgh23", "abcdé-fgh2", "abcde.fgh23"}) {
    EXPECT_EQ(normalize_backup_code(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(normalize_backup_code(std::string(10'000, 'a')), std::nullopt);
}

}  // namespace
}  // namespace polysim::auth
