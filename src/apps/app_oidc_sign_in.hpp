// End users signing in through an app with an OpenID Connect provider (30-partner-apps.md
// §4.5): the flow row and authorization URL of POST /auth/start, and the callback that redeems
// the code, checks the id_token and finishes the sign-in like a magic link (§4.6), ending in a
// redirect to the app. Domain code: records, AppFailure and BrowserOutcome, never HTTP. Calls
// block (the provider is called over the network).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "apps/app_sign_in.hpp"
#include "auth/oidc/provider_registry.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/app_store.hpp"
#include "store/oidc_flow_store.hpp"

namespace polysim::apps {

inline constexpr std::int64_t kOidcFlowLifetime = 10LL * 60 * 1'000'000;

struct OidcStart {
  std::string provider;
  std::string redirect_url;  // already checked against the app
  std::optional<std::string> state;
  std::optional<std::string> login_hint;
};

// The query of GET /auth/oauth/callback.
struct OidcCallback {
  std::optional<std::string> code;
  std::optional<std::string> state;
  std::optional<std::string> error;
};

class AppOidcSignIn {
 public:
  AppOidcSignIn(store::AppStore& apps, store::OidcFlowStore& flows, auth::oidc::ProviderRegistry& providers,
                const Clock& clock, std::string redirect_uri, std::function<void(std::string_view)> log_warn,
                std::function<void(std::string_view cap)> on_cap_refusal = {});

  bool has_provider(std::string_view name) const { return providers_.config(name) != nullptr; }
  // The authorization URL; 503 when the provider's discovery has not succeeded yet.
  std::string start(const store::AppRecord& app, const OidcStart& start);
  BrowserOutcome callback(const OidcCallback& callback);

 private:
  BrowserOutcome finish(const store::OidcFlowRecord& flow, const std::string& code);
  std::int64_t now() const { return clock_.now_unix_micros(); }

  store::AppStore& apps_;
  store::OidcFlowStore& flows_;
  auth::oidc::ProviderRegistry& providers_;
  const Clock& clock_;
  std::string redirect_uri_;
  std::function<void(std::string_view)> log_warn_;
  std::function<void(std::string_view)> on_cap_refusal_;
  UuidV7Generator ids_;
};

}  // namespace polysim::apps
