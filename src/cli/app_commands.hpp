// `polysim app create|list|show` (30-partner-apps.md §1): operators create apps for a tenant;
// the Dashboard does the same through the same registry.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command_context.hpp"
#include "store/app_store.hpp"

namespace polysim::cli {

struct AppCreateInput {
  std::string tenant;
  std::string name;
  std::vector<std::string> redirect_origins;
};

// InvalidInput for an unknown tenant or an invalid name or origin.
store::AppRecord create_app(CommandContext& context, const AppCreateInput& input);
std::vector<store::AppRecord> list_apps(CommandContext& context, const std::string& tenant);
store::AppRecord show_app(CommandContext& context, const std::string& app_id);

void print_app(std::ostream& out, bool json, const store::AppRecord& app);
void print_apps(std::ostream& out, bool json, const std::vector<store::AppRecord>& apps);

}  // namespace polysim::cli
