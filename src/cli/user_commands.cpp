#include "cli/user_commands.hpp"

#include "cli/audit_trail.hpp"
#include "core/email_address.hpp"

namespace polysim::cli {

store::UserRecord set_user_disabled(CommandContext& context, const UserSelector& selector, bool disabled) {
  if (!context.identity) throw std::logic_error("user commands need the identity store");
  auto tenant = context.store.find_tenant(selector.tenant);
  if (!tenant) throw InvalidInput("no tenant " + selector.tenant);
  if (!selector.user_id && !selector.email) throw InvalidInput("give --user-id or --email");
  std::optional<store::UserRecord> user;
  if (selector.user_id) {
    const auto& text = *selector.user_id;
    if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos)
      throw InvalidInput("--user-id: expected a positive integer");
    user = context.identity->find_user(std::stoll(text));
  } else if (auto email = normalize_email(*selector.email)) {
    user = context.identity->find_user_by_email(tenant->id, *email);
  }
  if (!user || user->tenant_id != tenant->id) throw InvalidInput("no such user in tenant " + tenant->name);
  if (user->disabled == disabled) return *user;
  const auto now = context.clock.now_unix_micros();
  context.identity->set_user_disabled(user->id, disabled, now);
  user->disabled = disabled;
  user->updated_at = now;
  record_audit(context, tenant->id, disabled ? "user.disable" : "user.enable", "user:" + user->uuid, {});
  return *user;
}

}  // namespace polysim::cli
