#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::auth {
namespace {

constexpr std::string_view kIssuer = "https://polysim.test";
constexpr std::string_view kAudience = "trader";
constexpr std::int64_t kNow = 1'700'000'000;

const JwtKey kOldKey{"k0", "old-secret-0123456789abcdef0123456789"};
const JwtKey kNewKey{"k1", "new-secret-0123456789abcdef0123456789"};

AccessClaims sample_claims() {
  AccessClaims claims;
  claims.iss = std::string(kIssuer);
  claims.aud = std::string(kAudience);
  claims.sub = "0b6f2a4e-8c1d-4f7a-9e3b-2d5c6a7b8c9d";
  claims.tid = "tenant-1";
  claims.sid = "session-1";
  claims.jti = "jti-1";
  claims.amr = {"pwd", "otp"};
  claims.iat = kNow;
  claims.nbf = kNow;
  claims.exp = kNow + 900;
  return claims;
}

std::string decoded_text(std::string_view part) {
  const auto bytes = base64url_decode(part);
  return bytes ? std::string(bytes->begin(), bytes->end()) : "<not base64url>";
}

std::vector<std::string_view> split_parts(std::string_view token) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t dot = token.find('.'); dot != std::string_view::npos; dot = token.find('.', start)) {
    parts.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(token.substr(start));
  return parts;
}

// A token with arbitrary header and payload JSON, correctly signed with `secret`.
std::string forge(std::string_view header_json, std::string_view payload_json, std::string_view secret) {
  std::string token = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return token + "." + base64url_encode(hmac_sha256(secret, token));
}

constexpr std::string_view kValidPayload =
    R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],)"
    R"("iat":1700000000,"nbf":1700000000,"exp":1700000900,"jti":"j"})";

JwtCheck verify(std::string_view token, std::int64_t now = kNow, std::int64_t leeway = 30) {
  const std::vector<JwtKey> keys = {kNewKey, kOldKey};
  return verify_access_token(token, keys, kIssuer, kAudience, now, leeway);
}

void expect_failure(const JwtCheck& check, JwtFailure failure) {
  EXPECT_FALSE(check.claims.has_value());
  ASSERT_TRUE(check.failure.has_value());
  EXPECT_EQ(static_cast<int>(*check.failure), static_cast<int>(failure));
}

TEST(JwtTest, RoundTrip) {
  const AccessClaims claims = sample_claims();
  const JwtCheck check = verify(sign_access_token(claims, kNewKey));
  ASSERT_TRUE(check.claims.has_value());
  EXPECT_FALSE(check.failure.has_value());
  EXPECT_EQ(check.claims->iss, claims.iss);
  EXPECT_EQ(check.claims->aud, claims.aud);
  EXPECT_EQ(check.claims->sub, claims.sub);
  EXPECT_EQ(check.claims->tid, claims.tid);
  EXPECT_EQ(check.claims->sid, claims.sid);
  EXPECT_EQ(check.claims->jti, claims.jti);
  EXPECT_EQ(check.claims->amr, claims.amr);
  EXPECT_EQ(check.claims->iat, claims.iat);
  EXPECT_EQ(check.claims->nbf, claims.nbf);
  EXPECT_EQ(check.claims->exp, claims.exp);
}

TEST(JwtTest, ExactHeaderAndClaimOrder) {
  const std::string token = sign_access_token(sample_claims(), kNewKey);
  const auto parts = split_parts(token);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(decoded_text(parts[0]), R"({"alg":"HS256","typ":"JWT","kid":"k1"})");
  EXPECT_EQ(decoded_text(parts[1]),
            R"({"iss":"https://polysim.test","aud":"trader","sub":"0b6f2a4e-8c1d-4f7a-9e3b-2d5c6a7b8c9d",)"
            R"("tid":"tenant-1","sid":"session-1","amr":["pwd","otp"],"iat":1700000000,"nbf":1700000000,)"
            R"("exp":1700000900,"jti":"jti-1"})");
  EXPECT_EQ(parts[2].size(), 43u);  // 32 bytes, unpadded
}

TEST(JwtTest, EscapesClaimText) {
  AccessClaims claims = sample_claims();
  claims.sub = "quote\" backslash\\ newline\n ünïcode";
  claims.amr = {};
  const JwtKey odd_kid{"k\"1", "secret"};
  const std::vector<JwtKey> keys = {odd_kid};
  const JwtCheck check = verify_access_token(sign_access_token(claims, odd_kid), keys, kIssuer, kAudience, kNow);
  ASSERT_TRUE(check.claims.has_value());
  EXPECT_EQ(check.claims->sub, claims.sub);
  EXPECT_TRUE(check.claims->amr.empty());
}

