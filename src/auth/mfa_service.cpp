#include "auth/mfa_service.hpp"

#include "auth/backup_codes.hpp"
#include "auth/secret_box.hpp"
#include "auth/totp.hpp"
#include "core/crypto.hpp"

namespace polysim::auth {

namespace {

constexpr std::int64_t kPendingLifetime = 15LL * 60 * 1'000'000;

AuthFailure already_enabled() { return {409, "mfa_already_enabled", "Two-factor authentication is already on."}; }
AuthFailure not_enabled() { return {409, "mfa_not_enabled", "Two-factor authentication is not on."}; }
AuthFailure invalid_code() { return {403, "invalid_code", "The code is wrong or was already used."}; }

}  // namespace

MfaService::MfaService(store::IdentityStore& store, PasswordHashing& hashing, FailureLanes& lanes, Mailer& mailer,
                       const Clock& clock, std::string_view data_key, std::string issuer)
    : store_(store),
      hashing_(hashing),
      lanes_(lanes),
      mailer_(mailer),
      clock_(clock),
      // Its own subkey: a TOTP box must never open as any other sealed value.
      key_(hmac_sha256(data_key, "polysim totp v1")),
      issuer_(std::move(issuer)) {}

MfaStatus MfaService::status(const store::UserRecord& user) {
  auto state = store_.mfa_state(user.id);
  return MfaStatus{state.enabled_at.has_value(), state.enabled_at, state.enabled_at ? state.backup_codes_remaining : 0};
}

MfaSetup MfaService::setup(const store::UserRecord& user) {
  if (store_.mfa_state(user.id).enabled_at) throw already_enabled();
  const auto secret = new_totp_secret();
  const auto sealed = seal_secret(key_, std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
                                  user.uuid);
  MfaSetup out;
  out.secret = totp_secret_base32(secret);
  out.otpauth_uri = otpauth_uri(issuer_, user.email, out.secret);
  out.expires_at = clock_.now_unix_micros() + kPendingLifetime;
  store_.set_pending_totp(user.id, sealed, out.expires_at);
  return out;
}

std::optional<std::vector<std::uint8_t>> MfaService::open_secret_of(const store::UserRecord& user,
                                                                     std::string_view sealed) const {
  auto opened = open_secret(key_, sealed, user.uuid);
  if (!opened) return std::nullopt;
  return std::vector<std::uint8_t>(opened->begin(), opened->end());
}

bool MfaService::check_totp(const store::UserRecord& user, const store::MfaState& state, std::string_view code) {
  if (!state.secret_sealed) return false;
  auto secret = open_secret_of(user, *state.secret_sealed);
  if (!secret) return false;
  auto step = verify_totp(*secret, code, clock_.now_unix_micros() / 1'000'000, state.last_step);
  // The conditional update makes the step single use even against a concurrent request.
  return step && store_.accept_totp_step(user.id, *step);
}

std::vector<std::string> MfaService::hashed_codes(const std::vector<std::string>& codes, HashGate::Deadline deadline) {
  std::vector<std::string> hashes;
  for (const auto& code : codes) hashes.push_back(hashing_.hash(*normalize_backup_code(code), deadline));
  return hashes;
}

std::vector<std::string> MfaService::confirm(const store::UserRecord& user, std::string_view session_id,
                                             std::string_view code, HashGate::Deadline deadline) {
  auto state = store_.mfa_state(user.id);
  if (state.enabled_at) throw already_enabled();
  if (!state.pending_sealed || !state.pending_expires_at || *state.pending_expires_at <= clock_.now_unix_micros())
    throw not_enabled();
  auto secret = open_secret_of(user, *state.pending_sealed);
  if (!secret) throw not_enabled();
  auto step = verify_totp(*secret, code, clock_.now_unix_micros() / 1'000'000, std::nullopt);
  if (!step) throw invalid_code();
  auto codes = generate_backup_codes();
  store::MfaEnable e;
  e.user_id = user.id;
  e.pending_sealed = *state.pending_sealed;
  e.backup_code_hashes = hashed_codes(codes, deadline);
  e.keep_session_id = std::string(session_id);
  e.accepted_step = *step;
  e.now = clock_.now_unix_micros();
  e.mail = mailer_.compose(user, "security_notice", "Two-factor authentication is on",
                           "Two-factor authentication was just turned on for your account and your other sessions "
                           "were signed out. If this was not you, contact support.");
  if (!store_.enable_mfa(e)) throw already_enabled();
  return codes;
}

std::optional<std::string> MfaService::check_second_factor(const store::UserRecord& user,
                                                           std::optional<std::string_view> totp,
                                                           std::optional<std::string_view> backup_code,
                                                           HashGate::Deadline deadline) {
  auto state = store_.mfa_state(user.id);
  if (!state.enabled_at) return std::nullopt;
  if (totp) return check_totp(user, state, *totp) ? std::optional<std::string>("otp") : std::nullopt;
  if (!backup_code) return std::nullopt;
  auto normalized = normalize_backup_code(*backup_code);
  if (!normalized) return std::nullopt;
  for (const auto& row : store_.unused_backup_codes(user.id)) {
    if (!hashing_.verify(row.code_hash, *normalized, deadline)) continue;
    auto notice = mailer_.compose(user, "security_notice", "A backup code was used",
                                  "One of your backup codes was just used to sign in. If this was not you, reset your "
                                  "password and regenerate your backup codes.");
    return store_.use_backup_code(row.id, clock_.now_unix_micros(), notice) ? std::optional<std::string>("backup")
                                                                            : std::nullopt;
  }
  return std::nullopt;
}

void MfaService::refuse_code(const store::UserRecord& user, std::string_view ip_group) {
  const auto lane = lanes_.lane_for(user, ip_group);
  lanes_.count_and_throw(user.tenant_id, user.email, lane, user, invalid_code());
}

void MfaService::disable(const store::UserRecord& user, std::string_view password, std::string_view code,
                         std::string_view ip_group, HashGate::Deadline deadline) {
  if (!store_.mfa_state(user.id).enabled_at) throw not_enabled();
  if (!user.password_hash)
    throw AuthFailure(409, "password_not_set", "This account has no password yet; use forgot-password to set one.");
  lanes_.refuse_if_locked(user.tenant_id, user.email, lanes_.lane_for(user, ip_group));
  if (!hashing_.verify(*user.password_hash, password, deadline))
    throw AuthFailure(403, "invalid_password", "The password is wrong.");
  const bool digits = code.size() == 6 && code.find_first_not_of("0123456789") == std::string_view::npos;
  auto method = check_second_factor(user, digits ? std::optional(code) : std::nullopt,
                                    digits ? std::nullopt : std::optional(code), deadline);
  if (!method) refuse_code(user, ip_group);
  store_.disable_mfa(user.id, clock_.now_unix_micros(),
                     mailer_.compose(user, "security_notice", "Two-factor authentication is off",
                                     "Two-factor authentication was just turned off for your account. If this was not "
                                     "you, reset your password and turn it on again."));
}

std::vector<std::string> MfaService::regenerate_backup_codes(const store::UserRecord& user, std::string_view code,
                                                             std::string_view ip_group, HashGate::Deadline deadline) {
  auto state = store_.mfa_state(user.id);
  if (!state.enabled_at) throw not_enabled();
  lanes_.refuse_if_locked(user.tenant_id, user.email, lanes_.lane_for(user, ip_group));
  if (!check_totp(user, state, code)) refuse_code(user, ip_group);
  auto codes = generate_backup_codes();
  store_.replace_backup_codes(user.id, hashed_codes(codes, deadline), clock_.now_unix_micros(),
                              mailer_.compose(user, "security_notice", "New backup codes",
                                              "New backup codes were just generated for your account; the old ones no "
                                              "longer work. If this was not you, reset your password."));
  return codes;
}

}  // namespace polysim::auth
