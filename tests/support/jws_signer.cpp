#include "support/jws_signer.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdexcept>
#include <vector>

#include "core/encoding.hpp"

namespace polysim::testing {

namespace {

std::shared_ptr<void> own(EVP_PKEY* key) {
  if (!key) throw std::runtime_error("key generation failed");
  return std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &bn)) throw std::runtime_error(std::string("no key parameter ") + name);
  const int size = pad > 0 ? pad : BN_num_bytes(bn);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  BN_bn2binpad(bn, bytes.data(), size);
  BN_free(bn);
  return base64url_encode(bytes);
}

}  // namespace

JwsSigner JwsSigner::rs256(std::string kid) {
  return JwsSigner(std::move(kid), "RS256", own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))));
}

JwsSigner JwsSigner::es256(std::string kid) {
  return JwsSigner(std::move(kid), "ES256", own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")));
}

std::string JwsSigner::public_jwk() const {
  auto* key = static_cast<EVP_PKEY*>(key_.get());
  if (alg_ == "RS256")
    return R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")" + kid_ + R"(","n":")" +
           bn_param(key, OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" + bn_param(key, OSSL_PKEY_PARAM_RSA_E) + "\"}";
  return R"({"kty":"EC","use":"sig","alg":"ES256","crv":"P-256","kid":")" + kid_ + R"(","x":")" +
         bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32) + R"(","y":")" + bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32) +
         "\"}";
}

std::string JwsSigner::raw_signature(const std::string& input) const {
  auto* key = static_cast<EVP_PKEY*>(key_.get());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) <= 0 ||
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) <= 0) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("signing failed");
  }
  std::vector<unsigned char> sig(len);
  const int ok =
      EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  if (ok <= 0) throw std::runtime_error("signing failed");
  sig.resize(len);
  if (alg_ == "RS256") return std::string(sig.begin(), sig.end());
  const unsigned char* p = sig.data();
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (!es) throw std::runtime_error("bad ECDSA signature");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

std::string JwsSigner::sign(const std::string& payload_json, bool with_kid) const {
  std::string header = R"({"alg":")" + alg_ + "\"";
  if (with_kid) header += R"(,"kid":")" + kid_ + "\"";
  header += R"(,"typ":"JWT"})";
  const auto input = base64url_encode(header) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(raw_signature(input));
}

}  // namespace polysim::testing
