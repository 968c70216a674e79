// SqliteStore's Dashboard part (store/staff_store.hpp, migration 12). The login lock lives in
// auth_failures, the failed-attempt store of 20-trader-api.md §4, as its own lane under an empty
// tenant: staff emails are unique across the installation, so no tenant names the lane.
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kStaffColumns = "id, tenant_id, email, password_hash, disabled, created_at";
constexpr std::string_view kSessionColumns =
    "token_hash, staff_id, csrf_token, flash, ip, created_at, last_seen_at, expires_at, ended_at";
constexpr std::string_view kLockTenant = "";
constexpr std::string_view kLockLane = "dashboard";

StaffRecord read_staff(const Statement& s) {
  StaffRecord r;
  r.id = s.text(0);
  r.tenant_id = s.text(1);
  r.email = s.text(2);
  r.password_hash = s.text(3);
  r.disabled = s.int64(4) != 0;
  r.created_at = s.int64(5);
  return r;
}

DashboardSessionRecord read_session(const Statement& s) {
  DashboardSessionRecord r;
  r.token_hash = s.blob(0);
  r.staff_id = s.text(1);
  r.csrf_token = s.text(2);
  r.flash = s.opt_text(3);
  r.ip = s.text(4);
  r.created_at = s.int64(5);
  r.last_seen_at = s.int64(6);
  r.expires_at = s.int64(7);
  r.ended_at = s.opt_int64(8);
  return r;
}

void write_audit(SqliteConnection& c, const AuditEntry& e) {
  auto s = c.prepare(
      "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target, details, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  // An attempt on an unknown email belongs to no tenant.
  if (e.tenant_id.empty()) s.bind_null(1);
  else s.bind(1, e.tenant_id);
  s.bind(2, e.actor_kind).bind(3, e.actor_id).bind(4, e.action).bind(5, e.target);
  s.bind(6, e.details_json).bind(7, e.at);
  s.run();
}

std::optional<StaffRecord> staff_where(SqliteConnection& c, std::string_view column, std::string_view value) {
  // `column` is one of two literals chosen below, never input.
  auto s = c.prepare(std::string("SELECT ") + std::string(kStaffColumns) + " FROM staff WHERE " + std::string(column) +
                     " = ?1");
  s.bind(1, value);
  if (!s.step()) return std::nullopt;
  return read_staff(s);
}

}  // namespace

StaffCreateOutcome SqliteStore::create_staff(const StaffRecord& staff, const AuditEntry& audit) {
  try {
    impl_->write([&](SqliteConnection& c) {
      auto s = c.prepare(
          "INSERT INTO staff (id, tenant_id, email, password_hash, disabled, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
      s.bind(1, staff.id).bind(2, staff.tenant_id).bind(3, staff.email).bind(4, staff.password_hash);
      s.bind(5, staff.disabled).bind(6, staff.created_at);
      s.run();
      write_audit(c, audit);
    });
  } catch (const UniqueViolation&) {
    return StaffCreateOutcome::EmailTaken;
  }
  return StaffCreateOutcome::Created;
}

std::optional<StaffRecord> SqliteStore::find_staff(std::string_view staff_id) {
  return impl_->read([&](SqliteConnection& c) { return staff_where(c, "id", staff_id); });
}

std::optional<StaffRecord> SqliteStore::find_staff_by_email(std::string_view email) {
  return impl_->read([&](SqliteConnection& c) { return staff_where(c, "email", email); });
}

void SqliteStore::start_dashboard_session(const DashboardSessionRecord& session,
                                          const std::optional<std::string>& replaced, const AuditEntry& audit) {
  impl_->write([&](SqliteConnection& c) {
    if (replaced) {
      auto end = c.prepare("UPDATE dashboard_sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL");
      end.bind_blob(1, *replaced).bind(2, session.created_at);
      end.run();
    }
    auto s = c.prepare(
        "INSERT INTO dashboard_sessions (token_hash, staff_id, csrf_token, flash, ip, created_at, last_seen_at, "
        "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    s.bind_blob(1, session.token_hash).bind(2, session.staff_id).bind(3, session.csrf_token).bind(4, session.flash);
    s.bind(5, session.ip).bind(6, session.created_at).bind(7, session.expires_at);
    s.run();
    write_audit(c, audit);
  });
}

std::optional<DashboardSessionRecord> SqliteStore::find_dashboard_session(std::string_view token_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<DashboardSessionRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kSessionColumns) +
                       " FROM dashboard_sessions WHERE token_hash = ?1");
    s.bind_blob(1, token_hash);
    if (!s.step()) return std::nullopt;
    return read_session(s);
  });
}

void SqliteStore::touch_dashboard_session(std::string_view token_hash, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE dashboard_sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2");
    s.bind_blob(1, token_hash).bind(2, now);
    s.run();
  });
}

void SqliteStore::set_dashboard_flash(std::string_view token_hash, const std::optional<std::string>& flash) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE dashboard_sessions SET flash = ?2 WHERE token_hash = ?1");
    s.bind_blob(1, token_hash).bind(2, flash);
    s.run();
  });
}

void SqliteStore::end_dashboard_session(std::string_view token_hash, std::int64_t now,
                                        const std::optional<AuditEntry>& audit) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE dashboard_sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL");
    s.bind_blob(1, token_hash).bind(2, now);
    s.run();
    if (audit && c.changes() > 0) write_audit(c, *audit);
  });
}

