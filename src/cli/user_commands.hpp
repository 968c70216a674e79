// `polysim user disable|enable --tenant T (--user-id N | --email E)` (00-overview.md).
#pragma once
#include <optional>
#include <string>

#include "cli/command_context.hpp"
#include "store/identity_store.hpp"

namespace polysim::cli {

struct UserSelector {
  std::string tenant;
  std::optional<std::string> user_id;  // as typed
  std::optional<std::string> email;
};

// Idempotent; audit-logged when the state changes. InvalidInput for an unknown tenant or user.
store::UserRecord set_user_disabled(CommandContext& context, const UserSelector& selector, bool disabled);

}  // namespace polysim::cli
