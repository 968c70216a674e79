#include "auth/oidc/jwk.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/encoding.hpp"

namespace polysim::auth::oidc {

namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

std::shared_ptr<void> own(EVP_PKEY* key) {
  return std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
}

std::optional<std::vector<std::uint8_t>> b64(const boost::json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  const auto& s = it->value().as_string();
  return base64url_decode(std::string_view(s.data(), s.size()));
}

std::string text(const boost::json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) return nullptr;
  return key;
}

EVP_PKEY* rsa_key(const std::vector<std::uint8_t>& n, const std::vector<std::uint8_t>& e) {
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld) return nullptr;
  if (!OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    return nullptr;
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return from_params("RSA", params.get());
}

EVP_PKEY* p256_key(const std::vector<std::uint8_t>& x, const std::vector<std::uint8_t>& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::vector<std::uint8_t> point{0x04};
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
    return nullptr;
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  // fromdata checks that the point lies on the curve.
  return from_params("EC", params.get());
}

// JWS carries ES256 as r ‖ s; OpenSSL verifies the DER form.
std::optional<std::vector<std::uint8_t>> es256_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

}  // namespace

bool Jwk::verify(std::string_view signing_input, std::string_view signature) const {
  auto* key = static_cast<EVP_PKEY*>(key_.get());
  std::vector<std::uint8_t> der;
  std::string_view sig = signature;
  if (alg_ == "ES256") {
    auto converted = es256_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    sig = std::string_view(reinterpret_cast<const char*>(der.data()), der.size());
  } else if (alg_ != "RS256") {
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) <= 0) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

std::optional<std::vector<Jwk>> parse_jwks(std::string_view json_text) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(json_text, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const auto* keys = doc.as_object().if_contains("keys");
  if (!keys || !keys->is_array()) return std::nullopt;
  std::vector<Jwk> out;
  for (const auto& item : keys->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto use = text(o, "use");
    if (!use.empty() && use != "sig") continue;
    const auto kty = text(o, "kty");
    const auto alg = text(o, "alg");
    const auto kid = text(o, "kid");
    EVP_PKEY* key = nullptr;
    std::string pinned;
    if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
      auto n = b64(o, "n");
      auto e = b64(o, "e");
      // Leading zero octets do not count towards the modulus size.
      if (!n || !e) continue;
      std::size_t first = 0;
      while (first < n->size() && (*n)[first] == 0) ++first;
      if ((n->size() - first) * 8 < 2048) continue;
      key = rsa_key(*n, *e);
      pinned = "RS256";
    } else if (kty == "EC" && text(o, "crv") == "P-256" && (alg.empty() || alg == "ES256")) {
      auto x = b64(o, "x");
      auto y = b64(o, "y");
      if (!x || !y) continue;
      key = p256_key(*x, *y);
      pinned = "ES256";
    }
    if (key) out.emplace_back(kid, pinned, own(key));
  }
  return out;
}

}  // namespace polysim::auth::oidc
