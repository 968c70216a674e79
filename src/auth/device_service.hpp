// The trader's long-lived credentials (20-trader-api.md §7, §8): desktop and device tokens (dt_),
// the device-authorization flow for devices without a form (RFC 8628 in spirit), and personal
// API keys (ak_). Domain code: records and AuthFailure, no HTTP.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/mailer.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/device_store.hpp"
#include "store/identity_store.hpp"

namespace polysim::auth {

inline const std::vector<std::string> kDeviceScopes = {"accounts:read", "trading:read", "trading:write", "signals:write",
                                                       "desktop:sync"};
inline const std::vector<std::string> kApiKeyScopes = {"accounts:read", "trading:read", "trading:write",
                                                       "signals:write"};

struct DeviceFields {
  std::string name;
  std::string platform;
  std::string app_version;
  std::optional<std::string> installation_id;
};

struct DeviceIssued {
  std::string token;  // shown once
  store::DeviceRecord device;
  store::UserRecord user;
};

struct DeviceCodeIssued {
  std::string device_code;
  std::string user_code;  // BCDF-GHJK
  std::string verification_uri;
  std::string verification_uri_complete;
  std::int64_t expires_in = 600;
  std::int64_t interval = 5;
};

struct ApiKeyIssued {
  std::string key;  // shown once
  store::PersonalApiKey record;
};

class DeviceService {
 public:
  DeviceService(store::IdentityStore& identity, store::DeviceStore& devices, Mailer& mailer, const Clock& clock,
                std::string trader_app_url);

  // Validates deviceName, platform, appVersion, installationId (validation_error otherwise).
  static DeviceFields checked_fields(std::optional<std::string> name, std::optional<std::string> platform,
                                     std::optional<std::string> app_version, std::optional<std::string> installation_id);

  DeviceIssued issue_desktop(const store::UserRecord& user, const DeviceFields& fields, std::string_view ip_group);

  DeviceCodeIssued start_device_login(const DeviceFields& fields, std::vector<std::string> scopes,
                                      std::string_view ip_group);
  store::DeviceAuthorization describe(std::string_view user_code);
  void decide(const store::UserRecord& user, std::string_view user_code, bool approve);
  DeviceIssued poll(std::string_view device_code);

  std::vector<store::DeviceRecord> list(std::int64_t user_id, bool include_revoked);
  void revoke(std::int64_t user_id, std::string_view device_id);
  // Password reset (always) and change (on request); returns how many were live.
  int revoke_all(std::int64_t user_id);

  ApiKeyIssued create_api_key(const store::UserRecord& user, std::string name, std::vector<std::string> scopes,
                              std::optional<std::int64_t> expires_at);
  std::vector<store::PersonalApiKey> list_api_keys(std::int64_t user_id);
  void revoke_api_key(std::int64_t user_id, std::string_view key_id);

  // "BCDF-GHJK", "bcdfghjk", "BCDF GHJK" → "BCDFGHJK"; nullopt if not 8 of the 20 consonants.
  static std::optional<std::string> normalize_user_code(std::string_view text);

 private:
  store::DeviceRecord new_device(const DeviceFields& fields, std::string kind, std::vector<std::string> scopes,
                                 const std::string& token);

  store::IdentityStore& identity_;
  store::DeviceStore& devices_;
  Mailer& mailer_;
  const Clock& clock_;
  std::string trader_app_url_;
  UuidV7Generator ids_;
};

}  // namespace polysim::auth
