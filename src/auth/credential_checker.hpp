// Device tokens (dt_) and personal API keys (ak_) as principals: looked up by SHA-256, their
// state cached for at most the configured TTL (revocation reaches every instance within it),
// their last use written at most once a minute.
#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/identity_service.hpp"
#include "core/clock.hpp"
#include "store/device_store.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::auth {

class CredentialChecker {
 public:
  CredentialChecker(store::Store& store, store::IdentityStore& identity, store::DeviceStore& devices, const Clock& clock,
                    std::chrono::milliseconds ttl);

  static bool is_device_or_key(std::string_view token);
  // Never blocks; nullopt when not cached. Throws AuthFailure like check().
  std::optional<TraderPrincipal> check_cached(std::string_view token);
  // May read and touch the database. Throws AuthFailure: unauthorized, user_disabled,
  // tenant_disabled.
  TraderPrincipal check(std::string_view token, std::string_view ip_group);
  // This process revoked the credential: refuse it at once.
  void forget(std::string_view credential_id);

 private:
  struct State {
    bool live = false;
    bool user_disabled = false;
    bool tenant_disabled = false;
    TraderPrincipal principal;
    std::int64_t fresh_until_ms = 0;
  };
  TraderPrincipal principal_of(const State& state) const;

  store::Store& store_;
  store::IdentityStore& identity_;
  store::DeviceStore& devices_;
  const Clock& clock_;
  std::int64_t ttl_ms_;
  std::mutex mutex_;
  std::unordered_map<std::string, State> cache_;  // by token digest
};

}  // namespace polysim::auth
