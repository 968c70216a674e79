#include "apps/app_settings.hpp"

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::apps {

namespace {

WindowList windows(const std::string& text, const WindowList& fallback) {
  auto parsed = parse_window_list(text);
  return parsed ? *parsed : fallback;
}

}  // namespace

AppLimitSettings app_limit_settings(const Config& config) {
  AppLimitSettings defaults;
  AppLimitSettings s;
  s.ip = windows(config.ratelimit_app_ip, defaults.ip);
  s.app = windows(config.ratelimit_app_app, defaults.app);
  s.auth_start_ip = windows(config.ratelimit_app_auth_start_ip, defaults.auth_start_ip);
  s.auth_start_email = windows(config.ratelimit_app_auth_start_email, defaults.auth_start_email);
  s.auth_verify_ip = windows(config.ratelimit_app_auth_verify_ip, defaults.auth_verify_ip);
  return s;
}

std::string app_code_secret(const Config& config, std::string_view data_key_hex) {
  if (!config.auth_app_code_secret.empty()) return config.auth_app_code_secret;
  const auto mac = hmac_sha256(data_key_hex, "polysim app sign-in codes v1");
  return hex_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace polysim::apps
