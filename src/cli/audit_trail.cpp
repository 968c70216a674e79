#include "cli/audit_trail.hpp"

#include <boost/json/serialize.hpp>

namespace polysim::cli {

void record_audit(CommandContext& context, const std::string& tenant_id, const std::string& action,
                  const std::string& target, const boost::json::object& details) {
  store::AuditEntry entry;
  entry.tenant_id = tenant_id;
  entry.actor_kind = "cli";
  entry.actor_id = context.actor_id;
  entry.action = action;
  entry.target = target;
  entry.details_json = boost::json::serialize(details);
  entry.at = context.clock.now_unix_micros();
  context.store.append_audit(entry);
}

}  // namespace polysim::cli
