// Access tokens: compact HS256 JWTs (RFC 7519) with a fixed claim set. Verification trusts
// nothing in the token before the signature checks out except `alg` and `kid`, and `alg` is
// pinned, so "none" or an algorithm swap can never pick the verification method.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::auth {

struct JwtKey {
  std::string kid;
  std::string secret;
};

struct AccessClaims {
  std::string iss;
  std::string aud;
  std::string sub;
  std::string tid;  // tenant id
  std::string sid;  // session id, for revocation
  std::string jti;
  std::vector<std::string> amr;  // authentication methods (RFC 8176), e.g. "pwd", "otp"
  std::int64_t iat = 0;
  std::int64_t nbf = 0;
  std::int64_t exp = 0;
};

// Header {"alg":"HS256","typ":"JWT","kid":<kid>}; claims compact in the order iss, aud, sub,
// tid, sid, amr, iat, nbf, exp, jti.
std::string sign_access_token(const AccessClaims& claims, const JwtKey& key);

enum class JwtFailure { Malformed, BadAlgorithm, UnknownKey, BadSignature, WrongIssuer, WrongAudience, Expired, NotYetValid };

// Exactly one of the two is set.
struct JwtCheck {
  std::optional<AccessClaims> claims;
  std::optional<JwtFailure> failure;
};

// Checks, in order: shape (three strict base64url parts, JSON objects without duplicate keys),
// alg == "HS256", kid (when present it must name one of `keys` and only that key is tried;
// when absent every key is; no keys at all is UnknownKey too), the signature, claim types (all claims required), iss, aud,
// exp (refused when now > exp + leeway) and nbf (refused when now + leeway < nbf).
// Never throws on any input token.
JwtCheck verify_access_token(std::string_view token, std::span<const JwtKey> keys, std::string_view issuer,
                             std::string_view audience, std::int64_t now_seconds, std::int64_t leeway_seconds = 30);

}  // namespace polysim::auth