std::optional<std::int64_t> SqliteStore::staff_login_locked_until(std::string_view email, std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<std::int64_t> {
    auto s = c.prepare(
        "SELECT locked_until FROM auth_failures WHERE tenant_id = ?1 AND email = ?2 AND lane = ?3 AND "
        "locked_until > ?4");
    s.bind(1, kLockTenant).bind(2, email).bind(3, kLockLane).bind(4, now);
    if (!s.step()) return std::nullopt;
    return s.opt_int64(0);
  });
}

std::optional<std::int64_t> SqliteStore::record_staff_login_failure(std::string_view email, std::int64_t now,
                                                                    const StaffLockPolicy& policy,
                                                                    const AuditEntry& audit) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<std::int64_t> {
    auto s = c.prepare(
        "SELECT consecutive, locks, last_failure_at FROM auth_failures WHERE tenant_id = ?1 AND email = ?2 AND "
        "lane = ?3");
    s.bind(1, kLockTenant).bind(2, email).bind(3, kLockLane);
    std::int64_t count = 0, locks = 0;
    if (s.step()) {
      count = s.int64(0);
      locks = s.int64(1);
      if (now - s.int64(2) > policy.window) count = 0;
    }
    count += 1;
    std::optional<std::int64_t> locked_until;
    if (count >= policy.max_failures) {
      locked_until = now + policy.lock_for;
      locks += 1;
      count = 0;  // after the lock, the next five failures lock again
    }
    auto w = c.prepare(
        "INSERT INTO auth_failures (tenant_id, email, lane, consecutive, locks, locked_until, last_failure_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (tenant_id, email, lane) DO UPDATE SET "
        "consecutive = excluded.consecutive, locks = excluded.locks, "
        "locked_until = COALESCE(excluded.locked_until, auth_failures.locked_until), "
        "last_failure_at = excluded.last_failure_at");
    w.bind(1, kLockTenant).bind(2, email).bind(3, kLockLane).bind(4, count).bind(5, locks);
    w.bind(6, locked_until).bind(7, now);
    w.run();
    write_audit(c, audit);
    return locked_until;
  });
}

void SqliteStore::clear_staff_login_failures(std::string_view email) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("DELETE FROM auth_failures WHERE tenant_id = ?1 AND email = ?2 AND lane = ?3");
    s.bind(1, kLockTenant).bind(2, email).bind(3, kLockLane);
    s.run();
  });
}

std::vector<AuditRow> SqliteStore::list_audit(const AuditQuery& q) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<AuditRow> out;
    auto s = c.prepare(
        "SELECT id, tenant_id, actor_kind, actor_id, action, target, details, at FROM audit_log "
        "WHERE tenant_id = ?1 AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR id < ?3) "
        "ORDER BY id DESC LIMIT ?4");
    s.bind(1, q.tenant_id).bind(2, q.action).bind(3, q.before_id).bind(4, q.limit);
    while (s.step()) {
      AuditRow r;
      r.id = s.int64(0);
      r.entry.tenant_id = s.opt_text(1).value_or("");
      r.entry.actor_kind = s.text(2);
      r.entry.actor_id = s.text(3);
      r.entry.action = s.text(4);
      r.entry.target = s.text(5);
      r.entry.details_json = s.text(6);
      r.entry.at = s.int64(7);
      out.push_back(std::move(r));
    }
    return out;
  });
}

std::vector<TenantUserRow> SqliteStore::list_tenant_users(const TenantUserQuery& q) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<TenantUserRow> out;
    auto s = c.prepare(
        "SELECT u.id, u.uuid, u.email, m.external_id, u.created_via, a.name, "
        "(SELECT group_concat(name, ', ') FROM (SELECT a2.name AS name FROM app_users au2 "
        "JOIN apps a2 ON a2.id = au2.app_id WHERE au2.user_id = u.id ORDER BY a2.name)), "
        "(SELECT COUNT(*) FROM accounts ac WHERE ac.user_id = u.id), u.disabled, u.created_at "
        "FROM users u "
        "LEFT JOIN partner_user_mappings m ON m.tenant_id = u.tenant_id AND m.user_id = u.id "
        "LEFT JOIN apps a ON a.id = u.created_via_app "
        "WHERE u.tenant_id = ?1 "
        "AND (?2 IS NULL OR EXISTS (SELECT 1 FROM app_users au WHERE au.user_id = u.id AND au.app_id = ?2)) "
        "AND (?3 IS NULL OR instr(lower(u.email), ?3) > 0) "
        "AND (?4 IS NULL OR u.id < ?4) "
        "ORDER BY u.id DESC LIMIT ?5");
    s.bind(1, q.tenant_id).bind(2, q.app_id).bind(3, q.email_contains).bind(4, q.before_id).bind(5, q.limit);
    while (s.step()) {
      TenantUserRow r;
      r.id = s.int64(0);
      r.uuid = s.text(1);
      r.email = s.text(2);
      r.external_id = s.opt_text(3);
      r.created_via = s.opt_text(4);
      r.created_via_app_name = s.opt_text(5);
      r.app_names = s.opt_text(6).value_or("");
      r.account_count = s.int64(7);
      r.disabled = s.int64(8) != 0;
      r.created_at = s.int64(9);
      out.push_back(std::move(r));
    }
    return out;
  });
}

bool SqliteStore::set_tenant_user_disabled(std::string_view tenant_id, std::int64_t user_id, bool disabled,
                                           std::int64_t now, const AuditEntry& audit) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE users SET disabled = ?3, updated_at = ?4 WHERE id = ?1 AND tenant_id = ?2 AND disabled <> ?3");
    s.bind(1, user_id).bind(2, tenant_id).bind(3, disabled).bind(4, now);
    s.run();
    if (c.changes() == 0) return false;
    write_audit(c, audit);
    return true;
  });
}

}  // namespace polysim::store::sqlite
