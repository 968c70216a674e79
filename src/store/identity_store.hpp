// The storage interface of trader identity: users' credentials, sessions with their
// refresh-token families, single-use tokens, failed-attempt lanes. Every multi-row rule that
// must hold under concurrency (rotation, single use, registration branches) is one call, so an
// implementation can make it one transaction. Calls block; run them off the event loops.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"

namespace polysim::store {

struct UserRecord {
  std::int64_t id = 0;
  std::string uuid;
  std::string tenant_id;
  std::string email;
  std::optional<std::string> password_hash;
  std::optional<std::int64_t> email_verified_at;
  bool disabled = false;
  std::optional<std::string> display_name;
  std::optional<std::int64_t> password_changed_at;
  std::optional<std::int64_t> mfa_enabled_at;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct SessionRecord {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string surface = "trader";  // trader | app
  std::optional<std::string> app_id;
  std::vector<std::string> amr;
  std::string ip_group;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  // absolute end of the session
  std::int64_t last_refreshed_at = 0;
  std::optional<std::int64_t> revoked_at;
};

// A single-use token (login link, email verification, password reset...).
struct AuthTokenRecord {
  std::int64_t id = 0;
  std::string kind;
  std::string prefix;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string payload_json = "{}";
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
  std::int64_t created_at = 0;
};

// Mail that must not be sent more than once a minute or five times a day to one recipient
// (20-trader-api.md §12); the kinds counted together are listed.
struct MailThrottle {
  std::vector<std::string> kinds;
  std::int64_t min_interval = 60LL * 1'000'000;
  int max_per_day = 5;
};

struct TokenIssue {
  std::string kind;
  std::string token_hash;  // SHA-256 bytes
  std::string prefix;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string payload_json = "{}";
  std::int64_t expires_at = 0;
  std::int64_t now = 0;
  std::optional<OutboxMessage> mail;
  std::optional<MailThrottle> throttle;
};

// POST /api/v1/auth/register: the three branches of §5.1 decided inside one transaction.
struct Registration {
  std::string tenant_id;
  std::string email;
  std::string password_hash;
  std::optional<std::string> display_name;
  std::string new_user_uuid;
  TokenIssue verification;  // user_id is filled in by the store
  OutboxMessage account_exists_mail;
  MailThrottle throttle;
  std::int64_t now = 0;
};

enum class RegistrationOutcome { CreatedPending, UpdatedPending, AlreadyRegistered, Throttled };

struct SessionStart {
  SessionRecord session;
  std::string refresh_hash;
  std::string refresh_prefix;
  std::int64_t refresh_expires_at = 0;
  bool mark_email_verified = false;
};

struct RefreshRotation {
  std::string presented_hash;
  std::string surface;  // only this surface's sessions may be refreshed here
  std::string new_hash;
  std::string new_prefix;
  std::int64_t lifetime = 0;  // of the new token; capped by the session's absolute end
  std::int64_t reuse_grace = 0;
  std::int64_t now = 0;
};

struct RefreshResult {
  enum class Kind { Rotated, Reused, Invalid } kind = Kind::Invalid;
  std::optional<SessionRecord> session;
  std::int64_t refresh_expires_at = 0;
};

struct FailureLane {
  int consecutive = 0;
  int locks = 0;
  std::optional<std::int64_t> locked_until;
  std::int64_t last_failure_at = 0;
  bool first_lock_in_day = false;  // set by record_failure when this failure started a lock
};

struct PasswordChange {
  std::int64_t user_id = 0;
  std::string password_hash;
  std::optional<std::string> keep_session_id;  // reset: none kept
  bool mark_email_verified = false;
  std::int64_t now = 0;
  std::optional<OutboxMessage> mail;
};

struct MfaState {
  std::optional<std::int64_t> enabled_at;
  std::optional<std::string> secret_sealed;
  std::optional<std::int64_t> last_step;
  std::optional<std::string> pending_sealed;
  std::optional<std::int64_t> pending_expires_at;
  int backup_codes_remaining = 0;
};

struct BackupCodeRow {
  std::int64_t id = 0;
  std::string code_hash;
};

// Turns the pending secret into the active one with fresh backup codes; other sessions end and
// the caller's session gains "otp".
struct MfaEnable {
  std::int64_t user_id = 0;
  std::string pending_sealed;  // must still be the pending secret (a second setup wins)
  std::vector<std::string> backup_code_hashes;
  std::string keep_session_id;
  std::int64_t accepted_step = 0;
  std::int64_t now = 0;
  std::optional<OutboxMessage> mail;
};

// A sign-in waiting for its second factor.
struct MfaChallengeRecord {
  std::int64_t id = 0;
  std::string token_hash;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string flow;  // login | email | link
  std::vector<std::string> amr;
  std::optional<std::string> redirect_url;
  std::optional<std::string> payload_json;  // what the flow needs afterwards (desktop-login: the device)
  int attempts = 0;
  std::int64_t expires_at = 0;
  std::int64_t created_at = 0;
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  virtual std::optional<UserRecord> find_user_by_email(std::string_view tenant_id, std::string_view email) = 0;
  virtual std::optional<UserRecord> find_user(std::int64_t user_id) = 0;
  // `polysim user disable|enable`: refused on every surface while disabled.
  virtual void set_user_disabled(std::int64_t user_id, bool disabled, std::int64_t now) = 0;

