// Every change an operator makes through the CLI leaves one append-only audit entry, so a
// tenant's staff can see in the Dashboard what was changed on their behalf, and by whom.
#pragma once
#include <boost/json/object.hpp>
#include <string>

#include "cli/command_context.hpp"

namespace polysim::cli {

// `details` must never hold a secret (keys are shown once and exist nowhere else).
void record_audit(CommandContext& context, const std::string& tenant_id, const std::string& action,
                  const std::string& target, const boost::json::object& details);

}  // namespace polysim::cli
