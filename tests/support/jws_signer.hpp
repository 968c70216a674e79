// Signing keys for tests that play an OpenID provider: an RSA-2048 (RS256) or P-256 (ES256)
// key made at construction, its public JWK, and compact JWS signing of JSON payloads.
#pragma once
#include <memory>
#include <string>

namespace polysim::testing {

class JwsSigner {
 public:
  static JwsSigner rs256(std::string kid);
  static JwsSigner es256(std::string kid);

  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }
  // The public key as a JWK object (JSON text) with kid, alg and use.
  std::string public_jwk() const;
  // header.payload.signature; the header names alg and kid (kid omitted when `with_kid` is false).
  std::string sign(const std::string& payload_json, bool with_kid = true) const;
  // A signature over arbitrary bytes, raw JWS form (r ‖ s for ES256).
  std::string raw_signature(const std::string& input) const;

 private:
  JwsSigner(std::string kid, std::string alg, std::shared_ptr<void> key)
      : kid_(std::move(kid)), alg_(std::move(alg)), key_(std::move(key)) {}
  std::string kid_;
  std::string alg_;
  std::shared_ptr<void> key_;  // EVP_PKEY
};

}  // namespace polysim::testing
