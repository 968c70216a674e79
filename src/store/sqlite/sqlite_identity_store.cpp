// SqliteStore's identity half (store/identity_store.hpp).
#include <algorithm>

#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kDay = 24 * 60 * kMinute;

// 20-trader-api.md §4: the fifth consecutive failure locks for a minute, each later one doubles
// the lock, capped at 15 minutes; failures older than a day are forgotten.
constexpr int kFailuresBeforeLock = 5;
constexpr std::int64_t kMaxLock = 15 * kMinute;
constexpr std::int64_t kFailureMemory = kDay;

constexpr std::string_view kSessionColumns =
    "id, tenant_id, user_id, surface, app_id, amr, ip_group, created_at, expires_at, last_refreshed_at, revoked_at";

SessionRecord read_session(const Statement& s) {
  SessionRecord r;
  r.id = s.text(0);
  r.tenant_id = s.text(1);
  r.user_id = s.int64(2);
  r.surface = s.text(3);
  r.app_id = s.opt_text(4);
  r.amr = split_amr(s.text(5));
  r.ip_group = s.text(6);
  r.created_at = s.int64(7);
  r.expires_at = s.int64(8);
  r.last_refreshed_at = s.int64(9);
  r.revoked_at = s.opt_int64(10);
  return r;
}

std::optional<SessionRecord> session_by_id(SqliteConnection& c, std::string_view id) {
  auto s = c.prepare(std::string("SELECT ") + std::string(kSessionColumns) + " FROM sessions WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_session(s);
}


// True when the throttle allows one more mail of its kinds to the recipient.
bool mail_allowed(SqliteConnection& c, std::string_view recipient, const MailThrottle& t, std::int64_t now) {
  std::int64_t last = 0;
  int today = 0;
  for (const auto& kind : t.kinds) {
    auto s = c.prepare(
        "SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM email_outbox WHERE recipient = ?1 AND kind = ?2 AND "
        "created_at > ?3");
    s.bind(1, recipient).bind(2, kind).bind(3, now - kDay);
    if (s.step()) {
      today += static_cast<int>(s.int64(0));
      last = std::max(last, s.int64(1));
    }
  }
  if (today >= t.max_per_day) return false;
  return last == 0 || now - last >= t.min_interval;
}

void insert_token(SqliteConnection& c, const TokenIssue& t, std::int64_t user_id, const OutboxCipher* cipher) {
  auto retire = c.prepare(
      "UPDATE auth_tokens SET retired_at = ?3 WHERE user_id = ?1 AND kind = ?2 AND used_at IS NULL AND "
      "retired_at IS NULL");
  retire.bind(1, user_id).bind(2, t.kind).bind(3, t.now);
  retire.run();
  auto ins = c.prepare(
      "INSERT INTO auth_tokens (kind, token_hash, prefix, tenant_id, user_id, payload, expires_at, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ins.bind(1, t.kind).bind_blob(2, t.token_hash).bind(3, t.prefix).bind(4, t.tenant_id).bind(5, user_id);
  ins.bind(6, t.payload_json).bind(7, t.expires_at).bind(8, t.now);
  ins.run();
  if (t.mail) insert_outbox_row(c, *t.mail, cipher);
}

void insert_refresh_token(SqliteConnection& c, std::string_view session_id, std::string_view hash,
                          std::string_view prefix, std::int64_t now, std::int64_t expires_at) {
  auto s = c.prepare(
      "INSERT INTO refresh_tokens (session_id, token_hash, prefix, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, session_id).bind_blob(2, hash).bind(3, prefix).bind(4, now).bind(5, expires_at);
  s.run();
}

}  // namespace

const std::string_view kUserColumns =
    "id, uuid, tenant_id, email, password_hash, email_verified_at, disabled, display_name, password_changed_at, "
    "created_at, updated_at, mfa_enabled_at";

UserRecord read_user(const Statement& s) {
  UserRecord u;
  u.id = s.int64(0);
  u.uuid = s.text(1);
  u.tenant_id = s.text(2);
  u.email = s.text(3);
  u.password_hash = s.opt_text(4);
  u.email_verified_at = s.opt_int64(5);
  u.disabled = s.int64(6) != 0;
  u.display_name = s.opt_text(7);
  u.password_changed_at = s.opt_int64(8);
  u.created_at = s.int64(9);
  u.updated_at = s.int64(10);
  u.mfa_enabled_at = s.opt_int64(11);
  return u;
}

std::optional<UserRecord> user_by_email(SqliteConnection& c, std::string_view tenant_id, std::string_view email) {
  auto s = c.prepare(std::string("SELECT ") + std::string(kUserColumns) +
                     " FROM users WHERE tenant_id = ?1 AND email = ?2");
  s.bind(1, tenant_id).bind(2, email);
  if (!s.step()) return std::nullopt;
  return read_user(s);
}

std::optional<UserRecord> user_by_id(SqliteConnection& c, std::int64_t user_id) {
  auto s = c.prepare(std::string("SELECT ") + std::string(kUserColumns) + " FROM users WHERE id = ?1");
  s.bind(1, user_id);
  if (!s.step()) return std::nullopt;
  return read_user(s);
}

void revoke_session_row(SqliteConnection& c, std::string_view id, std::int64_t now, std::string_view reason) {
  auto s = c.prepare("UPDATE sessions SET revoked_at = ?2, revoke_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL");
  s.bind(1, id).bind(2, now).bind(3, reason);
  s.run();
}

int revoke_sessions_of(SqliteConnection& c, std::int64_t user_id, std::optional<std::string_view> keep,
                       std::int64_t now, std::string_view reason) {
  auto s = c.prepare(
      "UPDATE sessions SET revoked_at = ?2, revoke_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL AND "
      "(?4 IS NULL OR id <> ?4)");
  s.bind(1, user_id).bind(2, now).bind(3, reason);
  if (keep) s.bind(4, *keep);
  else s.bind_null(4);
  s.run();
  return c.changes();
}

std::optional<UserRecord> SqliteStore::find_user_by_email(std::string_view tenant_id, std::string_view email) {
  return impl_->read([&](SqliteConnection& c) { return user_by_email(c, tenant_id, email); });
}

std::optional<UserRecord> SqliteStore::find_user(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) { return user_by_id(c, user_id); });
}

