// Trader sign-in flows (20-trader-api.md §4, §5): registration, email verification, password
// login, refresh, logout, password reset and change, login-link redemption. Domain code: it
// speaks records and AuthFailure, never HTTP. Calls block (database, Argon2id) and run on a
// worker thread; Argon2id work additionally waits for a HashGate slot.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_failure.hpp"
#include "auth/hash_gate.hpp"
#include "auth/password_hasher.hpp"
#include "auth/token_service.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::auth {

struct IdentitySettings {
  std::string trader_app_url;
  std::string retail_tenant;  // id or name
  Argon2Params argon2;
};

// What a request brings besides its body.
struct CallContext {
  std::string ip_group;  // rate-limit key of the client address (IPv4, or IPv6 prefix)
  HashGate::Deadline hash_deadline;
};

struct SignedIn {
  IssuedTokens tokens;
  store::UserRecord user;
  std::optional<std::string> redirect_url;
};

struct LinkPreview {
  std::string email_hint;
  std::string tenant_id;
  std::int64_t expires_at = 0;
  std::string redirect_url;
};

struct PasswordChanged {
  int sessions_revoked = 0;
  int devices_revoked = 0;
};

// The authenticated trader behind an access token.
struct TraderPrincipal {
  std::int64_t user_id = 0;
  std::string user_uuid;
  std::string tenant_id;
  std::string session_id;
  std::vector<std::string> amr;
};

class IdentityService {
 public:
  IdentityService(store::Store& store, store::IdentityStore& identity, TokenService& tokens, HashGate& hashes,
                  const Clock& clock, IdentitySettings settings);

  void register_user(std::string_view email, std::string_view password, std::optional<std::string> display_name,
                     const CallContext& ctx);
  SignedIn verify_email(std::string_view token, const CallContext& ctx);
  SignedIn login(std::string_view email, std::string_view password, std::optional<std::string_view> tenant_id,
                 const CallContext& ctx);
  SignedIn refresh(std::string_view refresh_token);
  void logout(const TraderPrincipal* principal, std::optional<std::string_view> refresh_token, bool all_sessions);
  // Issues a reset link when the account exists; the caller answers alike either way.
  void forgot_password(std::string_view email, std::optional<std::string_view> tenant_id);
  void reset_password(std::string_view token, std::string_view new_password, const CallContext& ctx);
  PasswordChanged change_password(const TraderPrincipal& principal, std::string_view current_password,
                                  std::string_view new_password, bool revoke_devices, const CallContext& ctx);
  LinkPreview preview_login_link(std::string_view token);
  SignedIn redeem_login_link(std::string_view token, const CallContext& ctx);
  store::UserRecord me(const TraderPrincipal& principal);

 private:
  store::TenantRecord retail_tenant_or_throw();
  std::optional<store::TenantRecord> sign_in_tenant(std::optional<std::string_view> tenant_id);
  std::string hash(std::string_view password, const CallContext& ctx);
  bool verify(std::string_view phc, std::string_view password, const CallContext& ctx);
  void check_password_rules(std::string_view password, std::string_view email);
  std::string lane_for(const std::optional<store::UserRecord>& user, const CallContext& ctx);
  void refuse_if_locked(std::string_view tenant_id, std::string_view email, std::string_view lane);
  [[noreturn]] void count_failure_and_throw(std::string_view tenant_id, std::string_view email, std::string_view lane,
                                            const std::optional<store::UserRecord>& user, AuthFailure failure);
  void check_enabled(const store::UserRecord& user);
  void create_demo_account(const store::UserRecord& user);
  store::OutboxMessage mail(const store::UserRecord& user, std::string kind, std::string subject, std::string text,
                            std::optional<std::string> link = std::nullopt);
  std::int64_t now() const { return clock_.now_unix_micros(); }

  store::Store& store_;
  store::IdentityStore& identity_;
  TokenService& tokens_;
  HashGate& hashes_;
  const Clock& clock_;
  IdentitySettings settings_;
  UuidV7Generator ids_;
  std::string dummy_hash_;  // verified against for unknown emails, so they take as long
};

}  // namespace polysim::auth