  virtual RegistrationOutcome register_user(const Registration& registration) = 0;

  // Retires the user's older unused tokens of the kind, stores the new one and its mail.
  // Returns false, writing nothing, when the throttle refuses the mail.
  virtual bool issue_token(const TokenIssue& issue) = 0;
  // Single use: one conditional update; of concurrent callers exactly one gets the row.
  virtual std::optional<AuthTokenRecord> consume_token(std::string_view kind, std::string_view token_hash,
                                                       std::int64_t now) = 0;
  // Looks without consuming (link previews).
  virtual std::optional<AuthTokenRecord> find_live_token(std::string_view kind, std::string_view token_hash,
                                                         std::int64_t now) = 0;

  virtual void start_session(const SessionStart& start) = 0;
  virtual RefreshResult rotate_refresh_token(const RefreshRotation& rotation) = 0;
  virtual std::optional<SessionRecord> find_session(std::string_view session_id) = 0;
  // The session a (possibly spent) refresh token belongs to.
  virtual std::optional<SessionRecord> find_session_by_refresh(std::string_view token_hash) = 0;
  virtual bool revoke_session(std::string_view session_id, std::int64_t now, std::string_view reason) = 0;
  // Every live session of the user on every surface, except `keep`; returns how many.
  virtual int revoke_user_sessions(std::int64_t user_id, std::optional<std::string_view> keep, std::int64_t now,
                                   std::string_view reason) = 0;

  // Sets the password; revokes every other session in the same transaction. Returns the number
  // of sessions revoked.
  virtual int change_password(const PasswordChange& change) = 0;
  virtual void rehash_password(std::int64_t user_id, std::string_view password_hash) = 0;

  // Failed-attempt lanes (§4).
  virtual std::optional<FailureLane> find_failure_lane(std::string_view tenant_id, std::string_view email,
                                                       std::string_view lane) = 0;
  virtual FailureLane record_failure(std::string_view tenant_id, std::string_view email, std::string_view lane,
                                     std::int64_t now) = 0;
  // One lane (a success there), or every lane of the address (password reset).
  virtual void clear_failures(std::string_view tenant_id, std::string_view email,
                              std::optional<std::string_view> lane) = 0;

  virtual bool is_known_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t since) = 0;
  virtual void remember_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t now) = 0;

  virtual void enqueue_mail(const OutboxMessage& mail) = 0;

  // MFA (§6)
  virtual MfaState mfa_state(std::int64_t user_id) = 0;
  virtual void set_pending_totp(std::int64_t user_id, std::string_view sealed, std::int64_t expires_at) = 0;
  // False, changing nothing, when MFA is on already or the pending secret changed meanwhile.
  virtual bool enable_mfa(const MfaEnable& enable) = 0;
  virtual void disable_mfa(std::int64_t user_id, std::int64_t now, const std::optional<OutboxMessage>& mail) = 0;
  virtual void replace_backup_codes(std::int64_t user_id, const std::vector<std::string>& hashes, std::int64_t now,
                                    const std::optional<OutboxMessage>& mail) = 0;
  // Single use of TOTP steps: true when `step` is later than every step accepted before.
  virtual bool accept_totp_step(std::int64_t user_id, std::int64_t step) = 0;
  virtual std::vector<BackupCodeRow> unused_backup_codes(std::int64_t user_id) = 0;
  virtual bool use_backup_code(std::int64_t code_id, std::int64_t now, const std::optional<OutboxMessage>& mail) = 0;

  virtual void create_mfa_challenge(const MfaChallengeRecord& challenge) = 0;
  // Live only: unused, unexpired, fewer than `max_attempts` wrong codes.
  virtual std::optional<MfaChallengeRecord> find_mfa_challenge(std::string_view token_hash, std::int64_t now,
                                                               int max_attempts) = 0;
  virtual void record_mfa_challenge_failure(std::int64_t challenge_id) = 0;
  virtual bool consume_mfa_challenge(std::int64_t challenge_id, std::int64_t now) = 0;
};

}  // namespace polysim::store