TEST(JwtTest, AlgorithmOtherThanHs256IsRefusedBeforeAnyKey) {
  const std::vector<JwtKey> no_keys;
  for (const std::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT","kid":"k1"})",
        R"({"alg":"RS256","typ":"JWT","kid":"k1"})", R"({"typ":"JWT","kid":"k1"})", R"({"alg":"hs256","kid":"k1"})",
        R"({"alg":["HS256"],"kid":"k1"})", R"({"alg":null,"kid":"k1"})", R"({"alg":"HS256 ","kid":"k1"})"}) {
    expect_failure(verify(forge(header, kValidPayload, kNewKey.secret)), JwtFailure::BadAlgorithm);
    expect_failure(verify_access_token(forge(header, kValidPayload, kNewKey.secret), no_keys, kIssuer, kAudience, kNow),
                   JwtFailure::BadAlgorithm);
  }
}

TEST(JwtTest, UnsignedNoneTokenIsRefused) {
  const std::string token = base64url_encode(std::string_view(R"({"alg":"none"})")) + "." +
                            base64url_encode(kValidPayload) + ".";
  expect_failure(verify(token), JwtFailure::BadAlgorithm);
}

TEST(JwtTest, TamperedPayloadIsRefused) {
  const std::string genuine = sign_access_token(sample_claims(), kNewKey);
  AccessClaims elevated = sample_claims();
  elevated.sub = "someone-else";
  const std::string other = sign_access_token(elevated, kNewKey);
  const auto parts = split_parts(genuine);
  const std::string token = std::string(parts[0]) + "." + std::string(split_parts(other)[1]) + "." +
                            std::string(parts[2]);
  expect_failure(verify(token), JwtFailure::BadSignature);
}

TEST(JwtTest, TamperedSignatureIsRefused) {
  std::string token = sign_access_token(sample_claims(), kNewKey);
  const std::size_t first_signature_char = token.rfind('.') + 1;
  token[first_signature_char] = token[first_signature_char] == 'A' ? 'B' : 'A';
  expect_failure(verify(token), JwtFailure::BadSignature);

  const std::string good = sign_access_token(sample_claims(), kNewKey);
  expect_failure(verify(good.substr(0, good.rfind('.') + 1)), JwtFailure::BadSignature);
  expect_failure(verify(good.substr(0, good.size() - 3)), JwtFailure::BadSignature);  // 30 bytes
}

TEST(JwtTest, SignatureWithTheWrongSecretIsRefused) {
  const JwtKey impostor{"k1", "not-the-real-secret"};
  expect_failure(verify(sign_access_token(sample_claims(), impostor)), JwtFailure::BadSignature);
}

TEST(JwtTest, UnknownKidIsRefused) {
  const JwtKey retired{"k-retired", kNewKey.secret};
  expect_failure(verify(sign_access_token(sample_claims(), retired)), JwtFailure::UnknownKey);
  const std::vector<JwtKey> no_keys;
  expect_failure(verify_access_token(sign_access_token(sample_claims(), kNewKey), no_keys, kIssuer, kAudience, kNow),
                 JwtFailure::UnknownKey);
}

TEST(JwtTest, KidNamesTheOnlyKeyTried) {
  // Signed with k0's secret but labelled k1: the right secret is in the set, yet not under k1.
  const JwtKey mislabelled{"k1", kOldKey.secret};
  expect_failure(verify(sign_access_token(sample_claims(), mislabelled)), JwtFailure::BadSignature);
}

TEST(JwtTest, NonStringKidIsMalformed) {
  expect_failure(verify(forge(R"({"alg":"HS256","kid":1})", kValidPayload, kNewKey.secret)), JwtFailure::Malformed);
}

TEST(JwtTest, WithoutKidEveryKeyIsTried) {
  EXPECT_TRUE(verify(forge(R"({"alg":"HS256","typ":"JWT"})", kValidPayload, kOldKey.secret)).claims.has_value());
  EXPECT_TRUE(verify(forge(R"({"alg":"HS256"})", kValidPayload, kNewKey.secret)).claims.has_value());
  expect_failure(verify(forge(R"({"alg":"HS256"})", kValidPayload, "other")), JwtFailure::BadSignature);
}

TEST(JwtTest, KeyRotationKeepsOldTokensValid) {
  const std::string old_token = sign_access_token(sample_claims(), kOldKey);
  const std::vector<JwtKey> rotated = {kNewKey, kOldKey};
  EXPECT_TRUE(verify_access_token(old_token, rotated, kIssuer, kAudience, kNow).claims.has_value());
  const std::vector<JwtKey> old_dropped = {kNewKey};
  expect_failure(verify_access_token(old_token, old_dropped, kIssuer, kAudience, kNow), JwtFailure::UnknownKey);
}

TEST(JwtTest, WrongIssuerOrAudienceIsRefused) {
  AccessClaims claims = sample_claims();
  claims.iss = "https://evil.test";
  expect_failure(verify(sign_access_token(claims, kNewKey)), JwtFailure::WrongIssuer);
  claims = sample_claims();
  claims.aud = "partner";
  expect_failure(verify(sign_access_token(claims, kNewKey)), JwtFailure::WrongAudience);
  claims.aud = "Trader";
  expect_failure(verify(sign_access_token(claims, kNewKey)), JwtFailure::WrongAudience);
}

