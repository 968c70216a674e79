// Tenant administration for operators (10-partner-api.md §10): validation of every setting
// and the store calls, without any command-line parsing, so tests drive it directly. Inputs
// arrive as the text the operator typed; each function either applies a fully valid change
// (and audits it) or throws InvalidInput and changes nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_context.hpp"
#include "store/records.hpp"

namespace polysim::cli {

inline constexpr std::int64_t kMinStartingBalanceFloor = 10'000;                    // $0.01
inline constexpr std::int64_t kMaxStartingBalanceCeiling = 1'000'000'000'000'000;  // $1,000,000,000.00
inline constexpr std::int64_t kRateLimitMin = 1;
inline constexpr std::int64_t kRateLimitMax = 10'000'000;
inline constexpr std::size_t kMaxRedirectOrigins = 20;

struct TenantCreateInput {
  std::string name;
  std::optional<std::string> display_name;
  std::optional<std::string> partner_enabled;  // "true" | "false"
  std::optional<std::string> min_balance;
  std::optional<std::string> max_balance;
  std::vector<std::string> redirect_origins;
};

// Unset fields keep their value. An empty default_login_url removes it.
struct TenantSetInput {
  std::optional<std::string> display_name;
  std::optional<std::string> partner_enabled;
  std::optional<std::string> min_balance;
  std::optional<std::string> max_balance;
  std::optional<std::string> default_login_url;
  std::optional<std::string> tenant_per_second;
  std::optional<std::string> tenant_per_minute;
  std::optional<std::string> key_per_second;
  std::optional<std::string> key_per_minute;
  std::optional<std::string> demo_starting_balance;

  bool empty() const;
};

// Field parsers; `field` names the setting in the error message.
std::int64_t parse_usd_2dp(std::string_view field, std::string_view text);  // → micros, > 0
std::int64_t parse_rate_limit(std::string_view field, std::string_view text);
bool parse_true_false(std::string_view field, std::string_view text);
// The canonical spelling of one origin (the shared Origin type).
std::string normalise_origin(std::string_view text);
void validate_tenant_name(std::string_view name);

store::TenantRecord create_tenant(CommandContext& context, const TenantCreateInput& input);

// By id or by name; InvalidInput when there is none.
store::TenantRecord resolve_tenant(store::Store& store, std::string_view id_or_name);

store::TenantRecord set_tenant(CommandContext& context, std::string_view id_or_name, const TenantSetInput& input);

// Adding an origin already listed changes nothing.
store::TenantRecord add_redirect_origin(CommandContext& context, std::string_view id_or_name, std::string_view origin);
// Removing one that is not listed, or that default_login_url still relies on, is refused.
store::TenantRecord remove_redirect_origin(CommandContext& context, std::string_view id_or_name,
                                           std::string_view origin);

store::TenantRecord set_tenant_disabled(CommandContext& context, std::string_view id_or_name, bool disabled);

}  // namespace polysim::cli
