// End users signing in through an app (30-partner-apps.md §4): email code and scanner-safe
// magic link, exchange codes, the second factor, refresh and sign-out, and the bearer check of
// the user routes. The testing-mode user cap is decided inside the store's sign-in
// transaction. Domain code: records and AppFailure, never HTTP. Calls block.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "apps/app_failure.hpp"
#include "auth/identity_service.hpp"
#include "auth/token_service.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/app_store.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::apps {

struct AppSignInSettings {
  std::string public_base_url;
  std::string code_secret;  // HMAC key of the 6-digit codes
};

// The user behind an app access token.
struct AppPrincipal {
  std::int64_t user_id = 0;
  std::string user_uuid;
  std::string tenant_id;
  std::string session_id;
  std::string app_id;
};

struct AppTokens {
  auth::IssuedTokens tokens;
  store::UserRecord user;
};

// A finished first step: tokens, or (MFA on) the challenge to answer at /auth/mfa/verify.
struct AppSignInResult {
  std::optional<AppTokens> tokens;
  std::optional<auth::MfaChallenge> challenge;
};

struct EmailStart {
  std::string email;  // normalised
  std::optional<std::string> redirect_url;
  std::optional<std::string> state;
};

// Where a browser flow ends: a redirect, or an HTML page with this status and sentence.
struct BrowserOutcome {
  std::optional<std::string> location;
  int page_status = 400;
  std::string page_message;
};

struct MagicPreview {
  std::string app_name;
  std::string email;
};

inline constexpr int kChallengeAttempts = 5;
inline constexpr std::int64_t kChallengeLifetime = 10LL * 60 * 1'000'000;
inline constexpr std::int64_t kExchangeLifetime = 120LL * 1'000'000;

// The query parameters of a redirect flow's ending, in the spec's order, then `state`.
std::string redirect_with(std::string_view url, const std::vector<std::pair<std::string, std::string>>& params,
                          const std::optional<std::string>& state);

// The end of a redirect flow (§4.4, §4.5, §4.6): completes `attempt` with a fresh exchange code
// and answers the parameters to append to the app's redirectUrl — `code`, or the refusal's
// `error` and `message`. nullopt when the credential or the app is gone.
using RedirectParams = std::vector<std::pair<std::string, std::string>>;
std::optional<RedirectParams> finish_redirect_sign_in(store::AppStore& apps, store::SignInAttempt attempt,
                                                      const std::function<void(std::string_view)>& on_cap_refusal);

class AppSignIn {
 public:
  AppSignIn(store::AppStore& apps, store::IdentityStore& identity, store::Store& store, auth::TokenService& tokens,
            auth::IdentityService& identity_service, const Clock& clock, AppSignInSettings settings,
            std::function<void(std::string_view cap)> on_cap_refusal = {});

  void start_email(const store::AppRecord& app, const EmailStart& start);
  AppSignInResult verify_code(const store::AppRecord& app, std::string_view email, std::string_view code,
                              std::string_view ip_group);
  std::optional<MagicPreview> preview_link(std::string_view token);
  BrowserOutcome confirm_link(std::string_view token);
  AppSignInResult exchange(const store::AppRecord& app, std::string_view code, std::string_view ip_group);
  AppSignInResult verify_mfa(const store::AppRecord& app, std::string_view mfa_token,
                             std::optional<std::string_view> code, std::optional<std::string_view> backup_code,
                             const auth::CallContext& ctx);
  AppTokens refresh(const store::AppRecord& app, std::string_view refresh_token);
  void sign_out(const AppPrincipal& principal);
  // The bearer's session, read from the database every time (cache TTL 0, §4.1).
  AppPrincipal authenticate(const store::AppRecord& app, std::string_view bearer);
  // The signed-in user as stored (GET /users/me).
  store::UserRecord user_of(const AppPrincipal& principal);

 private:
  AppSignInResult session_or_challenge(const store::AppRecord& app, store::UserRecord user, std::vector<std::string> amr,
                                       std::string_view ip_group);
  std::string code_mac(std::string_view nonce, std::string_view code) const;
  void refuse_cap();
  std::int64_t now() const { return clock_.now_unix_micros(); }

  store::AppStore& apps_;
  store::IdentityStore& identity_;
  store::Store& store_;
  auth::TokenService& tokens_;
  auth::IdentityService& identity_service_;
  const Clock& clock_;
  AppSignInSettings settings_;
  std::function<void(std::string_view)> on_cap_refusal_;
  UuidV7Generator ids_;
};

}  // namespace polysim::apps
