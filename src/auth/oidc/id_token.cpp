#include "auth/oidc/id_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::auth::oidc {

namespace {

std::optional<boost::json::object> json_part(std::string_view b64) {
  auto bytes = base64url_decode(b64);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<std::string> string_claim(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// NumericDate: an integer, or a number with a fraction (some providers send one).
std::optional<std::int64_t> time_claim(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() < static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double() && v->as_double() > 0 && v->as_double() < 1e15) return static_cast<std::int64_t>(v->as_double());
  return std::nullopt;
}

// Some providers send email_verified as the string "true".
bool verified(const boost::json::object& o, bool trust_missing) {
  const auto* v = o.if_contains("email_verified");
  if (!v) return trust_missing;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string()) return v->as_string() == "true";
  return false;
}

}  // namespace

std::string_view describe(IdTokenProblem problem) {
  switch (problem) {
    case IdTokenProblem::None: return "ok";
    case IdTokenProblem::Malformed: return "malformed id_token";
    case IdTokenProblem::UnknownKey: return "id_token signed by an unknown key";
    case IdTokenProblem::BadSignature: return "id_token signature does not verify";
    case IdTokenProblem::WrongIssuer: return "id_token iss is not the issuer";
    case IdTokenProblem::WrongAudience: return "id_token aud/azp is not this client";
    case IdTokenProblem::Expired: return "id_token expired";
    case IdTokenProblem::IssuedInFuture: return "id_token iat is in the future";
    case IdTokenProblem::WrongNonce: return "id_token nonce does not match the flow";
    case IdTokenProblem::NoSubject: return "id_token has no sub";
    case IdTokenProblem::EmailNotVerified: return "id_token has no verified email";
  }
  return "unknown";
}

IdTokenResult verify_id_token(std::string_view token, const IdTokenExpectations& expect, const KeyLookup& keys) {
  IdTokenResult out;
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return out;
  auto header = json_part(token.substr(0, dot1));
  auto claims = json_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return out;
  const auto alg = string_claim(*header, "alg");
  if (!alg || (*alg != "RS256" && *alg != "ES256")) return out;
  const auto kid = string_claim(*header, "kid").value_or("");

  auto key = keys(kid, false);
  if (!key || key->alg() != *alg) key = keys(kid, true);
  if (!key) {
    out.problem = IdTokenProblem::UnknownKey;
    return out;
  }
  const std::string_view sig(reinterpret_cast<const char*>(signature->data()), signature->size());
  if (key->alg() != *alg || !key->verify(token.substr(0, dot2), sig)) {
    out.problem = IdTokenProblem::BadSignature;
    return out;
  }

  if (string_claim(*claims, "iss") != expect.issuer) {
    out.problem = IdTokenProblem::WrongIssuer;
    return out;
  }
  const auto* aud = claims->if_contains("aud");
  bool audience_ok = false;
  if (aud && aud->is_string()) {
    audience_ok = aud->as_string() == expect.client_id;
  } else if (aud && aud->is_array() && !aud->as_array().empty()) {
    for (const auto& a : aud->as_array())
      if (a.is_string() && a.as_string() == expect.client_id) audience_ok = true;
    if (aud->as_array().size() > 1 && string_claim(*claims, "azp") != expect.client_id) audience_ok = false;
  }
  if (const auto azp = string_claim(*claims, "azp"); azp && *azp != expect.client_id) audience_ok = false;
  if (!audience_ok) {
    out.problem = IdTokenProblem::WrongAudience;
    return out;
  }
  const auto exp = time_claim(*claims, "exp");
  const auto iat = time_claim(*claims, "iat");
  if (!exp || !iat) return out;
  if (*exp <= expect.now_s) {
    out.problem = IdTokenProblem::Expired;
    return out;
  }
  if (*iat > expect.now_s + expect.leeway_s) {
    out.problem = IdTokenProblem::IssuedInFuture;
    return out;
  }
  const auto nonce = string_claim(*claims, "nonce");
  if (!nonce || !constant_time_equal(*nonce, expect.nonce)) {
    out.problem = IdTokenProblem::WrongNonce;
    return out;
  }
  const auto sub = string_claim(*claims, "sub");
  if (!sub || sub->empty() || sub->size() > 255) {
    out.problem = IdTokenProblem::NoSubject;
    return out;
  }
  const auto email = string_claim(*claims, "email");
  if (!email || email->empty() || !verified(*claims, expect.trust_email)) {
    out.problem = IdTokenProblem::EmailNotVerified;
    return out;
  }
  out.problem = IdTokenProblem::None;
  out.claims = IdTokenClaims{*sub, *email};
  return out;
}

}  // namespace polysim::auth::oidc
