// Storage of the tenant Dashboard (30-partner-apps.md §9): staff, their browser sessions, the
// login lock of §9.1 and the tenant-scoped reads only the Dashboard makes (audit log, users).
// Session tokens arrive here as SHA-256 only. Calls block; run them off the event loops.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"

namespace polysim::store {

struct StaffRecord {
  std::string id;
  std::string tenant_id;
  std::string email;  // normalised; unique across the installation
  std::string password_hash;
  bool disabled = false;
  std::int64_t created_at = 0;
};

enum class StaffCreateOutcome { Created, EmailTaken };

struct DashboardSessionRecord {
  std::string token_hash;  // SHA-256 bytes of the cookie value
  std::string staff_id;
  std::string csrf_token;  // rendered into every form, so kept as is
  std::optional<std::string> flash;
  std::string ip;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t expires_at = 0;  // absolute end
  std::optional<std::int64_t> ended_at;
};

// The Dashboard login policy's parameters, owned by the caller so the store holds no rule.
struct StaffLockPolicy {
  int max_failures = 5;
  std::int64_t window = 0;    // µs: failures further apart than this start over
  std::int64_t lock_for = 0;  // µs
};

struct AuditQuery {
  std::string tenant_id;
  std::optional<std::string> action;
  std::optional<std::int64_t> before_id;  // keyset: rows older than this id
  int limit = 50;
};

struct AuditRow {
  std::int64_t id = 0;
  AuditEntry entry;
};

struct TenantUserQuery {
  std::string tenant_id;
  std::optional<std::string> app_id;          // signed in through this app
  std::optional<std::string> email_contains;  // lower case
  std::optional<std::int64_t> before_id;      // keyset: users with a smaller id
  int limit = 50;
};

struct TenantUserRow {
  std::int64_t id = 0;
  std::string uuid;
  std::string email;
  std::optional<std::string> external_id;  // partner mapping
  std::optional<std::string> created_via;  // "app" or null
  std::optional<std::string> created_via_app_name;
  std::string app_names;  // apps signed in through, ", "-separated
  std::int64_t account_count = 0;
  bool disabled = false;
  std::int64_t created_at = 0;
};

class StaffStore {
 public:
  virtual ~StaffStore() = default;

  virtual StaffCreateOutcome create_staff(const StaffRecord& staff, const AuditEntry& audit) = 0;
  virtual std::optional<StaffRecord> find_staff(std::string_view staff_id) = 0;
  virtual std::optional<StaffRecord> find_staff_by_email(std::string_view email) = 0;

  // Ends `replaced` (the browser's previous session, if any) and starts `session`, with the audit
  // entry of the login, in one transaction.
  virtual void start_dashboard_session(const DashboardSessionRecord& session,
                                       const std::optional<std::string>& replaced, const AuditEntry& audit) = 0;
  virtual std::optional<DashboardSessionRecord> find_dashboard_session(std::string_view token_hash) = 0;
  virtual void touch_dashboard_session(std::string_view token_hash, std::int64_t now) = 0;
  // The notice shown once on the next page; nullopt clears it.
  virtual void set_dashboard_flash(std::string_view token_hash, const std::optional<std::string>& flash) = 0;
  virtual void end_dashboard_session(std::string_view token_hash, std::int64_t now,
                                     const std::optional<AuditEntry>& audit) = 0;

  // Locked-until time of the email's Dashboard login lane, when it is later than `now`.
  virtual std::optional<std::int64_t> staff_login_locked_until(std::string_view email, std::int64_t now) = 0;
  // Counts a failure (with its audit entry); returns the lock it started, if it started one.
  virtual std::optional<std::int64_t> record_staff_login_failure(std::string_view email, std::int64_t now,
                                                                 const StaffLockPolicy& policy,
                                                                 const AuditEntry& audit) = 0;
  virtual void clear_staff_login_failures(std::string_view email) = 0;

  virtual std::vector<AuditRow> list_audit(const AuditQuery& query) = 0;
  virtual std::vector<TenantUserRow> list_tenant_users(const TenantUserQuery& query) = 0;
  // Sets the user's flag and writes the audit entry together; false when the user is not the
  // tenant's or already in that state.
  virtual bool set_tenant_user_disabled(std::string_view tenant_id, std::int64_t user_id, bool disabled,
                                        std::int64_t now, const AuditEntry& audit) = 0;
};

}  // namespace polysim::store
