#include "auth/failure_lanes.hpp"

namespace polysim::auth {

namespace {
constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kKnownLaneWindow = 30LL * 86'400 * kSecond;
constexpr std::string_view kUnknownLane = "unknown";
}  // namespace

std::string FailureLanes::lane_for(const std::optional<store::UserRecord>& user, std::string_view ip_group) {
  if (user && store_.is_known_ip_group(user->id, ip_group, clock_.now_unix_micros() - kKnownLaneWindow))
    return std::string(ip_group);
  return std::string(kUnknownLane);
}

void FailureLanes::refuse_if_locked(std::string_view tenant_id, std::string_view email, std::string_view lane) {
  auto state = store_.find_failure_lane(tenant_id, email, lane);
  const auto now = clock_.now_unix_micros();
  if (!state || !state->locked_until || *state->locked_until <= now) return;
  AuthFailure locked(429, "too_many_failed_attempts", "Too many failed attempts. Try again later.");
  locked.retry_after_s = (*state->locked_until - now + kSecond - 1) / kSecond;
  throw locked;
}

void FailureLanes::count_and_throw(std::string_view tenant_id, std::string_view email, std::string_view lane,
                                   const std::optional<store::UserRecord>& user, AuthFailure failure) {
  const auto lane_state = store_.record_failure(tenant_id, email, lane, clock_.now_unix_micros());
  if (lane_state.first_lock_in_day && user)
    store_.enqueue_mail(mailer_.compose(*user, "security_notice", "Repeated failed sign-in attempts",
                                        "Someone entered several wrong passwords or codes for your account, so "
                                        "attempts from unfamiliar places are paused for a few minutes. If this was "
                                        "not you, consider resetting your password."));
  throw failure;
}

}  // namespace polysim::auth
