// Public keys of an OpenID provider's JWKS (RFC 7517) and JWS signature checks (RFC 7515/7518)
// for the two algorithms id_tokens are accepted with: RS256 and ES256. Backed by OpenSSL 3.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::auth::oidc {

class Jwk {
 public:
  Jwk(std::string kid, std::string alg, std::shared_ptr<void> key) : kid_(std::move(kid)), alg_(std::move(alg)), key_(std::move(key)) {}
  const std::string& kid() const { return kid_; }
  // RS256 or ES256: the one algorithm this key verifies, pinned so that a token cannot pick
  // a weaker reading of the same key.
  const std::string& alg() const { return alg_; }
  // `signature` is the raw JWS signature (for ES256 the 64-byte r ‖ s).
  bool verify(std::string_view signing_input, std::string_view signature) const;

 private:
  std::string kid_;
  std::string alg_;
  std::shared_ptr<void> key_;  // EVP_PKEY, freed by its deleter
};

// The usable keys of a JWKS document: RSA (≥ 2048 bits) and EC P-256 signing keys; others
// (encryption keys, other curves and algorithms) are skipped. nullopt when the document is not
// a JWKS at all.
std::optional<std::vector<Jwk>> parse_jwks(std::string_view json_text);

}  // namespace polysim::auth::oidc
