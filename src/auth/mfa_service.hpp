// TOTP multi-factor authentication (20-trader-api.md §6): enrolment, the second-factor check that
// finishes a challenged sign-in, disable, backup codes. Secrets are sealed with a subkey of the
// data key; backup codes are Argon2id hashes; each TOTP step is accepted once per user.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/failure_lanes.hpp"
#include "auth/mailer.hpp"
#include "auth/password_hashing.hpp"
#include "core/clock.hpp"
#include "store/identity_store.hpp"

namespace polysim::auth {

struct MfaStatus {
  bool enabled = false;
  std::optional<std::int64_t> enabled_at;
  int backup_codes_remaining = 0;
};

struct MfaSetup {
  std::string secret;  // base32, uppercase
  std::string otpauth_uri;
  std::int64_t expires_at = 0;
};

class MfaService {
 public:
  MfaService(store::IdentityStore& store, PasswordHashing& hashing, FailureLanes& lanes, Mailer& mailer,
             const Clock& clock, std::string_view data_key, std::string issuer);

  MfaStatus status(const store::UserRecord& user);
  MfaSetup setup(const store::UserRecord& user);
  // Enables MFA and returns the ten backup codes (shown once).
  std::vector<std::string> confirm(const store::UserRecord& user, std::string_view session_id, std::string_view code,
                                   HashGate::Deadline deadline);
  // "otp" or "backup" when the code is right (and now spent), nullopt when it is wrong.
  std::optional<std::string> check_second_factor(const store::UserRecord& user, std::optional<std::string_view> totp,
                                                 std::optional<std::string_view> backup_code,
                                                 HashGate::Deadline deadline);
  void disable(const store::UserRecord& user, std::string_view password, std::string_view code, std::string_view ip_group,
               HashGate::Deadline deadline);
  std::vector<std::string> regenerate_backup_codes(const store::UserRecord& user, std::string_view code,
                                                   std::string_view ip_group, HashGate::Deadline deadline);

 private:
  std::optional<std::vector<std::uint8_t>> open_secret_of(const store::UserRecord& user, std::string_view sealed) const;
  bool check_totp(const store::UserRecord& user, const store::MfaState& state, std::string_view code);
  std::vector<std::string> hashed_codes(const std::vector<std::string>& codes, HashGate::Deadline deadline);
  // Counted wrong codes of disable and regenerate (§4): 403 invalid_code.
  [[noreturn]] void refuse_code(const store::UserRecord& user, std::string_view ip_group);

  store::IdentityStore& store_;
  PasswordHashing& hashing_;
  FailureLanes& lanes_;
  Mailer& mailer_;
  const Clock& clock_;
  std::array<std::uint8_t, 32> key_{};
  std::string issuer_;
};

}  // namespace polysim::auth
