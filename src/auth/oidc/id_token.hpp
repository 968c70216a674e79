// Checks of an OpenID Connect id_token (OIDC Core §3.1.3.7 as narrowed by 30-partner-apps.md
// §4.5): JWS signature by a provider key whose own algorithm is the token's `alg`, `iss`,
// `aud` (and `azp` when there are several audiences), `exp`, `iat` at most 60 s ahead, `nonce`,
// and an email the provider says is verified.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/oidc/jwk.hpp"

namespace polysim::auth::oidc {

enum class IdTokenProblem {
  None,
  Malformed,
  UnknownKey,
  BadSignature,
  WrongIssuer,
  WrongAudience,
  Expired,
  IssuedInFuture,
  WrongNonce,
  NoSubject,
  EmailNotVerified,  // missing email, or email_verified not true (unless trusted)
};

std::string_view describe(IdTokenProblem problem);

struct IdTokenExpectations {
  std::string issuer;
  std::string client_id;
  std::string nonce;
  std::int64_t now_s = 0;
  bool trust_email = false;
  std::int64_t leeway_s = 60;
};

struct IdTokenClaims {
  std::string subject;
  std::string email;
};

struct IdTokenResult {
  IdTokenProblem problem = IdTokenProblem::Malformed;
  std::optional<IdTokenClaims> claims;  // set when problem is None
};

// The token's header `kid` (possibly empty) → the key, or nullptr when unknown. Called at most
// twice; the registry refetches the JWKS between the calls when it may.
using KeyLookup = std::function<std::optional<Jwk>(const std::string& kid, bool refetch)>;

IdTokenResult verify_id_token(std::string_view token, const IdTokenExpectations& expect, const KeyLookup& keys);

}  // namespace polysim::auth::oidc
