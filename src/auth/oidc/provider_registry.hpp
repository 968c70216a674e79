// The configured OpenID providers (30-partner-apps.md §4.5) and what the server learned about
// them: discovery metadata (read at start-up, refreshed daily), signing keys (JWKS, refetched
// on an unknown `kid` at most once per 60 s), and the token endpoint call. A provider whose
// discovery fails is logged and unavailable, and discovery is retried at most once per 60 s
// on use. Thread-safe; calls that touch the network block (run them on the blocking pool).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/oidc/http_fetch.hpp"
#include "auth/oidc/jwk.hpp"
#include "config/oidc_config.hpp"
#include "core/clock.hpp"

namespace polysim::auth::oidc {

struct ProviderMetadata {
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  bool secret_in_body = false;  // discovery lists client_secret_post but not client_secret_basic
};

// The token endpoint did not give an id_token; `what` is for the log (never holds secrets).
struct TokenRedemptionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Fetcher = std::function<OutboundResponse(const OutboundRequest&)>;

class ProviderRegistry {
 public:
  ProviderRegistry(std::vector<OidcProviderConfig> providers, const Clock& clock,
                   std::function<void(std::string_view)> warn, Fetcher fetch = {});

  // Start-up: discovery and keys of every provider; failures are logged, never thrown.
  void discover_all();

  const OidcProviderConfig* config(std::string_view name) const;
  // Current metadata (refreshed when a day old); nullopt while the provider is unavailable.
  std::optional<ProviderMetadata> metadata(std::string_view name);
  // The signing key named `kid` (or the only key when the token names none). With `refetch`,
  // an unknown key triggers one JWKS download if the last was at least 60 s ago.
  std::optional<Jwk> key(std::string_view name, const std::string& kid, bool refetch);
  // Redeems an authorization code with its PKCE verifier; returns the id_token.
  std::string redeem(std::string_view name, std::string_view code, std::string_view code_verifier,
                     std::string_view redirect_uri);

 private:
  struct State {
    OidcProviderConfig config;
    std::mutex mutex;
    std::optional<ProviderMetadata> metadata;
    std::vector<Jwk> keys;
    std::optional<std::int64_t> discovered_at;  // monotonic ms
    std::optional<std::int64_t> discovery_tried_at;
    std::optional<std::int64_t> keys_fetched_at;
  };
  State* find(std::string_view name) const;
  // Both with the state's mutex held. Return a problem for the log, or nullopt on success.
  std::optional<std::string> discover(State& s);
  std::optional<std::string> fetch_keys(State& s);
  std::optional<ProviderMetadata> current(State& s);

  std::map<std::string, std::unique_ptr<State>, std::less<>> providers_;
  const Clock& clock_;
  std::function<void(std::string_view)> warn_;
  Fetcher fetch_;
};

}  // namespace polysim::auth::oidc
