#include "auth/token_service.hpp"

#include <stdexcept>

#include "auth/auth_failure.hpp"
#include "core/crypto.hpp"
#include "core/token.hpp"

namespace polysim::auth {

namespace {

AuthFailure refresh_invalid() {
  return {401, "refresh_token_invalid", "The refresh token is invalid, expired or revoked."};
}

}  // namespace

std::vector<JwtKey> parse_jwt_keys(std::string_view text) {
  std::vector<JwtKey> keys;
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    const auto colon = item.find(':');
    if (colon == 0 || colon == std::string_view::npos || item.size() - colon - 1 < 32)
      throw std::invalid_argument("JWT keys must be kid:secret pairs with secrets of at least 32 characters");
    keys.push_back(JwtKey{std::string(item.substr(0, colon)), std::string(item.substr(colon + 1))});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (keys.empty()) throw std::invalid_argument("no JWT key configured");
  return keys;
}

TokenService::TokenService(store::IdentityStore& store, const Clock& clock, std::vector<JwtKey> keys,
                           std::string issuer, std::int64_t reuse_grace_micros)
    : store_(store), clock_(clock), keys_(std::move(keys)), issuer_(std::move(issuer)), reuse_grace_(reuse_grace_micros) {
  if (keys_.empty()) throw std::invalid_argument("TokenService needs at least one JWT key");
}

std::string app_audience(std::string_view app_id) { return "app:" + std::string(app_id); }

IssuedTokens TokenService::start_session(const store::UserRecord& user, std::vector<std::string> amr,
                                         std::string_view ip_group, bool mark_email_verified) {
  auto start = new_session(user, "trader", std::move(amr), ip_group, kTraderSessionLifetime);
  start.mark_email_verified = mark_email_verified;
  return this->start(std::move(start), user.uuid, kTraderRefreshLifetime);
}

IssuedTokens TokenService::start_app_session(const store::UserRecord& user, std::string_view app_id,
                                             std::vector<std::string> amr, std::string_view ip_group) {
  auto start = new_session(user, "app", std::move(amr), ip_group, kAppSessionLifetime);
  start.session.app_id = std::string(app_id);
  return this->start(std::move(start), user.uuid, kAppRefreshLifetime);
}

store::SessionStart TokenService::new_session(const store::UserRecord& user, std::string surface,
                                              std::vector<std::string> amr, std::string_view ip_group,
                                              std::int64_t lifetime) {
  const auto now = clock_.now_unix_micros();
  store::SessionStart start;
  auto& s = start.session;
  s.id = ids_.next(clock_).to_string();
  s.tenant_id = user.tenant_id;
  s.user_id = user.id;
  s.surface = std::move(surface);
  s.amr = std::move(amr);
  s.ip_group = std::string(ip_group);
  s.created_at = s.last_refreshed_at = now;
  s.expires_at = now + lifetime;
  return start;
}

IssuedTokens TokenService::start(store::SessionStart start, std::string_view user_uuid, std::int64_t refresh_lifetime) {
  const auto& s = start.session;
  IssuedTokens out;
  out.refresh_token = generate_token("rt_");
  start.refresh_hash = token_hash_bytes(out.refresh_token);
  start.refresh_prefix = token_prefix(out.refresh_token, "rt_");
  start.refresh_expires_at = std::min(s.created_at + refresh_lifetime, s.expires_at);
  store_.start_session(start);
  out.refresh_expires_at = start.refresh_expires_at;
  out.session_id = s.id;
  out.amr = s.amr;
  out.access_token = mint_access_token(s, user_uuid);
  return out;
}

std::pair<IssuedTokens, store::SessionRecord> TokenService::refresh(std::string_view refresh_token,
                                                                   std::string_view surface) {
  if (!is_well_formed_token(refresh_token, "rt_")) throw refresh_invalid();
  store::RefreshRotation r;
  r.presented_hash = token_hash_bytes(refresh_token);
  r.surface = std::string(surface);
  IssuedTokens out;
  out.refresh_token = generate_token("rt_");
  r.new_hash = token_hash_bytes(out.refresh_token);
  r.new_prefix = token_prefix(out.refresh_token, "rt_");
  r.lifetime = surface == "app" ? kAppRefreshLifetime : kTraderRefreshLifetime;
  r.reuse_grace = reuse_grace_;
  r.now = clock_.now_unix_micros();
  auto result = store_.rotate_refresh_token(r);
  using Kind = store::RefreshResult::Kind;
  if (result.kind == Kind::Reused && result.session) throw RefreshTokenReused(*result.session);
  if (result.kind != Kind::Rotated || !result.session) throw refresh_invalid();
  out.refresh_expires_at = result.refresh_expires_at;
  out.session_id = result.session->id;
  out.amr = result.session->amr;
  return {std::move(out), *result.session};
}

std::string TokenService::mint_access_token(const store::SessionRecord& session, std::string_view user_uuid) {
  const auto now_s = clock_.now_unix_micros() / 1'000'000;
  AccessClaims c;
  c.iss = issuer_;
  c.aud = session.surface == "app" && session.app_id ? app_audience(*session.app_id) : std::string(kTraderAudience);
  c.sub = std::string(user_uuid);
  c.tid = session.tenant_id;
  c.sid = session.id;
  c.amr = session.amr;
  c.iat = c.nbf = now_s;
  c.exp = now_s + kAccessTokenSeconds;
  c.jti = Uuid::v4().to_string();
  return sign_access_token(c, keys_.front());
}

JwtCheck TokenService::verify_access_token(std::string_view token) const {
  return polysim::auth::verify_access_token(token, keys_, issuer_, kTraderAudience, clock_.now_unix_micros() / 1'000'000);
}

JwtCheck TokenService::verify_app_access_token(std::string_view token, std::string_view app_id) const {
  return polysim::auth::verify_access_token(token, keys_, issuer_, app_audience(app_id),
                                            clock_.now_unix_micros() / 1'000'000);
}

}  // namespace polysim::auth