TEST(JwtTest, ExpiryHonoursLeewayToTheSecond) {
  const std::string token = sign_access_token(sample_claims(), kNewKey);  // exp = kNow + 900
  EXPECT_TRUE(verify(token, kNow + 900).claims.has_value());
  EXPECT_TRUE(verify(token, kNow + 930).claims.has_value());
  expect_failure(verify(token, kNow + 931), JwtFailure::Expired);
  EXPECT_TRUE(verify(token, kNow + 900, 0).claims.has_value());
  expect_failure(verify(token, kNow + 901, 0), JwtFailure::Expired);
}

TEST(JwtTest, NotBeforeHonoursLeewayToTheSecond) {
  AccessClaims claims = sample_claims();
  claims.nbf = kNow + 100;
  const std::string token = sign_access_token(claims, kNewKey);
  EXPECT_TRUE(verify(token, kNow + 70).claims.has_value());
  expect_failure(verify(token, kNow + 69), JwtFailure::NotYetValid);
  EXPECT_TRUE(verify(token, kNow + 100, 0).claims.has_value());
  expect_failure(verify(token, kNow + 99, 0), JwtFailure::NotYetValid);
}

TEST(JwtTest, ExtremeTimesDoNotWrapAround) {
  AccessClaims claims = sample_claims();
  claims.exp = std::numeric_limits<std::int64_t>::max();
  EXPECT_TRUE(verify(sign_access_token(claims, kNewKey), std::numeric_limits<std::int64_t>::max()).claims.has_value());
  claims.exp = std::numeric_limits<std::int64_t>::min();
  expect_failure(verify(sign_access_token(claims, kNewKey)), JwtFailure::Expired);
  claims = sample_claims();
  claims.nbf = std::numeric_limits<std::int64_t>::max();
  expect_failure(verify(sign_access_token(claims, kNewKey)), JwtFailure::NotYetValid);
}

TEST(JwtTest, ClaimsOfTheWrongTypeAreMalformed) {
  const std::string_view payloads[] = {
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":"1700000000","nbf":1700000000,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1700000000,"exp":1700000900.0,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1e3,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":["trader"],"sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1700000000,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd",1],"iat":1700000000,"nbf":1700000000,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":"pwd","iat":1700000000,"nbf":1700000000,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":null,"tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1700000000,"exp":1700000900,"jti":"j"})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1700000000,"exp":1700000900})",
      R"({"iss":"https://polysim.test","aud":"trader","sub":"u","tid":"t","sid":"s","amr":["pwd"],"iat":1700000000,"nbf":1700000000,"exp":99999999999999999999,"jti":"j"})",
      R"(["not","an","object"])",
  };
  for (const std::string_view payload : payloads) {
    expect_failure(verify(forge(R"({"alg":"HS256","kid":"k1"})", payload, kNewKey.secret)), JwtFailure::Malformed);
  }
  EXPECT_TRUE(verify(forge(R"({"alg":"HS256","kid":"k1"})", kValidPayload, kNewKey.secret)).claims.has_value());
}

TEST(JwtTest, DuplicateKeysAreMalformed) {
  const std::string payload =
      R"({"sub":"admin",)" + std::string(kValidPayload.substr(1));
  expect_failure(verify(forge(R"({"alg":"HS256","kid":"k1"})", payload, kNewKey.secret)), JwtFailure::Malformed);
  expect_failure(verify(forge(R"({"alg":"none","alg":"HS256","kid":"k1"})", kValidPayload, kNewKey.secret)),
                 JwtFailure::Malformed);
}

TEST(JwtTest, GarbageNeverThrowsAndIsMalformed) {
  const std::string good = sign_access_token(sample_claims(), kNewKey);
  const auto parts = split_parts(good);
  const std::string garbage[] = {
      "",
      ".",
      "..",
      "...",
      "abc",
      std::string(parts[0]) + "." + std::string(parts[1]),
      good + ".",
      good + "." + std::string(parts[2]),
      "!!!.@@@.###",
      std::string(parts[0]) + "=." + std::string(parts[1]) + "." + std::string(parts[2]),
      std::string(parts[0]) + ".eyJ." + std::string(parts[2]),
      std::string(parts[0]) + "." + std::string(parts[1]) + ".a",
      base64url_encode(std::string_view("not json")) + "." + std::string(parts[1]) + "." + std::string(parts[2]),
      base64url_encode(std::string_view("\"HS256\"")) + "." + std::string(parts[1]) + "." + std::string(parts[2]),
      std::string(100'000, 'a') + "." + std::string(parts[1]) + "." + std::string(parts[2]),
      std::string("\0.\0.\0", 5),
  };
  for (const std::string& token : garbage) {
    JwtCheck check;
    EXPECT_NO_THROW(check = verify(token)) << token.substr(0, 80);
    expect_failure(check, JwtFailure::Malformed);
  }
}

}  // namespace
}  // namespace polysim::auth
