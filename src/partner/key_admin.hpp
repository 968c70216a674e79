// Tenant API key administration (10-partner-api.md §2.1, §10), shared by the CLI and the
// Dashboard so both validate, store and audit keys the same way. A key's plaintext exists only
// in the CreatedKey returned to the caller; the store receives its SHA-256 and a 14-char prefix
// for recognising it later. Deactivation is reversible, revocation is not.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/records.hpp"
#include "store/store.hpp"

namespace polysim::partner {

inline constexpr std::string_view kTenantKeyTag = "ps_tenant_";
inline constexpr std::size_t kKeyPrefixLength = 14;
inline constexpr std::size_t kMaxKeyNameLength = 100;

// The input is wrong (bad name, scope or lifetime, forbidden transition); the message says how.
struct KeyInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Who changes a key, for the audit log.
struct KeyActor {
  std::string kind;  // cli | staff
  std::string id;
  std::string ip;          // staff only
  std::string request_id;  // staff only
};

// In the order the spec lists them; stored and printed in this order whatever the input order.
const std::vector<std::string>& all_key_scopes();

// "users:write,accounts:read" → the listed scopes; at least one, none unknown.
std::vector<std::string> parse_scopes(std::string_view text);

// "<n>m|h|d|y" (minutes, hours, days, 365-day years), n ≥ 1 → microseconds.
std::int64_t parse_expires_in(std::string_view text);

struct NewKey {
  std::string tenant_id;
  std::string name;
  std::vector<std::string> scopes;       // checked against all_key_scopes(); empty: all
  std::optional<std::int64_t> lifetime;  // µs; nullopt: never expires
};

struct CreatedKey {
  store::ApiKeyRecord record;
  std::string key;  // the only copy of the secret
};

CreatedKey create_tenant_key(store::Store& store, const Clock& clock, UuidV7Generator& ids, const NewKey& input,
                             const KeyActor& actor);

enum class KeyStateChange { Deactivate, Reactivate, Revoke };

// Repeating a change already in effect succeeds and writes nothing. Deactivating or
// reactivating a revoked key is refused with KeyInputError.
store::ApiKeyRecord change_tenant_key_state(store::Store& store, const Clock& clock, store::ApiKeyRecord key,
                                            KeyStateChange change, const KeyActor& actor);

// "revoked", "deactivated", "expired" or "active", in the partner API's precedence.
std::string key_status(const store::ApiKeyRecord& key, std::int64_t now_micros);

}  // namespace polysim::partner