void SqliteStore::set_user_disabled(std::int64_t user_id, bool disabled, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1");
    s.bind(1, user_id).bind(2, disabled).bind(3, now);
    s.run();
  });
}

RegistrationOutcome SqliteStore::register_user(const Registration& r) {
  return impl_->write([&](SqliteConnection& c) -> RegistrationOutcome {
    auto existing = user_by_email(c, r.tenant_id, r.email);
    const bool registered = existing && (existing->email_verified_at || !existing->password_hash);
    if (registered) {
      // Verified, or created by a partner: tell the owner of the address, change nothing.
      MailThrottle exists_throttle = r.throttle;
      if (!mail_allowed(c, r.email, exists_throttle, r.now)) return RegistrationOutcome::Throttled;
      insert_outbox_row(c, r.account_exists_mail, impl_->outbox_cipher.load());
      return RegistrationOutcome::AlreadyRegistered;
    }
    if (!mail_allowed(c, r.email, r.throttle, r.now)) return RegistrationOutcome::Throttled;
    std::int64_t user_id = 0;
    if (existing) {
      auto s = c.prepare("UPDATE users SET password_hash = ?2, display_name = COALESCE(?3, display_name), "
                         "updated_at = ?4 WHERE id = ?1");
      s.bind(1, existing->id).bind(2, r.password_hash).bind(3, r.display_name).bind(4, r.now);
      s.run();
      user_id = existing->id;
    } else {
      auto s = c.prepare(
          "INSERT INTO users (uuid, tenant_id, email, password_hash, display_name, created_at, updated_at) VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?6)");
      s.bind(1, r.new_user_uuid).bind(2, r.tenant_id).bind(3, r.email).bind(4, r.password_hash);
      s.bind(5, r.display_name).bind(6, r.now);
      s.run();
      user_id = c.last_insert_rowid();
    }
    insert_token(c, r.verification, user_id, impl_->outbox_cipher.load());
    return existing ? RegistrationOutcome::UpdatedPending : RegistrationOutcome::CreatedPending;
  });
}

