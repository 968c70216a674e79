// App names and origins as people type them (30-partner-apps.md §1), and the redirect
// parameters of the browser flows (§4.5: RFC 3986 encoding, a space is %20).
#include <gtest/gtest.h>

#include "apps/app_registry.hpp"
#include "apps/app_sign_in.hpp"

namespace polysim::apps {
namespace {

TEST(AppInputCheck, TrimsNamesAndNormalisesAndDeduplicatesOrigins) {
  const auto checked = checked_app_input({"  Paper Desk \n", {"https://Desk.Example.com/", "https://desk.example.com", ""}});
  EXPECT_EQ(checked.name, "Paper Desk");
  ASSERT_EQ(checked.redirect_origins.size(), 1u);
  EXPECT_EQ(checked.redirect_origins[0], "https://desk.example.com");
}

TEST(AppInputCheck, ListsEveryProblemByField) {
  try {
    checked_app_input({"", {"ftp://x.example", "http://not-loopback.example"}});
    FAIL() << "accepted";
  } catch (const AppInputError& e) {
    ASSERT_EQ(e.problems.size(), 3u);
    EXPECT_EQ(e.problems[0].first, "name");
    EXPECT_EQ(e.problems[1].first, "redirectOrigins");
    EXPECT_EQ(e.problems[2].first, "redirectOrigins");
  }
  EXPECT_THROW(checked_app_input({std::string(81, 'x'), {}}), AppInputError);
  EXPECT_THROW(checked_app_input({"tab\there", {}}), AppInputError);
  std::vector<std::string> many;
  for (int i = 0; i < 21; ++i) many.push_back("https://o" + std::to_string(i) + ".example");
  EXPECT_THROW(checked_app_input({"ok", many}), AppInputError);
}

TEST(AppIds, AreAppUnderscoreAnd24LowercaseHex) {
  const auto id = new_app_id();
  EXPECT_TRUE(is_app_id(id)) << id;
  EXPECT_NE(id, new_app_id());
  EXPECT_FALSE(is_app_id("app_0123456789ABCDEF01234567"));
  EXPECT_FALSE(is_app_id("app_0123"));
}

TEST(RedirectParameters, ComeInOrderThenStateEncodedPerRfc3986) {
  EXPECT_EQ(redirect_with("https://a.example/cb", {{"error", "x"}, {"message", "Sign-in was cancelled."}}, "s 1/+"),
            "https://a.example/cb?error=x&message=Sign-in%20was%20cancelled.&state=s%201%2F%2B");
  EXPECT_EQ(redirect_with("https://a.example/cb?k=v", {{"code", "xc_abc"}}, std::nullopt),
            "https://a.example/cb?k=v&code=xc_abc");
}

}  // namespace
}  // namespace polysim::apps
