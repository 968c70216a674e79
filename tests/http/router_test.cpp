#include "http/router.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace polysim::http {
namespace {

using R = Router<int>;

// The partner API's route table, with ints as payloads.
R partner_like_router() {
  R r;
  r.add(Method::Post, "/v1/partner/users", 1);
  r.add(Method::Get, "/v1/partner/users/{user_id}", 2);
  r.add(Method::Post, "/v1/partner/users/{user_id}/login-link", 3);
  r.add(Method::Post, "/v1/partner/accounts", 4);
  r.add(Method::Get, "/v1/partner/accounts", 5);
  r.add(Method::Get, "/v1/partner/accounts/{account_id}", 6);
  r.add(Method::Patch, "/v1/partner/accounts/{account_id}", 7);
  r.add(Method::Post, "/v1/partner/accounts/{account_id}/close", 8);
  r.add(Method::Get, "/v1/partner/accounts/{account_id}/trades", 9);
  return r;
}

TEST(SplitPath, SplitsOnSlashes) {
  EXPECT_EQ(split_path("/a/b/c"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(split_path("/a"), (std::vector<std::string_view>{"a"}));
  EXPECT_EQ(split_path("/a.b-c_d~e/%41"), (std::vector<std::string_view>{"a.b-c_d~e", "%41"}));
}

TEST(SplitPath, EmptySegmentsAndNonAbsolutePathsAreUnroutable) {
  for (std::string_view p : {"", "/", "//", "/a/", "/a//b", "//a", "a/b", "*", "/a/b/", "///"}) {
    EXPECT_TRUE(split_path(p).empty()) << "'" << p << "'";
  }
}

TEST(Router, MatchesLiteralRoutes) {
  const auto r = partner_like_router();
  const auto m = r.match(Method::Post, "/v1/partner/users");
  ASSERT_EQ(m.outcome, R::Outcome::Matched);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->payload, 1);
  EXPECT_EQ(m.route->pattern, "/v1/partner/users");
  EXPECT_TRUE(m.params.items.empty());
  EXPECT_TRUE(m.allow.empty());
}

TEST(Router, SameLiteralPathDispatchesByMethod) {
  const auto r = partner_like_router();
  EXPECT_EQ(r.match(Method::Post, "/v1/partner/accounts").route->payload, 4);
  EXPECT_EQ(r.match(Method::Get, "/v1/partner/accounts").route->payload, 5);
  EXPECT_EQ(r.match(Method::Get, "/v1/partner/accounts/abc").route->payload, 6);
  EXPECT_EQ(r.match(Method::Patch, "/v1/partner/accounts/abc").route->payload, 7);
}

TEST(Router, CapturesParameters) {
  const auto r = partner_like_router();
  const auto m = r.match(Method::Get, "/v1/partner/accounts/3f1c-x/trades");
  ASSERT_EQ(m.outcome, R::Outcome::Matched);
  EXPECT_EQ(m.route->payload, 9);
  EXPECT_EQ(m.params.get("account_id"), "3f1c-x");
  EXPECT_EQ(m.params.get("user_id"), "");
  EXPECT_EQ(m.params.get("missing"), "");

  const auto u = r.match(Method::Post, "/v1/partner/users/42/login-link");
  ASSERT_EQ(u.outcome, R::Outcome::Matched);
  EXPECT_EQ(u.params.get("user_id"), "42");
  ASSERT_EQ(u.params.items.size(), 1u);
  EXPECT_EQ(u.params.items[0].first, "user_id");
}

TEST(Router, ParametersAreRawAndViewThePath) {
  R r;
  r.add(Method::Get, "/a/{x}/b/{y}", 1);
  const std::string path = "/a/%2F%20/b/..";
  const auto m = r.match(Method::Get, path);
  ASSERT_EQ(m.outcome, R::Outcome::Matched);
  // No percent-decoding, no dot-segment handling: handlers validate the raw text.
  EXPECT_EQ(m.params.get("x"), "%2F%20");
  EXPECT_EQ(m.params.get("y"), "..");
  EXPECT_GE(m.params.get("x").data(), path.data());
  EXPECT_LE(m.params.get("x").data() + m.params.get("x").size(), path.data() + path.size());
}

TEST(Router, ParameterMatchesExactlyOneSegment) {
  const auto r = partner_like_router();
  EXPECT_EQ(r.match(Method::Get, "/v1/partner/users/1/2").outcome, R::Outcome::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/v1/partner/accounts/a/b/trades").outcome, R::Outcome::NotFound);
}

TEST(Router, UnknownPathsAre404) {
  const auto r = partner_like_router();
  for (std::string_view p : {"/v1/partner", "/v1/partner/nope", "/v1/partner/accounts/x/unknown", "/v1", "/",
                             "/V1/partner/accounts", "/v1/partner/Accounts", "/v1/partner/accountsx",
                             "/v1/partner/accounts.json"}) {
    const auto m = r.match(Method::Get, p);
    EXPECT_EQ(m.outcome, R::Outcome::NotFound) << p;
    EXPECT_EQ(m.route, nullptr) << p;
    EXPECT_TRUE(m.allow.empty()) << p;
  }
}

TEST(Router, TrailingSlashAndEmptySegmentsAreNotMatched) {
  const auto r = partner_like_router();
  for (std::string_view p : {"/v1/partner/accounts/", "/v1/partner//accounts", "//v1/partner/accounts",
                             "/v1/partner/accounts//", "/v1/partner/users//login-link", "/v1/partner/accounts//trades",
                             "v1/partner/accounts", ""}) {
    for (auto method : {Method::Get, Method::Post, Method::Other}) {
      const auto m = r.match(method, p);
      EXPECT_EQ(m.outcome, R::Outcome::NotFound) << "'" << p << "' " << method_name(method);
      EXPECT_TRUE(m.allow.empty()) << "'" << p << "'";
    }
  }
}

TEST(Router, WrongMethodOnAKnownPathIs405WithAllow) {
  const auto r = partner_like_router();
  const auto del = r.match(Method::Delete, "/v1/partner/accounts");
  EXPECT_EQ(del.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(del.route, nullptr);
  EXPECT_EQ(del.allow, "POST, GET, HEAD");

  const auto put = r.match(Method::Put, "/v1/partner/users");
  EXPECT_EQ(put.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(put.allow, "POST");

  const auto post = r.match(Method::Post, "/v1/partner/accounts/abc");
  EXPECT_EQ(post.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(post.allow, "GET, HEAD, PATCH");

  const auto get = r.match(Method::Get, "/v1/partner/users/1/login-link");
  EXPECT_EQ(get.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(get.allow, "POST");

  for (auto method : {Method::Other, Method::Options}) {
    const auto m = r.match(method, "/v1/partner/accounts/abc/trades");
    EXPECT_EQ(m.outcome, R::Outcome::MethodNotAllowed) << method_name(method);
    EXPECT_EQ(m.allow, "GET, HEAD") << method_name(method);
  }
}

TEST(Router, HeadIsServedByGetRoutesOnly) {
  const auto r = partner_like_router();
  const auto head = r.match(Method::Head, "/v1/partner/accounts");
  ASSERT_EQ(head.outcome, R::Outcome::Matched);
  EXPECT_EQ(head.route->payload, 5);
  EXPECT_EQ(head.route->method, Method::Get);

  const auto param = r.match(Method::Head, "/v1/partner/users/7");
  ASSERT_EQ(param.outcome, R::Outcome::Matched);
  EXPECT_EQ(param.params.get("user_id"), "7");

  // No GET route there: HEAD is not allowed either, and Allow does not offer it.
  const auto post_only = r.match(Method::Head, "/v1/partner/users");
  EXPECT_EQ(post_only.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(post_only.allow, "POST");

  // A GET request never falls back to a HEAD-only route.
  R head_only;
  head_only.add(Method::Head, "/h", 1);
  EXPECT_EQ(head_only.match(Method::Head, "/h").outcome, R::Outcome::Matched);
  const auto get = head_only.match(Method::Get, "/h");
  EXPECT_EQ(get.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(get.allow, "HEAD");
}

TEST(Router, RootRoute) {
  R r;
  r.add(Method::Get, "/", 1);
  EXPECT_EQ(r.match(Method::Get, "/").outcome, R::Outcome::Matched);
  EXPECT_EQ(r.match(Method::Post, "/").outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(r.match(Method::Post, "/").allow, "GET, HEAD");
  EXPECT_EQ(r.match(Method::Get, "//").outcome, R::Outcome::NotFound);
  EXPECT_EQ(r.match(Method::Get, "").outcome, R::Outcome::NotFound);

  // Without a root route, "/" is simply not found.
  EXPECT_EQ(partner_like_router().match(Method::Get, "/").outcome, R::Outcome::NotFound);
}

TEST(Router, FirstRegisteredRouteWins) {
  R r;
  r.add(Method::Get, "/items/{id}", 1);
  r.add(Method::Get, "/items/special", 2);
  EXPECT_EQ(r.match(Method::Get, "/items/special").route->payload, 1);
  EXPECT_EQ(r.match(Method::Get, "/items/special").params.get("id"), "special");

  R literal_first;
  literal_first.add(Method::Get, "/items/special", 2);
  literal_first.add(Method::Get, "/items/{id}", 1);
  EXPECT_EQ(literal_first.match(Method::Get, "/items/special").route->payload, 2);
  EXPECT_EQ(literal_first.match(Method::Get, "/items/other").route->payload, 1);
}

TEST(Router, ParamsOfAFailedCandidateDoNotLeak) {
  R r;
  r.add(Method::Get, "/a/{x}/b", 1);
  r.add(Method::Get, "/a/{y}/c", 2);
  const auto m = r.match(Method::Get, "/a/v/c");
  ASSERT_EQ(m.outcome, R::Outcome::Matched);
  EXPECT_EQ(m.route->payload, 2);
  ASSERT_EQ(m.params.items.size(), 1u);
  EXPECT_EQ(m.params.get("y"), "v");
  EXPECT_EQ(m.params.get("x"), "");
}

// Two patterns can cover the same path (a literal and a parameter); Allow must still name each
// method once (RFC 9110 §10.2.1 lists methods, a repeated entry is noise clients may trip on).
TEST(Router, AllowNamesEachMethodOnce) {
  R r;
  r.add(Method::Get, "/items/{id}", 1);
  r.add(Method::Get, "/items/special", 2);
  r.add(Method::Delete, "/items/special", 3);
  const auto m = r.match(Method::Post, "/items/special");
  ASSERT_EQ(m.outcome, R::Outcome::MethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, DELETE");
}

TEST(Router, HugeAndHostilePathsAreHandled) {
  const auto r = partner_like_router();
  const std::string long_segment = "/v1/partner/users/" + std::string(100000, '9');
  const auto m = r.match(Method::Get, long_segment);
  ASSERT_EQ(m.outcome, R::Outcome::Matched);
  EXPECT_EQ(m.params.get("user_id").size(), 100000u);

  std::string many_segments;
  for (int i = 0; i < 10000; ++i) many_segments += "/s";
  EXPECT_EQ(r.match(Method::Get, many_segments).outcome, R::Outcome::NotFound);

  const std::string with_nul("/v1/partner/users/\0", 19);
  const auto nul = r.match(Method::Get, with_nul);
  ASSERT_EQ(nul.outcome, R::Outcome::Matched);
  EXPECT_EQ(nul.params.get("user_id"), std::string_view("\0", 1));
}

TEST(Router, EmptyRouterFindsNothing) {
  R r;
  EXPECT_EQ(r.match(Method::Get, "/").outcome, R::Outcome::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/a").outcome, R::Outcome::NotFound);
}

}  // namespace
}  // namespace polysim::http
