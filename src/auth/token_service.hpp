// Sessions and the tokens that carry them (20-trader-api.md §2.3, §5.4): a session owns one
// refresh-token family; access tokens are short HS256 JWTs naming the session.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_failure.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/identity_store.hpp"

namespace polysim::auth {

inline constexpr std::int64_t kAccessTokenSeconds = 900;
inline constexpr std::int64_t kTraderRefreshLifetime = 30LL * 86'400 * 1'000'000;
inline constexpr std::int64_t kTraderSessionLifetime = 90LL * 86'400 * 1'000'000;
inline constexpr std::string_view kTraderAudience = "polysim-trader";
// App sessions (30-partner-apps.md §4.1): 30 days from creation, 7 days after the last refresh.
inline constexpr std::int64_t kAppSessionLifetime = 30LL * 86'400 * 1'000'000;
inline constexpr std::int64_t kAppRefreshLifetime = 7LL * 86'400 * 1'000'000;
std::string app_audience(std::string_view app_id);

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  std::int64_t refresh_expires_at = 0;
  std::string session_id;
  std::vector<std::string> amr;
};

// A spent refresh token came back: its family was revoked. Carries the session for the audit log.
struct RefreshTokenReused : AuthFailure {
  store::SessionRecord session;
  explicit RefreshTokenReused(store::SessionRecord s)
      : AuthFailure(401, "refresh_token_reused",
                    "This refresh token was already used; the session has been revoked. Sign in again."),
        session(std::move(s)) {}
};

// "k1:secret,k0:secret" → keys, first signs. Throws std::invalid_argument when malformed.
std::vector<JwtKey> parse_jwt_keys(std::string_view text);

class TokenService {
 public:
  TokenService(store::IdentityStore& store, const Clock& clock, std::vector<JwtKey> keys, std::string issuer,
               std::int64_t reuse_grace_micros);

  // A new trader session for the user, its first refresh token and an access token.
  IssuedTokens start_session(const store::UserRecord& user, std::vector<std::string> amr, std::string_view ip_group,
                             bool mark_email_verified);
  // A session of the app surface for (app, user); its access tokens name the app as audience.
  IssuedTokens start_app_session(const store::UserRecord& user, std::string_view app_id, std::vector<std::string> amr,
                                 std::string_view ip_group);
  // Rotates the presented refresh token; throws AuthFailure (refresh_token_invalid or
  // refresh_token_reused). The session's user is returned for the response body. Only
  // sessions of `surface` are refreshed.
  std::pair<IssuedTokens, store::SessionRecord> refresh(std::string_view refresh_token,
                                                        std::string_view surface = "trader");

  std::string mint_access_token(const store::SessionRecord& session, std::string_view user_uuid);
  JwtCheck verify_access_token(std::string_view token) const;
  JwtCheck verify_app_access_token(std::string_view token, std::string_view app_id) const;

 private:
  store::SessionStart new_session(const store::UserRecord& user, std::string surface, std::vector<std::string> amr,
                                  std::string_view ip_group, std::int64_t lifetime);
  IssuedTokens start(store::SessionStart start, std::string_view user_uuid, std::int64_t refresh_lifetime);

  store::IdentityStore& store_;
  const Clock& clock_;
  std::vector<JwtKey> keys_;
  std::string issuer_;
  std::int64_t reuse_grace_;
  UuidV7Generator ids_;
};

}  // namespace polysim::auth
