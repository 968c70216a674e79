// id_token checks (30-partner-apps.md §4.5 step 3) with RS256 and ES256 keys made per test.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/oidc/id_token.hpp"
#include "auth/oidc/jwk.hpp"
#include "support/jws_signer.hpp"

namespace polysim::auth::oidc {
namespace {

using testing::JwsSigner;

constexpr std::int64_t kNow = 1'700'000'000;

boost::json::object good_claims() {
  return {{"iss", "https://idp.test"}, {"sub", "user-1"},      {"aud", "client"},
          {"iat", kNow},               {"exp", kNow + 600},    {"nonce", "n-1"},
          {"email", "a@example.com"},  {"email_verified", true}};
}

IdTokenExpectations expectations() {
  IdTokenExpectations e;
  e.issuer = "https://idp.test";
  e.client_id = "client";
  e.nonce = "n-1";
  e.now_s = kNow;
  return e;
}

KeyLookup keys_of(const JwsSigner& signer) {
  auto jwks = parse_jwks(R"({"keys":[)" + signer.public_jwk() + "]}");
  EXPECT_TRUE(jwks && jwks->size() == 1u);
  auto keys = *jwks;
  return [keys](const std::string& kid, bool) -> std::optional<Jwk> {
    for (const auto& k : keys)
      if (k.kid() == kid || (kid.empty() && keys.size() == 1)) return k;
    return std::nullopt;
  };
}

IdTokenProblem check(const JwsSigner& signer, const boost::json::object& claims,
                     IdTokenExpectations e = expectations()) {
  return verify_id_token(signer.sign(boost::json::serialize(claims)), e, keys_of(signer)).problem;
}

TEST(OidcIdToken, AcceptsGoodRs256AndEs256Tokens) {
  for (auto signer : {JwsSigner::rs256("r1"), JwsSigner::es256("e1")}) {
    auto result = verify_id_token(signer.sign(boost::json::serialize(good_claims())), expectations(), keys_of(signer));
    ASSERT_EQ(result.problem, IdTokenProblem::None) << signer.alg();
    EXPECT_EQ(result.claims->subject, "user-1");
    EXPECT_EQ(result.claims->email, "a@example.com");
  }
}

TEST(OidcIdToken, RefusesEachBadClaim) {
  const auto signer = JwsSigner::rs256("r1");
  auto with = [](const char* key, boost::json::value v) {
    auto c = good_claims();
    c[key] = std::move(v);
    return c;
  };
  EXPECT_EQ(check(signer, with("iss", "https://other.test")), IdTokenProblem::WrongIssuer);
  EXPECT_EQ(check(signer, with("aud", "other")), IdTokenProblem::WrongAudience);
  EXPECT_EQ(check(signer, with("aud", boost::json::array{"client", "other"})), IdTokenProblem::WrongAudience)
      << "several audiences need azp";
  auto multi = with("aud", boost::json::array{"client", "other"});
  multi["azp"] = "client";
  EXPECT_EQ(check(signer, multi), IdTokenProblem::None);
  EXPECT_EQ(check(signer, with("exp", kNow)), IdTokenProblem::Expired);
  EXPECT_EQ(check(signer, with("iat", kNow + 61)), IdTokenProblem::IssuedInFuture);
  EXPECT_EQ(check(signer, with("iat", kNow + 60)), IdTokenProblem::None);
  EXPECT_EQ(check(signer, with("nonce", "n-2")), IdTokenProblem::WrongNonce);
  EXPECT_EQ(check(signer, with("email_verified", false)), IdTokenProblem::EmailNotVerified);
  auto no_flag = good_claims();
  no_flag.erase("email_verified");
  EXPECT_EQ(check(signer, no_flag), IdTokenProblem::EmailNotVerified);
  auto trusting = expectations();
  trusting.trust_email = true;
  EXPECT_EQ(check(signer, no_flag, trusting), IdTokenProblem::None);
  EXPECT_EQ(check(signer, with("email_verified", false), trusting), IdTokenProblem::EmailNotVerified);
  auto no_email = good_claims();
  no_email.erase("email");
  EXPECT_EQ(check(signer, no_email), IdTokenProblem::EmailNotVerified);
}

TEST(OidcIdToken, RefusesForeignKeysTamperingAndAlgorithmSwitches) {
  const auto signer = JwsSigner::rs256("r1");
  const auto other = JwsSigner::rs256("r1");  // same kid, another key
  const auto token = other.sign(boost::json::serialize(good_claims()));
  EXPECT_EQ(verify_id_token(token, expectations(), keys_of(signer)).problem, IdTokenProblem::BadSignature);

  auto good = signer.sign(boost::json::serialize(good_claims()));
  auto tampered = good;
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_NE(verify_id_token(tampered, expectations(), keys_of(signer)).problem, IdTokenProblem::None);
  EXPECT_EQ(verify_id_token(good.substr(0, good.rfind('.') + 1), expectations(), keys_of(signer)).problem,
            IdTokenProblem::BadSignature);

  // An ES256 token whose kid names the RSA key: the key's own algorithm wins.
  const auto ec = JwsSigner::es256("r1");
  EXPECT_EQ(verify_id_token(ec.sign(boost::json::serialize(good_claims())), expectations(), keys_of(signer)).problem,
            IdTokenProblem::BadSignature);
  EXPECT_EQ(verify_id_token(JwsSigner::rs256("r9").sign(boost::json::serialize(good_claims())), expectations(),
                            keys_of(signer))
                .problem,
            IdTokenProblem::UnknownKey);
  EXPECT_EQ(verify_id_token("eyJhbGciOiJub25lIn0.e30.", expectations(), keys_of(signer)).problem,
            IdTokenProblem::Malformed)
      << "alg none";
  EXPECT_EQ(verify_id_token("not a token", expectations(), keys_of(signer)).problem, IdTokenProblem::Malformed);
}

TEST(OidcJwks, SkipsKeysItCannotUse) {
  auto keys = parse_jwks(R"({"keys":[{"kty":"oct","k":"AAAA"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},)"
                         R"({"kty":"RSA","n":"AQAB","e":"AQAB"}]})");
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty()) << "symmetric, encryption and short RSA keys are skipped";
  EXPECT_FALSE(parse_jwks("[]"));
  EXPECT_FALSE(parse_jwks("{}"));
}

}  // namespace
}  // namespace polysim::auth::oidc
