// `[[auth.oidc]]` entries of polysim.toml (30-partner-apps.md §4.5): the OpenID Connect
// providers every app may offer. Kept apart from the flat settings table because each entry is
// a table of its own, and the client secret may come from a per-provider environment variable.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polysim {

struct OidcProviderConfig {
  std::string name;    // the `provider` value of POST /auth/start, [a-z0-9_-]{1,32}
  std::string issuer;  // without a trailing slash
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> scopes{"openid", "email", "profile"};
  bool trust_email = false;  // a missing email_verified counts as verified
};

// POLYSIM_AUTH_OIDC_<NAME>_CLIENT_SECRET, the name upper-cased with '-' → '_'.
std::string oidc_secret_env_name(const std::string& provider_name);

// True for 127.0.0.0/8, ::1 and localhost: the only hosts an http:// issuer may name.
bool is_loopback_host(std::string_view host);

// Validates the entries (each one's keys with string values, booleans as "true"/"false",
// string arrays joined by commas) and fills in secrets from `environment`. Throws ConfigError
// naming the entry and the problem. A missing secret is not one: the CLI reads the same file
// without the server's environment, so only `serve` insists (missing_oidc_secret).
std::vector<OidcProviderConfig> oidc_providers_from(const std::vector<std::map<std::string, std::string>>& entries,
                                                    const std::map<std::string, std::string>& environment);

// The refusal `serve` starts with when a provider has no client secret.
std::optional<std::string> missing_oidc_secret(const std::vector<OidcProviderConfig>& providers);

}  // namespace polysim
