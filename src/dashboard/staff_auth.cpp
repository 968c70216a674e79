#include "dashboard/staff_auth.hpp"

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "auth/password_hasher.hpp"
#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/encoding.hpp"

namespace polysim::dashboard {

namespace {

constexpr auto kHashWait = std::chrono::seconds(2);
// Writing last_seen_at on every page would make each view a write; a minute's precision is
// plenty against a 60-minute idle limit.
constexpr std::int64_t kTouchEvery = kMinuteMicros;

store::AuditEntry staff_audit(std::string tenant_id, std::string actor_id, std::string action, std::string target,
                              const RequestOrigin& from, boost::json::object details, std::int64_t now) {
  store::AuditEntry e;
  e.tenant_id = std::move(tenant_id);
  e.actor_kind = "staff";
  e.actor_id = std::move(actor_id);
  e.action = std::move(action);
  e.target = std::move(target);
  if (!from.ip.empty()) details["ip"] = from.ip;
  if (!from.request_id.empty()) details["requestId"] = from.request_id;
  e.details_json = boost::json::serialize(details);
  e.at = now;
  return e;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::string new_secret_token() {
  std::array<std::uint8_t, 32> bytes{};
  random_bytes(bytes);
  return base64url_encode(bytes);
}

std::string token_hash(std::string_view token) {
  const auto digest = sha256(token);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool tokens_match(std::string_view expected, std::string_view given) {
  if (given.empty() || expected.empty()) return false;
  return constant_time_equal(expected, given);
}

StaffAuth::StaffAuth(store::Store& store, store::StaffStore& staff, auth::PasswordHashing& hashing, const Clock& clock)
    : store_(store),
      staff_(staff),
      hashing_(hashing),
      clock_(clock),
      dummy_hash_(auth::hash_password(new_secret_token(), hashing.params())) {}

LoginOutcome StaffAuth::login(std::string_view email_text, std::string_view password, const RequestOrigin& from,
                              const std::optional<std::string>& previous_token) {
  LoginOutcome out;
  const auto normalized = normalize_email(email_text);
  // The lock is per email as typed, known or not, so it never tells which emails exist.
  const std::string email = normalized ? *normalized : lower_ascii(email_text);
  const auto now = clock_.now_unix_micros();
  if (auto locked = staff_.staff_login_locked_until(email, now)) {
    out.kind = LoginOutcome::Kind::Locked;
    out.lock_minutes = std::max<std::int64_t>(1, (*locked - now + kMinuteMicros - 1) / kMinuteMicros);
    return out;
  }
  const auto staff = normalized ? staff_.find_staff_by_email(email) : std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + kHashWait;
  const bool password_ok = hashing_.verify(staff ? staff->password_hash : dummy_hash_, password, deadline) && staff;
  std::optional<store::TenantRecord> tenant;
  if (staff) tenant = store_.find_tenant(staff->tenant_id);
  const char* reason = !staff ? "unknown_email"
                       : !password_ok ? "wrong_password"
                       : staff->disabled ? "staff_disabled"
                       : (!tenant || tenant->disabled) ? "tenant_disabled"
                                                      : nullptr;
  if (reason) {
    const auto after = clock_.now_unix_micros();
    auto audit = staff_audit(staff ? staff->tenant_id : std::string(), staff ? staff->id + " " + staff->email : email,
                             "staff.login_failed", staff ? "staff:" + staff->id : "staff_email:" + email, from,
                             {{"email", email}, {"reason", reason}}, after);
    const store::StaffLockPolicy policy{kLoginFailuresBeforeLock, kLoginFailureWindow, kLoginLock};
    if (auto lock = staff_.record_staff_login_failure(email, after, policy, audit)) {
      out.kind = LoginOutcome::Kind::Locked;
      out.lock_minutes = (*lock - after + kMinuteMicros - 1) / kMinuteMicros;
    }
    return out;
  }

  staff_.clear_staff_login_failures(email);
  store::DashboardSessionRecord session;
  out.token = new_secret_token();
  session.token_hash = token_hash(out.token);
  session.staff_id = staff->id;
  session.csrf_token = new_secret_token();
  session.ip = from.ip;
  session.created_at = session.last_seen_at = clock_.now_unix_micros();
  session.expires_at = session.created_at + kSessionLifetime;
  std::optional<std::string> replaced;
  if (previous_token && !previous_token->empty()) replaced = token_hash(*previous_token);
  staff_.start_dashboard_session(session, replaced,
                                 staff_audit(staff->tenant_id, staff->id + " " + staff->email, "staff.login",
                                             "staff:" + staff->id, from, {}, session.created_at));
  out.kind = LoginOutcome::Kind::SignedIn;
  return out;
}

std::optional<StaffSession> StaffAuth::session(std::string_view token) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  const auto hash = token_hash(token);
  auto found = staff_.find_dashboard_session(hash);
  const auto now = clock_.now_unix_micros();
  if (!found || found->ended_at || now >= found->expires_at || now - found->last_seen_at > kSessionIdle)
    return std::nullopt;
  auto staff = staff_.find_staff(found->staff_id);
  if (!staff || staff->disabled) return std::nullopt;
  auto tenant = store_.find_tenant(staff->tenant_id);
  if (!tenant || tenant->disabled) return std::nullopt;
  if (now - found->last_seen_at >= kTouchEvery) {
    staff_.touch_dashboard_session(hash, now);
    found->last_seen_at = now;
  }
  return StaffSession{std::move(*staff), std::move(*tenant), std::move(*found)};
}

void StaffAuth::logout(const StaffSession& who, const RequestOrigin& from) {
  const auto now = clock_.now_unix_micros();
  staff_.end_dashboard_session(who.session.token_hash, now,
                               staff_audit(who.staff.tenant_id, who.staff.id + " " + who.staff.email, "staff.logout",
                                           "staff:" + who.staff.id, from, {}, now));
}

void StaffAuth::set_notice(const StaffSession& who, const std::string& notice) {
  staff_.set_dashboard_flash(who.session.token_hash, notice);
}

std::string StaffAuth::take_notice(const StaffSession& who) {
  if (!who.session.flash) return {};
  staff_.set_dashboard_flash(who.session.token_hash, std::nullopt);
  return *who.session.flash;
}

}  // namespace polysim::dashboard
