// Storage of the trader's long-lived credentials: device tokens (desktop app, paired devices),
// the device-authorization requests that mint them, and personal API keys
// (20-trader-api.md §7, §8). Tokens and keys are stored as SHA-256 only.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"

namespace polysim::store {

struct DeviceRecord {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string kind;  // desktop | device
  std::string name;
  std::string platform;
  std::string app_version;
  std::optional<std::string> installation_id;
  std::string prefix;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> last_seen_at;
  std::optional<std::string> last_seen_ip_group;
  std::optional<std::int64_t> revoked_at;
};

// A pending POST /api/v1/auth/device-login.
struct DeviceAuthorization {
  std::int64_t id = 0;
  std::string device_code_hash;
  std::string user_code;  // normalised: 8 consonants, no dash
  std::string name;
  std::string platform;
  std::string app_version;
  std::optional<std::string> installation_id;
  std::vector<std::string> scopes;
  std::string requested_ip_group;
  std::int64_t interval_s = 5;
  std::int64_t expires_at = 0;
  std::optional<std::string> decision;  // approved | denied
  std::optional<std::int64_t> decided_by;  // user id
  std::optional<std::int64_t> last_polled_at;
  std::optional<std::string> device_id;  // set once the token was handed out
  std::int64_t created_at = 0;
};

enum class DecisionOutcome { Decided, NotFound, AlreadyDecided };

// The outcome of one poll of the device-code endpoint, decided in one transaction.
struct DevicePoll {
  enum class Kind { Pending, SlowDown, Denied, Approved, Invalid } kind = Kind::Invalid;
  std::optional<DeviceAuthorization> authorization;
};

struct PersonalApiKey {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;
};

class DeviceStore {
 public:
  virtual ~DeviceStore() = default;

  // Inserts the device; with an installation id already registered for the user, that
  // device's token is replaced instead (same id). Returns the stored record.
  virtual DeviceRecord upsert_device(const DeviceRecord& device, std::string_view token_hash,
                                     const std::optional<OutboxMessage>& mail) = 0;
  virtual std::optional<DeviceRecord> find_device_by_token(std::string_view token_hash) = 0;
  virtual std::vector<DeviceRecord> list_devices(std::int64_t user_id, bool include_revoked) = 0;
  // False when no such live device of the user exists.
  virtual bool revoke_device(std::int64_t user_id, std::string_view device_id, std::int64_t now) = 0;
  virtual int revoke_user_devices(std::int64_t user_id, std::int64_t now) = 0;
  virtual void touch_device(std::string_view device_id, std::int64_t now, std::string_view ip_group) = 0;

  virtual void create_device_authorization(const DeviceAuthorization& request) = 0;
  virtual std::optional<DeviceAuthorization> find_device_authorization(std::string_view user_code, std::int64_t now) = 0;
  virtual DecisionOutcome decide_device_authorization(std::string_view user_code, std::int64_t user_id, bool approve,
                                                      std::int64_t now, const std::optional<OutboxMessage>& mail) = 0;
  // Records the poll; an approved request is handed out once: `device` (id, kind, prefix, times
  // from the caller; owner, name, platform, version and scopes from the request) is inserted
  // with the token hash in the same transaction.
  virtual DevicePoll poll_device_authorization(std::string_view device_code_hash, std::int64_t now,
                                               const DeviceRecord& device, std::string_view token_hash) = 0;

  virtual int count_active_api_keys(std::int64_t user_id, std::int64_t now) = 0;
  virtual void create_personal_api_key(const PersonalApiKey& key, std::string_view key_hash) = 0;
  virtual std::optional<PersonalApiKey> find_personal_api_key(std::string_view key_hash) = 0;
  virtual std::vector<PersonalApiKey> list_personal_api_keys(std::int64_t user_id) = 0;
  virtual bool revoke_personal_api_key(std::int64_t user_id, std::string_view key_id, std::int64_t now) = 0;
  virtual void touch_personal_api_key(std::string_view key_id, std::int64_t now) = 0;
};

}  // namespace polysim::store
