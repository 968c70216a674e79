// Turns an access token into the trader behind it (20-trader-api.md §2.3): the JWT checks,
// then whether its session is still live and its user and tenant enabled. That second part is
// cached per session for at most the configured TTL (≤ 5 s), the bound within which a revoked
// session's access tokens stop working on every instance.
#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/identity_service.hpp"
#include "auth/token_service.hpp"
#include "core/clock.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::auth {

class SessionChecker {
 public:
  SessionChecker(store::Store& store, store::IdentityStore& identity, const TokenService& tokens, const Clock& clock,
                 std::chrono::milliseconds ttl);

  // Never blocks: the JWT checks plus the cache. nullopt when the session's state is not
  // cached and check() must run on a worker thread. Throws AuthFailure like check().
  std::optional<TraderPrincipal> check_cached(std::string_view access_token);
  // May read the database. Throws AuthFailure: unauthorized, token_expired, user_disabled,
  // tenant_disabled.
  TraderPrincipal check(std::string_view access_token);
  // This process revoked the session: stop accepting it at once, not after the TTL.
  void forget(std::string_view session_id);
  // Same, for every cached session of the user (password change, sign out everywhere).
  void forget_user(std::int64_t user_id);

 private:
  struct SessionState {
    bool live = false;
    bool user_disabled = false;
    bool tenant_disabled = false;
    std::int64_t user_id = 0;
    std::int64_t fresh_until_ms = 0;
  };
  AccessClaims verified_claims(std::string_view access_token) const;
  TraderPrincipal principal_from(const AccessClaims& claims, const SessionState& state) const;

  store::Store& store_;
  store::IdentityStore& identity_;
  const TokenService& tokens_;
  const Clock& clock_;
  std::int64_t ttl_ms_;
  std::mutex mutex_;
  std::unordered_map<std::string, SessionState> cache_;
};

}  // namespace polysim::auth
