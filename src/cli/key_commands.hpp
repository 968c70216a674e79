// Tenant API key administration (10-partner-api.md §2.1, §10). A key's plaintext exists only
// in the CreatedKey returned to the operator; the store receives its SHA-256 and a 14-char
// prefix for recognising it later. Deactivation is reversible, revocation is not.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_context.hpp"
#include "store/records.hpp"

namespace polysim::cli {

inline constexpr std::string_view kTenantKeyTag = "ps_tenant_";
inline constexpr std::size_t kKeyPrefixLength = 14;
inline constexpr std::size_t kMaxKeyNameLength = 100;

// In the order the spec lists them; stored and printed in this order whatever the input order.
const std::vector<std::string>& all_key_scopes();

// "users:write,accounts:read" → the listed scopes; at least one, none unknown.
std::vector<std::string> parse_scopes(std::string_view text);

// "<n>m|h|d|y" (minutes, hours, days, 365-day years), n ≥ 1 → microseconds.
std::int64_t parse_expires_in(std::string_view text);

struct KeyCreateInput {
  std::string tenant;  // id or name
  std::string name;
  std::optional<std::string> scopes;      // default: all
  std::optional<std::string> expires_in;  // default: never
};

struct CreatedKey {
  store::ApiKeyRecord record;
  std::string key;  // the only copy of the secret
};

CreatedKey create_key(CommandContext& context, const KeyCreateInput& input);

std::vector<store::ApiKeyRecord> list_keys(store::Store& store, std::string_view tenant_id_or_name);

enum class KeyStateChange { Deactivate, Reactivate, Revoke };

// Repeating a change already in effect succeeds and writes nothing. Deactivating or
// reactivating a revoked key is refused with InvalidInput.
store::ApiKeyRecord change_key_state(CommandContext& context, std::string_view key_id, KeyStateChange change);

// "revoked", "deactivated", "expired" or "active", in the partner API's precedence.
std::string key_status(const store::ApiKeyRecord& key, std::int64_t now_micros);

}  // namespace polysim::cli
