#include "app/bootstrap.hpp"

#include <array>

#include "auth/token_service.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/uuid.hpp"

namespace polysim::app {

namespace {

std::string random_hex_secret() {
  std::array<std::uint8_t, 32> bytes{};
  random_bytes(bytes);
  return hex_encode(std::span<const std::uint8_t>(bytes));
}

std::string configured_or_generated(store::Store& store, const std::string& configured, std::string_view name,
                                    const ops::Log& log) {
  if (!configured.empty()) return configured;
  auto value = store.get_or_create_secret(name, random_hex_secret());
  if (name != "cursor_secret")
    log.warn(std::string(name) + " is not configured; using the one generated into the database");
  return value;
}

// Self-registration needs a tenant to land in (20-trader-api.md §5): a fresh server gets one
// named "retail" with the partner surface off.
void ensure_retail_tenant(const Config& config, store::Store& store, const Clock& clock, const ops::Log& log) {
  if (config.retail_tenant != "retail" || store.find_tenant("retail")) return;
  store::TenantRecord t;
  t.id = Uuid::v4().to_string();
  t.name = "retail";
  t.display_name = "Retail";
  t.partner_enabled = false;
  t.created_at = t.updated_at = clock.now_unix_micros();
  try {
    store.create_tenant(t);
    log.info("created the retail tenant");
  } catch (const store::UniqueViolation&) {
    // Another instance created it at the same moment.
  }
}

}  // namespace

Secrets bootstrap(const Config& config, store::Store& store, const Clock& clock, const ops::Log& log) {
  Secrets s;
  s.cursor_secret = configured_or_generated(store, config.cursor_secret, "cursor_secret", log);
  if (!config.auth_jwt_keys.empty()) {
    s.jwt_keys = auth::parse_jwt_keys(config.auth_jwt_keys);
  } else {
    s.jwt_keys = {auth::JwtKey{"k1", configured_or_generated(store, "", "auth.jwt_key.k1", log)}};
  }
  s.data_key_hex = configured_or_generated(store, config.auth_data_key, "auth.data_key", log);
  ensure_retail_tenant(config, store, clock, log);
  return s;
}

}  // namespace polysim::app