bool SqliteStore::issue_token(const TokenIssue& issue) {
  return impl_->write([&](SqliteConnection& c) {
    if (issue.throttle && issue.mail && !mail_allowed(c, issue.mail->recipient, *issue.throttle, issue.now))
      return false;
    insert_token(c, issue, issue.user_id, impl_->outbox_cipher.load());
    return true;
  });
}

namespace {
constexpr std::string_view kTokenColumns =
    "id, kind, prefix, tenant_id, user_id, payload, expires_at, used_at, created_at";

AuthTokenRecord read_token(const Statement& s) {
  return AuthTokenRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.int64(4),
                         s.text(5),  s.int64(6), s.opt_int64(7), s.int64(8)};
}
}  // namespace

std::optional<AuthTokenRecord> SqliteStore::consume_token(std::string_view kind, std::string_view token_hash,
                                                          std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<AuthTokenRecord> {
    auto s = c.prepare(std::string("UPDATE auth_tokens SET used_at = ?3 WHERE kind = ?1 AND token_hash = ?2 AND "
                                   "used_at IS NULL AND retired_at IS NULL AND expires_at > ?3 RETURNING ") +
                       std::string(kTokenColumns));
    s.bind(1, kind).bind_blob(2, token_hash).bind(3, now);
    if (!s.step()) return std::nullopt;
    auto row = read_token(s);
    while (s.step()) {
    }
    return row;
  });
}

std::optional<AuthTokenRecord> SqliteStore::find_live_token(std::string_view kind, std::string_view token_hash,
                                                            std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<AuthTokenRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kTokenColumns) +
                       " FROM auth_tokens WHERE kind = ?1 AND token_hash = ?2 AND used_at IS NULL AND retired_at IS "
                       "NULL AND expires_at > ?3");
    s.bind(1, kind).bind_blob(2, token_hash).bind(3, now);
    if (!s.step()) return std::nullopt;
    return read_token(s);
  });
}

