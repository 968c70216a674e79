// Staff sign-in and browser sessions of the Dashboard (30-partner-apps.md §9.1): the password
// check on the shared Argon2id pool, the login lock (5 failures per email in 15 min lock it for
// 15 min), sessions of 12 h that end after 60 idle minutes, their per-session CSRF token and the
// one-time notice shown on the next page. Blocking: call from a pool thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password_hashing.hpp"
#include "core/clock.hpp"
#include "store/staff_store.hpp"
#include "store/store.hpp"

namespace polysim::dashboard {

inline constexpr std::int64_t kMinuteMicros = 60'000'000;
inline constexpr std::int64_t kSessionLifetime = 12 * 60 * kMinuteMicros;
inline constexpr std::int64_t kSessionIdle = 60 * kMinuteMicros;
inline constexpr int kLoginFailuresBeforeLock = 5;
inline constexpr std::int64_t kLoginFailureWindow = 15 * kMinuteMicros;
inline constexpr std::int64_t kLoginLock = 15 * kMinuteMicros;

// 32 random bytes, base64url: session cookies and CSRF tokens.
std::string new_secret_token();
// SHA-256 bytes: how a session token is stored and looked up.
std::string token_hash(std::string_view token);
// Constant-time; false for an empty `given`.
bool tokens_match(std::string_view expected, std::string_view given);

struct StaffSession {
  store::StaffRecord staff;
  store::TenantRecord tenant;
  store::DashboardSessionRecord session;

  std::string tenant_label() const { return tenant.display_name.empty() ? tenant.name : tenant.display_name; }
};

struct LoginOutcome {
  enum class Kind { SignedIn, Refused, Locked } kind = Kind::Refused;
  std::string token;           // SignedIn: the cookie value, never stored
  std::int64_t lock_minutes = 0;  // Locked
};

// Who asks, for the audit log.
struct RequestOrigin {
  std::string ip;
  std::string request_id;
};

class StaffAuth {
 public:
  StaffAuth(store::Store& store, store::StaffStore& staff, auth::PasswordHashing& hashing, const Clock& clock);

  // `previous_token` is the browser's current session cookie, ended by a new sign-in.
  LoginOutcome login(std::string_view email, std::string_view password, const RequestOrigin& from,
                     const std::optional<std::string>& previous_token);
  // The live session of a cookie value; moves its idle clock.
  std::optional<StaffSession> session(std::string_view token);
  void logout(const StaffSession& who, const RequestOrigin& from);

  void set_notice(const StaffSession& who, const std::string& notice);
  // The pending notice, cleared so that it shows once.
  std::string take_notice(const StaffSession& who);

 private:
  store::Store& store_;
  store::StaffStore& staff_;
  auth::PasswordHashing& hashing_;
  const Clock& clock_;
  std::string dummy_hash_;  // verified against for unknown emails, so they cost the same
};

}  // namespace polysim::dashboard
