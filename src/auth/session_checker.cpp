#include "auth/session_checker.hpp"

#include "auth/auth_failure.hpp"

namespace polysim::auth {

namespace {
// Cached states are few (one per active session); past this the cache is simply cleared.
constexpr std::size_t kMaxCachedSessions = 100'000;
}  // namespace

SessionChecker::SessionChecker(store::Store& store, store::IdentityStore& identity, const TokenService& tokens,
                               const Clock& clock, std::chrono::milliseconds ttl)
    : store_(store), identity_(identity), tokens_(tokens), clock_(clock), ttl_ms_(ttl.count()) {}

AccessClaims SessionChecker::verified_claims(std::string_view access_token) const {
  auto check = tokens_.verify_access_token(access_token);
  if (check.failure) {
    if (*check.failure == JwtFailure::Expired)
      throw AuthFailure(401, "token_expired", "The access token has expired; refresh it and retry.");
    throw unauthorized();
  }
  return std::move(*check.claims);
}

TraderPrincipal SessionChecker::principal_from(const AccessClaims& claims, const SessionState& state) const {
  if (!state.live) throw unauthorized();
  if (state.user_disabled) throw user_disabled();
  if (state.tenant_disabled) throw tenant_disabled();
  TraderPrincipal p;
  p.user_id = state.user_id;
  p.user_uuid = claims.sub;
  p.tenant_id = claims.tid;
  p.session_id = claims.sid;
  p.amr = claims.amr;
  p.bucket = "s:" + claims.sid;
  return p;
}

std::optional<TraderPrincipal> SessionChecker::check_cached(std::string_view access_token) {
  auto claims = verified_claims(access_token);
  std::optional<SessionState> state;
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(claims.sid); it != cache_.end() && it->second.fresh_until_ms > clock_.monotonic_millis())
      state = it->second;
  }
  if (!state) return std::nullopt;
  return principal_from(claims, *state);
}

TraderPrincipal SessionChecker::check(std::string_view access_token) {
  auto claims = verified_claims(access_token);
  SessionState state;
  auto session = identity_.find_session(claims.sid);
  const auto now = clock_.now_unix_micros();
  if (session && !session->revoked_at && session->expires_at > now && session->surface == "trader" &&
      session->tenant_id == claims.tid) {
    auto user = identity_.find_user(session->user_id);
    auto tenant = store_.find_tenant(session->tenant_id);
    if (user && user->uuid == claims.sub) {
      state.live = true;
      state.user_id = user->id;
      state.user_disabled = user->disabled;
      state.tenant_disabled = !tenant || tenant->disabled;
    }
  }
  state.fresh_until_ms = clock_.monotonic_millis() + ttl_ms_;
  {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedSessions) cache_.clear();
    cache_[claims.sid] = state;
  }
  return principal_from(claims, state);
}

void SessionChecker::forget(std::string_view session_id) {
  std::lock_guard lock(mutex_);
  cache_.erase(std::string(session_id));
}

void SessionChecker::forget_user(std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.user_id == user_id; });
}

}  // namespace polysim::auth