void SqliteStore::start_session(const SessionStart& start) {
  impl_->write([&](SqliteConnection& c) {
    const auto& r = start.session;
    auto s = c.prepare(std::string("INSERT INTO sessions (") + std::string(kSessionColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)");
    s.bind(1, r.id).bind(2, r.tenant_id).bind(3, r.user_id).bind(4, r.surface).bind(5, r.app_id);
    s.bind(6, join_amr(r.amr)).bind(7, r.ip_group).bind(8, r.created_at).bind(9, r.expires_at);
    s.bind(10, r.last_refreshed_at);
    s.run();
    insert_refresh_token(c, r.id, start.refresh_hash, start.refresh_prefix, r.created_at, start.refresh_expires_at);
    if (start.mark_email_verified) {
      auto v = c.prepare("UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2 "
                         "WHERE id = ?1");
      v.bind(1, r.user_id).bind(2, r.created_at);
      v.run();
    }
    auto g = c.prepare(
        "INSERT INTO user_ip_groups (user_id, ip_group, last_sign_in_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (user_id, ip_group) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at");
    g.bind(1, r.user_id).bind(2, r.ip_group).bind(3, r.created_at);
    g.run();
  });
}

RefreshResult SqliteStore::rotate_refresh_token(const RefreshRotation& r) {
  return impl_->write([&](SqliteConnection& c) -> RefreshResult {
    auto q = c.prepare(
        "SELECT id, session_id, expires_at, used_at, successor_id FROM refresh_tokens WHERE token_hash = ?1");
    q.bind_blob(1, r.presented_hash);
    if (!q.step()) return {};
    const auto token_id = q.int64(0);
    const auto session_id = q.text(1);
    const auto expires_at = q.int64(2);
    const auto used_at = q.opt_int64(3);
    const auto successor_id = q.opt_int64(4);
    auto session = session_by_id(c, session_id);
    if (!session || session->surface != r.surface || session->revoked_at || session->expires_at <= r.now ||
        expires_at <= r.now)
      return {};

    if (used_at) {
      // A spent token again: either the lost-response case (recent, successor never used) or
      // theft, which ends the whole family.
      bool grace = false;
      if (r.reuse_grace > 0 && r.now - *used_at < r.reuse_grace && successor_id) {
        auto succ = c.prepare("SELECT used_at FROM refresh_tokens WHERE id = ?1");
        succ.bind(1, *successor_id);
        grace = succ.step() && succ.is_null(0);
      }
      if (!grace) {
        revoke_session_row(c, session_id, r.now, "refresh_token_reused");
        RefreshResult out;
        out.kind = RefreshResult::Kind::Reused;
        out.session = session;
        return out;
      }
      auto retire = c.prepare("UPDATE refresh_tokens SET used_at = ?2, expires_at = ?2 WHERE id = ?1");
      retire.bind(1, *successor_id).bind(2, r.now);
      retire.run();
    }
    const auto new_expires = std::min(r.now + r.lifetime, session->expires_at);
    insert_refresh_token(c, session_id, r.new_hash, r.new_prefix, r.now, new_expires);
    const auto new_id = c.last_insert_rowid();
    auto mark = c.prepare("UPDATE refresh_tokens SET used_at = COALESCE(used_at, ?2), successor_id = ?3 WHERE id = ?1");
    mark.bind(1, token_id).bind(2, r.now).bind(3, new_id);
    mark.run();
    auto touch = c.prepare("UPDATE sessions SET last_refreshed_at = ?2 WHERE id = ?1");
    touch.bind(1, session_id).bind(2, r.now);
    touch.run();
    session->last_refreshed_at = r.now;
    RefreshResult out;
    out.kind = RefreshResult::Kind::Rotated;
    out.session = session;
    out.refresh_expires_at = new_expires;
    return out;
  });
}

std::optional<SessionRecord> SqliteStore::find_session(std::string_view session_id) {
  return impl_->read([&](SqliteConnection& c) { return session_by_id(c, session_id); });
}

std::optional<SessionRecord> SqliteStore::find_session_by_refresh(std::string_view token_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<SessionRecord> {
    auto q = c.prepare("SELECT session_id FROM refresh_tokens WHERE token_hash = ?1");
    q.bind_blob(1, token_hash);
    if (!q.step()) return std::nullopt;
    return session_by_id(c, q.text(0));
  });
}

bool SqliteStore::revoke_session(std::string_view session_id, std::int64_t now, std::string_view reason) {
  return impl_->write([&](SqliteConnection& c) {
    revoke_session_row(c, session_id, now, reason);
    return c.changes() > 0;
  });
}

int SqliteStore::revoke_user_sessions(std::int64_t user_id, std::optional<std::string_view> keep, std::int64_t now,
                                      std::string_view reason) {
  return impl_->write([&](SqliteConnection& c) { return revoke_sessions_of(c, user_id, keep, now, reason); });
}

int SqliteStore::change_password(const PasswordChange& p) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE users SET password_hash = ?2, password_changed_at = ?3, updated_at = ?3, email_verified_at = CASE "
        "WHEN ?4 THEN COALESCE(email_verified_at, ?3) ELSE email_verified_at END WHERE id = ?1");
    s.bind(1, p.user_id).bind(2, p.password_hash).bind(3, p.now).bind(4, p.mark_email_verified);
    s.run();
    const int revoked = revoke_sessions_of(c, p.user_id, p.keep_session_id, p.now, "password_changed");
    if (p.mail) insert_outbox_row(c, *p.mail, impl_->outbox_cipher.load());
    return revoked;
  });
}

