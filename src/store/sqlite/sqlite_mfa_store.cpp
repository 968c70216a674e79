// SqliteStore's MFA part (store/identity_store.hpp, 20-trader-api.md §6).
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

void mark_backup_codes_replaced(SqliteConnection& c, std::int64_t user_id, std::int64_t now) {
  auto s = c.prepare("UPDATE backup_codes SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL");
  s.bind(1, user_id).bind(2, now);
  s.run();
}

void insert_backup_codes(SqliteConnection& c, std::int64_t user_id, const std::vector<std::string>& hashes,
                         std::int64_t now) {
  for (const auto& h : hashes) {
    auto s = c.prepare("INSERT INTO backup_codes (user_id, code_hash, created_at) VALUES (?1, ?2, ?3)");
    s.bind(1, user_id).bind(2, h).bind(3, now);
    s.run();
  }
}

}  // namespace

MfaState SqliteStore::mfa_state(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    MfaState m;
    auto s = c.prepare(
        "SELECT mfa_enabled_at, totp_secret, totp_last_step, totp_pending, totp_pending_expires_at, "
        "(SELECT COUNT(*) FROM backup_codes b WHERE b.user_id = users.id AND b.used_at IS NULL) FROM users WHERE id = ?1");
    s.bind(1, user_id);
    if (!s.step()) return m;
    m.enabled_at = s.opt_int64(0);
    m.secret_sealed = s.opt_text(1);
    m.last_step = s.opt_int64(2);
    m.pending_sealed = s.opt_text(3);
    m.pending_expires_at = s.opt_int64(4);
    m.backup_codes_remaining = static_cast<int>(s.int64(5));
    return m;
  });
}

void SqliteStore::set_pending_totp(std::int64_t user_id, std::string_view sealed, std::int64_t expires_at) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE users SET totp_pending = ?2, totp_pending_expires_at = ?3 WHERE id = ?1");
    s.bind(1, user_id).bind(2, sealed).bind(3, expires_at);
    s.run();
  });
}

bool SqliteStore::enable_mfa(const MfaEnable& e) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE users SET mfa_enabled_at = ?3, totp_secret = totp_pending, totp_last_step = ?4, totp_pending = NULL, "
        "totp_pending_expires_at = NULL, updated_at = ?3 WHERE id = ?1 AND mfa_enabled_at IS NULL AND totp_pending = ?2");
    s.bind(1, e.user_id).bind(2, e.pending_sealed).bind(3, e.now).bind(4, e.accepted_step);
    s.run();
    if (c.changes() == 0) return false;
    mark_backup_codes_replaced(c, e.user_id, e.now);
    insert_backup_codes(c, e.user_id, e.backup_code_hashes, e.now);
    revoke_sessions_of(c, e.user_id, e.keep_session_id, e.now, "mfa_enabled");
    auto amr = c.prepare("SELECT amr FROM sessions WHERE id = ?1");
    amr.bind(1, e.keep_session_id);
    if (amr.step()) {
      auto methods = split_amr(amr.text(0));
      if (std::find(methods.begin(), methods.end(), "otp") == methods.end()) methods.push_back("otp");
      auto upd = c.prepare("UPDATE sessions SET amr = ?2 WHERE id = ?1");
      upd.bind(1, e.keep_session_id).bind(2, join_amr(methods));
      upd.run();
    }
    if (e.mail) insert_outbox_row(c, *e.mail, impl_->outbox_cipher.load());
    return true;
  });
}

void SqliteStore::disable_mfa(std::int64_t user_id, std::int64_t now, const std::optional<OutboxMessage>& mail) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE users SET mfa_enabled_at = NULL, totp_secret = NULL, totp_last_step = NULL, totp_pending = NULL, "
        "totp_pending_expires_at = NULL, updated_at = ?2 WHERE id = ?1");
    s.bind(1, user_id).bind(2, now);
    s.run();
    mark_backup_codes_replaced(c, user_id, now);
    if (mail) insert_outbox_row(c, *mail, impl_->outbox_cipher.load());
  });
}

void SqliteStore::replace_backup_codes(std::int64_t user_id, const std::vector<std::string>& hashes, std::int64_t now,
                                       const std::optional<OutboxMessage>& mail) {
  impl_->write([&](SqliteConnection& c) {
    mark_backup_codes_replaced(c, user_id, now);
    insert_backup_codes(c, user_id, hashes, now);
    if (mail) insert_outbox_row(c, *mail, impl_->outbox_cipher.load());
  });
}

bool SqliteStore::accept_totp_step(std::int64_t user_id, std::int64_t step) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)");
    s.bind(1, user_id).bind(2, step);
    s.run();
    return c.changes() > 0;
  });
}

std::vector<BackupCodeRow> SqliteStore::unused_backup_codes(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT id, code_hash FROM backup_codes WHERE user_id = ?1 AND used_at IS NULL ORDER BY id");
    s.bind(1, user_id);
    std::vector<BackupCodeRow> out;
    while (s.step()) out.push_back(BackupCodeRow{s.int64(0), s.text(1)});
    return out;
  });
}

bool SqliteStore::use_backup_code(std::int64_t code_id, std::int64_t now, const std::optional<OutboxMessage>& mail) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE backup_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL");
    s.bind(1, code_id).bind(2, now);
    s.run();
    if (c.changes() == 0) return false;
    if (mail) insert_outbox_row(c, *mail, impl_->outbox_cipher.load());
    return true;
  });
}

void SqliteStore::create_mfa_challenge(const MfaChallengeRecord& r) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO mfa_challenges (token_hash, tenant_id, user_id, flow, amr, redirect_url, expires_at, created_at, "
        "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    s.bind_blob(1, r.token_hash).bind(2, r.tenant_id).bind(3, r.user_id).bind(4, r.flow).bind(5, join_amr(r.amr));
    s.bind(6, r.redirect_url).bind(7, r.expires_at).bind(8, r.created_at).bind(9, r.payload_json);
    s.run();
  });
}

std::optional<MfaChallengeRecord> SqliteStore::find_mfa_challenge(std::string_view token_hash, std::int64_t now,
                                                                  int max_attempts) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<MfaChallengeRecord> {
    auto s = c.prepare(
        "SELECT id, tenant_id, user_id, flow, amr, redirect_url, attempts, expires_at, created_at, payload FROM "
        "mfa_challenges "
        "WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 AND attempts < ?3");
    s.bind_blob(1, token_hash).bind(2, now).bind(3, max_attempts);
    if (!s.step()) return std::nullopt;
    MfaChallengeRecord r;
    r.id = s.int64(0);
    r.token_hash = std::string(token_hash);
    r.tenant_id = s.text(1);
    r.user_id = s.int64(2);
    r.flow = s.text(3);
    r.amr = split_amr(s.text(4));
    r.redirect_url = s.opt_text(5);
    r.attempts = static_cast<int>(s.int64(6));
    r.expires_at = s.int64(7);
    r.created_at = s.int64(8);
    r.payload_json = s.opt_text(9);
    return r;
  });
}

void SqliteStore::record_mfa_challenge_failure(std::int64_t challenge_id) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = ?1");
    s.bind(1, challenge_id);
    s.run();
  });
}

bool SqliteStore::consume_mfa_challenge(std::int64_t challenge_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE mfa_challenges SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL");
    s.bind(1, challenge_id).bind(2, now);
    s.run();
    return c.changes() > 0;
  });
}

}  // namespace polysim::store::sqlite
