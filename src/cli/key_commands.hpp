// `polysim key …`: tenant API key administration (10-partner-api.md §2.1, §10) for operators.
// The rules live in partner/key_admin, which the Dashboard shares; this layer resolves tenants
// and key ids as typed, names the operator in the audit log and speaks InvalidInput.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_context.hpp"
#include "partner/key_admin.hpp"
#include "store/records.hpp"

namespace polysim::cli {

using partner::kKeyPrefixLength;
using partner::kMaxKeyNameLength;
using partner::kTenantKeyTag;

using partner::all_key_scopes;

// As partner::parse_scopes / parse_expires_in, throwing InvalidInput.
std::vector<std::string> parse_scopes(std::string_view text);
std::int64_t parse_expires_in(std::string_view text);

struct KeyCreateInput {
  std::string tenant;  // id or name
  std::string name;
  std::optional<std::string> scopes;      // default: all
  std::optional<std::string> expires_in;  // default: never
};

using partner::CreatedKey;

CreatedKey create_key(CommandContext& context, const KeyCreateInput& input);

std::vector<store::ApiKeyRecord> list_keys(store::Store& store, std::string_view tenant_id_or_name);

using partner::KeyStateChange;

// Repeating a change already in effect succeeds and writes nothing. Deactivating or
// reactivating a revoked key is refused with InvalidInput.
store::ApiKeyRecord change_key_state(CommandContext& context, std::string_view key_id, KeyStateChange change);

using partner::key_status;

}  // namespace polysim::cli