void SqliteStore::rehash_password(std::int64_t user_id, std::string_view password_hash) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1");
    s.bind(1, user_id).bind(2, password_hash);
    s.run();
  });
}

namespace {
FailureLane read_lane(const Statement& s) {
  FailureLane f;
  f.consecutive = static_cast<int>(s.int64(0));
  f.locks = static_cast<int>(s.int64(1));
  f.locked_until = s.opt_int64(2);
  f.last_failure_at = s.int64(3);
  return f;
}
}  // namespace

std::optional<FailureLane> SqliteStore::find_failure_lane(std::string_view tenant_id, std::string_view email,
                                                          std::string_view lane) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<FailureLane> {
    auto s = c.prepare(
        "SELECT consecutive, locks, locked_until, last_failure_at FROM auth_failures WHERE tenant_id = ?1 AND "
        "email = ?2 AND lane = ?3");
    s.bind(1, tenant_id).bind(2, email).bind(3, lane);
    if (!s.step()) return std::nullopt;
    return read_lane(s);
  });
}

FailureLane SqliteStore::record_failure(std::string_view tenant_id, std::string_view email, std::string_view lane,
                                        std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT consecutive, locks, locked_until, last_failure_at, last_lock_noticed_at FROM auth_failures WHERE "
        "tenant_id = ?1 AND email = ?2 AND lane = ?3");
    s.bind(1, tenant_id).bind(2, email).bind(3, lane);
    FailureLane f;
    std::optional<std::int64_t> noticed;
    if (s.step()) {
      f = read_lane(s);
      noticed = s.opt_int64(4);
      if (now - f.last_failure_at > kFailureMemory) f = FailureLane{};
    }
    f.consecutive += 1;
    f.last_failure_at = now;
    if (f.consecutive >= kFailuresBeforeLock) {
      const std::int64_t lock = std::min(kMaxLock, kMinute << std::min(f.locks, 4));
      f.locked_until = now + lock;
      f.locks += 1;
      f.first_lock_in_day = !noticed || now - *noticed > kDay;
      if (f.first_lock_in_day) noticed = now;
    }
    auto w = c.prepare(
        "INSERT INTO auth_failures (tenant_id, email, lane, consecutive, locks, locked_until, last_failure_at, "
        "last_lock_noticed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant_id, email, lane) DO UPDATE "
        "SET consecutive = excluded.consecutive, locks = excluded.locks, locked_until = excluded.locked_until, "
        "last_failure_at = excluded.last_failure_at, last_lock_noticed_at = excluded.last_lock_noticed_at");
    w.bind(1, tenant_id).bind(2, email).bind(3, lane).bind(4, f.consecutive).bind(5, f.locks);
    w.bind(6, f.locked_until).bind(7, f.last_failure_at).bind(8, noticed);
    w.run();
    return f;
  });
}

void SqliteStore::clear_failures(std::string_view tenant_id, std::string_view email,
                                 std::optional<std::string_view> lane) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("DELETE FROM auth_failures WHERE tenant_id = ?1 AND email = ?2 AND (?3 IS NULL OR lane = ?3)");
    s.bind(1, tenant_id).bind(2, email);
    if (lane) s.bind(3, *lane);
    else s.bind_null(3);
    s.run();
  });
}

bool SqliteStore::is_known_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t since) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT 1 FROM user_ip_groups WHERE user_id = ?1 AND ip_group = ?2 AND last_sign_in_at >= ?3");
    s.bind(1, user_id).bind(2, ip_group).bind(3, since);
    return s.step();
  });
}

void SqliteStore::remember_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto g = c.prepare(
        "INSERT INTO user_ip_groups (user_id, ip_group, last_sign_in_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (user_id, ip_group) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at");
    g.bind(1, user_id).bind(2, ip_group).bind(3, now);
    g.run();
  });
}

void SqliteStore::enqueue_mail(const OutboxMessage& mail) {
  impl_->write([&](SqliteConnection& c) { insert_outbox_row(c, mail, impl_->outbox_cipher.load()); });
}

}  // namespace polysim::store::sqlite
