// Failed-attempt backoff per account (20-trader-api.md §4): the lane of a request, the lock check
// that runs before any password or code is looked at, and the counting of a failure.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_failure.hpp"
#include "auth/mailer.hpp"
#include "core/clock.hpp"
#include "store/identity_store.hpp"

namespace polysim::auth {

class FailureLanes {
 public:
  FailureLanes(store::IdentityStore& store, Mailer& mailer, const Clock& clock)
      : store_(store), mailer_(mailer), clock_(clock) {}

  // The client's IP group when it completed a sign-in for this user within 30 days, else the
  // one lane shared by every unknown address.
  std::string lane_for(const std::optional<store::UserRecord>& user, std::string_view ip_group);
  // 429 too_many_failed_attempts while the lane is locked.
  void refuse_if_locked(std::string_view tenant_id, std::string_view email, std::string_view lane);
  // Counts the failure (the first lock of a day mails the owner a security notice), then
  // throws `failure`.
  [[noreturn]] void count_and_throw(std::string_view tenant_id, std::string_view email, std::string_view lane,
                                    const std::optional<store::UserRecord>& user, AuthFailure failure);
  void clear(std::string_view tenant_id, std::string_view email, std::optional<std::string_view> lane) {
    store_.clear_failures(tenant_id, email, lane);
  }

 private:
  store::IdentityStore& store_;
  Mailer& mailer_;
  const Clock& clock_;
};

}  // namespace polysim::auth
