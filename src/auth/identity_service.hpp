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
#include "auth/failure_lanes.hpp"
#include "auth/hash_gate.hpp"
#include "auth/device_service.hpp"
#include "auth/mailer.hpp"
#include "auth/mfa_service.hpp"
#include "auth/password_hashing.hpp"
#include "auth/token_service.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::auth {

struct IdentitySettings {
  std::string trader_app_url;
  std::string retail_tenant;  // id or name
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

// A sign-in that needs its second factor (20-trader-api.md §6): no tokens yet.
struct MfaChallenge {
  std::string token;  // mfa_…
  std::int64_t expires_in = 300;
};

// What a first factor yields: a session, or a challenge when MFA is on.
struct SignInOutcome {
  std::optional<SignedIn> signed_in;
  std::optional<MfaChallenge> challenge;
};

// Desktop login: the device token, or a challenge whose verification yields it.
struct DesktopOutcome {
  std::optional<DeviceIssued> device;
  std::optional<MfaChallenge> challenge;
};

// A finished challenge: a session, or (desktop-login) a device.
struct MfaVerified {
  std::optional<SignedIn> session;
  std::optional<DeviceIssued> device;
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

enum class PrincipalKind { User, Device, ApiKey, Webhook };

// The authenticated trader behind a credential: an access token (a session), a device token or
// a personal API key (20-trader-api.md §2.1).
struct TraderPrincipal {
  std::int64_t user_id = 0;
  std::string user_uuid;
  std::string tenant_id;
  std::string session_id;  // User only
  std::vector<std::string> amr;
  PrincipalKind kind = PrincipalKind::User;
  std::vector<std::string> scopes;  // Device and ApiKey; a user holds every scope
  std::string credential_id;        // device or key id
  std::string bucket;               // its own default-tier bucket: session, or token prefix
};

class IdentityService {
 public:
  IdentityService(store::Store& store, store::IdentityStore& identity, TokenService& tokens, PasswordHashing& hashing,
                  FailureLanes& lanes, MfaService& mfa, DeviceService& devices, Mailer& mailer, const Clock& clock,
                  IdentitySettings settings);

  void register_user(std::string_view email, std::string_view password, std::optional<std::string> display_name,
                     const CallContext& ctx);
  SignInOutcome verify_email(std::string_view token, const CallContext& ctx);
  SignInOutcome login(std::string_view email, std::string_view password, std::optional<std::string_view> tenant_id,
                      const CallContext& ctx);
  DesktopOutcome desktop_login(std::string_view email, std::string_view password,
                               std::optional<std::string_view> tenant_id, const DeviceFields& fields,
                               const CallContext& ctx);
  // Finishes a challenged sign-in with a TOTP code or a backup code.
  // `app_id`: the app surface's call, which accepts only challenges issued for that app; the
  // trader surface passes none and accepts no app challenge.
  MfaVerified verify_mfa(std::string_view mfa_token, std::optional<std::string_view> code,
                      std::optional<std::string_view> backup_code, const CallContext& ctx,
                      std::optional<std::string_view> app_id = std::nullopt);
  // A sign-in through an app (30-partner-apps.md §4.7) that waits for the user's second factor.
  MfaChallenge issue_app_challenge(const store::UserRecord& user, std::string_view app_id, std::vector<std::string> amr);
  SignedIn refresh(std::string_view refresh_token);
  void logout(const TraderPrincipal* principal, std::optional<std::string_view> refresh_token, bool all_sessions);
  // Issues a reset link when the account exists; the caller answers alike either way.
  void forgot_password(std::string_view email, std::optional<std::string_view> tenant_id);
  void reset_password(std::string_view token, std::string_view new_password, const CallContext& ctx);
  PasswordChanged change_password(const TraderPrincipal& principal, std::string_view current_password,
                                  std::string_view new_password, bool revoke_devices, const CallContext& ctx);
  LinkPreview preview_login_link(std::string_view token);
  SignInOutcome redeem_login_link(std::string_view token, const CallContext& ctx);
  store::UserRecord me(const TraderPrincipal& principal);
  MfaService& mfa() { return mfa_; }
  DeviceService& devices() { return devices_; }

 private:
  store::TenantRecord retail_tenant_or_throw();
  std::optional<store::TenantRecord> sign_in_tenant(std::optional<std::string_view> tenant_id);
  void check_password_rules(std::string_view password, std::string_view email);
  void check_enabled(const store::UserRecord& user);
  void create_demo_account(const store::UserRecord& user);
  // Password check of login and desktop-login (§4 lanes, §5.3 errors); the verified user.
  store::UserRecord first_factor(std::string_view email, std::string_view password,
                                 std::optional<std::string_view> tenant_id, const CallContext& ctx);
  MfaChallenge issue_challenge(const store::UserRecord& user, std::string flow, std::vector<std::string> amr,
                               std::optional<std::string> redirect_url, std::optional<std::string> payload_json);
  // Starts the session, or a challenge when the user has MFA on.
  SignInOutcome sign_in(store::UserRecord user, std::string flow, std::vector<std::string> amr,
                        std::optional<std::string> redirect_url, bool mark_email_verified, const CallContext& ctx);
  std::int64_t now() const { return clock_.now_unix_micros(); }

  store::Store& store_;
  store::IdentityStore& identity_;
  TokenService& tokens_;
  PasswordHashing& hashing_;
  FailureLanes& lanes_;
  MfaService& mfa_;
  DeviceService& devices_;
  Mailer& mailer_;
  const Clock& clock_;
  IdentitySettings settings_;
  UuidV7Generator ids_;
  std::string dummy_hash_;  // verified against for unknown emails, so they take as long
};

}  // namespace polysim::auth
