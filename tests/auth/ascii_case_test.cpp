#include "auth/ascii_case.hpp"

#include <gtest/gtest.h>

namespace polysim::auth {
namespace {

TEST(AuthAsciiCaseTest, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lowercase("AbC-XyZ 09 ÄÖ"), "abc-xyz 09 ÄÖ");
  EXPECT_EQ(ascii_uppercase("AbC-xyz 09 äö"), "ABC-XYZ 09 äö");
  EXPECT_EQ(ascii_lowercase(""), "");
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_upper('['), '[');
}

}  // namespace
}  // namespace polysim::auth
