#include "auth/credential_checker.hpp"

#include "auth/auth_failure.hpp"
#include "core/token.hpp"

namespace polysim::auth {

namespace {
constexpr std::size_t kMaxCached = 100'000;
constexpr std::int64_t kTouchEvery = 60LL * 1'000'000;
// §2.2: a device token unused for 90 days is void.
constexpr std::int64_t kDeviceIdleLimit = 90LL * 86'400 * 1'000'000;
}  // namespace

CredentialChecker::CredentialChecker(store::Store& store, store::IdentityStore& identity, store::DeviceStore& devices,
                                     const Clock& clock, std::chrono::milliseconds ttl)
    : store_(store), identity_(identity), devices_(devices), clock_(clock), ttl_ms_(ttl.count()) {}

bool CredentialChecker::is_device_or_key(std::string_view token) {
  return token.substr(0, 3) == "dt_" || token.substr(0, 3) == "ak_";
}

TraderPrincipal CredentialChecker::principal_of(const State& s) const {
  if (!s.live) throw unauthorized();
  if (s.user_disabled) throw user_disabled();
  if (s.tenant_disabled) throw tenant_disabled();
  return s.principal;
}

std::optional<TraderPrincipal> CredentialChecker::check_cached(std::string_view token) {
  const auto digest = token_hash_bytes(token);
  std::lock_guard lock(mutex_);
  auto it = cache_.find(digest);
  if (it == cache_.end() || it->second.fresh_until_ms <= clock_.monotonic_millis()) return std::nullopt;
  return principal_of(it->second);
}

TraderPrincipal CredentialChecker::check(std::string_view token, std::string_view ip_group) {
  const bool device = token.substr(0, 3) == "dt_";
  if (!is_well_formed_token(token, device ? "dt_" : "ak_")) throw unauthorized();
  const auto digest = token_hash_bytes(token);
  const auto now = clock_.now_unix_micros();
  State s;
  std::optional<std::int64_t> last_use;
  std::int64_t user_id = 0;
  auto& p = s.principal;
  if (device) {
    if (auto d = devices_.find_device_by_token(digest)) {
      const auto idle_since = d->last_seen_at.value_or(d->created_at);
      s.live = !d->revoked_at && d->expires_at > now && now - idle_since < kDeviceIdleLimit;
      user_id = d->user_id;
      p.kind = PrincipalKind::Device;
      p.scopes = d->scopes;
      p.credential_id = d->id;
      p.bucket = "dt:" + d->prefix;
      last_use = d->last_seen_at;
    }
  } else if (auto k = devices_.find_personal_api_key(digest)) {
    s.live = !k->revoked_at && k->expires_at > now;
    user_id = k->user_id;
    p.kind = PrincipalKind::ApiKey;
    p.scopes = k->scopes;
    p.credential_id = k->id;
    p.bucket = "ak:" + k->prefix;
    last_use = k->last_used_at;
  }
  if (s.live) {
    auto user = identity_.find_user(user_id);
    auto tenant = user ? store_.find_tenant(user->tenant_id) : std::nullopt;
    s.live = user.has_value();
    if (user) {
      p.user_id = user->id;
      p.user_uuid = user->uuid;
      p.tenant_id = user->tenant_id;
      s.user_disabled = user->disabled;
      s.tenant_disabled = !tenant || tenant->disabled;
    }
  }
  if (s.live && (!last_use || now - *last_use >= kTouchEvery)) {
    if (device) devices_.touch_device(p.credential_id, now, ip_group);
    else devices_.touch_personal_api_key(p.credential_id, now);
  }
  s.fresh_until_ms = clock_.monotonic_millis() + ttl_ms_;
  {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[digest] = s;
  }
  return principal_of(s);
}

void CredentialChecker::forget(std::string_view credential_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.credential_id == credential_id; });
}

}  // namespace polysim::auth
