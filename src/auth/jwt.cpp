#include "auth/jwt.hpp"

#include <limits>
#include <utility>
#include <variant>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"

namespace polysim::auth {

namespace {

constexpr std::string_view kAlgorithm = "HS256";
// Far above any token we issue; bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenLength = 8192;

struct TokenParts {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // "<header>.<payload>", what the MAC covers
};

struct DecodedToken {
  JsonValue header;
  JsonValue payload;
  std::vector<std::uint8_t> signature;
};

std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::optional<TokenParts> split_token(std::string_view token) {
  if (token.size() > kMaxTokenLength) return std::nullopt;
  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return TokenParts{token.substr(0, first_dot), token.substr(first_dot + 1, second_dot - first_dot - 1),
                    token.substr(second_dot + 1), token.substr(0, second_dot)};
}

std::optional<JsonValue> decode_json_object(std::string_view part_b64) {
  const auto bytes = base64url_decode(part_b64);
  if (!bytes) return std::nullopt;
  auto parsed = parse_json(as_chars(*bytes));
  auto* value = std::get_if<JsonValue>(&parsed);
  if (value == nullptr || !value->is_object()) return std::nullopt;
  return std::move(*value);
}

std::optional<DecodedToken> decode_token(const TokenParts& parts) {
  auto header = decode_json_object(parts.header_b64);
  auto payload = decode_json_object(parts.payload_b64);
  auto signature = base64url_decode(parts.signature_b64);
  if (!header || !payload || !signature) return std::nullopt;
  return DecodedToken{std::move(*header), std::move(*payload), std::move(*signature)};
}

// Where kid is absent every key is a candidate; an unknown kid, or no keys at all, leaves none.
std::optional<std::vector<const JwtKey*>> candidate_keys(const JsonValue& header, std::span<const JwtKey> keys) {
  std::vector<const JwtKey*> candidates;
  const JsonValue* kid = header.find("kid");
  for (const JwtKey& key : keys) {
    if (kid == nullptr || key.kid == kid->as_string()) candidates.push_back(&key);
  }
  if (candidates.empty()) return std::nullopt;
  return candidates;
}

bool signature_matches(std::span<const JwtKey* const> candidates, std::string_view signing_input,
                       std::span<const std::uint8_t> signature) {
  bool matched = false;
  for (const JwtKey* key : candidates) {
    // Every candidate is tried, so the time taken does not reveal which key signed.
    matched |= constant_time_equal(as_chars(hmac_sha256(key->secret, signing_input)), as_chars(signature));
  }
  return matched;
}

bool read_string(const JsonValue& object, std::string_view name, std::string& out) {
  const JsonValue* value = object.find(name);
  if (value == nullptr || !value->is_string()) return false;
  out = value->as_string();
  return true;
}

bool read_integer(const JsonValue& object, std::string_view name, std::int64_t& out) {
  const JsonValue* value = object.find(name);
  if (value == nullptr) return false;
  const auto integer = json_integer(*value);
  if (!integer) return false;
  out = *integer;
  return true;
}

bool read_string_array(const JsonValue& object, std::string_view name, std::vector<std::string>& out) {
  const JsonValue* value = object.find(name);
  if (value == nullptr || !value->is_array()) return false;
  for (const JsonValue& element : value->elements()) {
    if (!element.is_string()) return false;
    out.push_back(element.as_string());
  }
  return true;
}

std::optional<AccessClaims> read_claims(const JsonValue& payload) {
  AccessClaims claims;
  const bool complete = read_string(payload, "iss", claims.iss) && read_string(payload, "aud", claims.aud) &&
                        read_string(payload, "sub", claims.sub) && read_string(payload, "tid", claims.tid) &&
                        read_string(payload, "sid", claims.sid) && read_string(payload, "jti", claims.jti) &&
                        read_string_array(payload, "amr", claims.amr) && read_integer(payload, "iat", claims.iat) &&
                        read_integer(payload, "nbf", claims.nbf) && read_integer(payload, "exp", claims.exp);
  if (!complete) return std::nullopt;
  return claims;
}

// Times near the int64 limits must not wrap around into "valid".
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

JwtCheck failed(JwtFailure failure) { return JwtCheck{std::nullopt, failure}; }

}  // namespace

std::string sign_access_token(const AccessClaims& claims, const JwtKey& key) {
  std::string header;
  JsonWriter header_writer(header);
  header_writer.begin_object();
  header_writer.key("alg");
  header_writer.string(kAlgorithm);
  header_writer.key("typ");
  header_writer.string("JWT");
  header_writer.key("kid");
  header_writer.string(key.kid);
  header_writer.end_object();

  std::string payload;
  JsonWriter writer(payload);
  writer.begin_object();
  for (const auto& [name, value] : {std::pair<std::string_view, const std::string&>{"iss", claims.iss},
                                    {"aud", claims.aud}, {"sub", claims.sub}, {"tid", claims.tid},
                                    {"sid", claims.sid}}) {
    writer.key(name);
    writer.string(value);
  }
  writer.key("amr");
  writer.begin_array();
  for (const std::string& method : claims.amr) writer.string(method);
  writer.end_array();
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::int64_t>{"iat", claims.iat}, {"nbf", claims.nbf}, {"exp", claims.exp}}) {
    writer.key(name);
    writer.number(value);
  }
  writer.key("jti");
  writer.string(claims.jti);
  writer.end_object();

  std::string token = base64url_encode(header);
  token += '.';
  token += base64url_encode(payload);
  const std::string signature = base64url_encode(hmac_sha256(key.secret, token));
  token += '.';
  token += signature;
  return token;
}

JwtCheck verify_access_token(std::string_view token, std::span<const JwtKey> keys, std::string_view issuer,
                             std::string_view audience, std::int64_t now_seconds, std::int64_t leeway_seconds) {
  const auto parts = split_token(token);
  if (!parts) return failed(JwtFailure::Malformed);
  const auto decoded = decode_token(*parts);
  if (!decoded) return failed(JwtFailure::Malformed);

  const JsonValue* algorithm = decoded->header.find("alg");
  if (algorithm == nullptr || !algorithm->is_string() || algorithm->as_string() != kAlgorithm) {
    return failed(JwtFailure::BadAlgorithm);
  }
  const JsonValue* kid = decoded->header.find("kid");
  if (kid != nullptr && !kid->is_string()) return failed(JwtFailure::Malformed);
  const auto candidates = candidate_keys(decoded->header, keys);
  if (!candidates) return failed(JwtFailure::UnknownKey);
  if (!signature_matches(*candidates, parts->signing_input, decoded->signature)) {
    return failed(JwtFailure::BadSignature);
  }

  auto claims = read_claims(decoded->payload);
  if (!claims) return failed(JwtFailure::Malformed);
  if (claims->iss != issuer) return failed(JwtFailure::WrongIssuer);
  if (claims->aud != audience) return failed(JwtFailure::WrongAudience);
  const std::int64_t leeway = leeway_seconds < 0 ? 0 : leeway_seconds;
  if (now_seconds > saturating_add(claims->exp, leeway)) return failed(JwtFailure::Expired);
  if (saturating_add(now_seconds, leeway) < claims->nbf) return failed(JwtFailure::NotYetValid);
  return JwtCheck{std::move(claims), std::nullopt};
}

}  // namespace polysim::auth
