#include "apps/app_oidc_sign_in.hpp"

#include <array>

#include "auth/oidc/id_token.hpp"
#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/encoding.hpp"
#include "core/origin.hpp"
#include "core/token.hpp"

namespace polysim::apps {

namespace {

using auth::oidc::IdTokenProblem;

constexpr const char* kFlowGone = "This sign-in has expired or was already used. Start again from the app.";

std::string random_b64(std::size_t bytes) {
  std::array<std::uint8_t, 64> buffer{};
  random_bytes(std::span<std::uint8_t>(buffer.data(), bytes));
  return base64url_encode(std::span<const std::uint8_t>(buffer.data(), bytes));
}

std::string digest_bytes(std::string_view text) {
  const auto d = sha256(text);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// 32 random bytes in base64url: exactly 43 characters of [A-Za-z0-9_-].
bool is_flow_state(std::string_view state) {
  if (state.size() != 43) return false;
  for (char c : state)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

BrowserOutcome redirect(const store::OidcFlowRecord& flow, std::vector<std::pair<std::string, std::string>> params) {
  return {redirect_with(flow.redirect_url, params, flow.app_state), 302, {}};
}

BrowserOutcome failed(const store::OidcFlowRecord& flow) {
  return redirect(flow, {{"error", "sign_in_failed"}, {"message", "Sign-in failed. Please try again."}});
}

}  // namespace

AppOidcSignIn::AppOidcSignIn(store::AppStore& apps, store::OidcFlowStore& flows,
                             auth::oidc::ProviderRegistry& providers, const Clock& clock, std::string redirect_uri,
                             std::function<void(std::string_view)> log_warn,
                             std::function<void(std::string_view)> on_cap_refusal)
    : apps_(apps),
      flows_(flows),
      providers_(providers),
      clock_(clock),
      redirect_uri_(std::move(redirect_uri)),
      log_warn_(std::move(log_warn)),
      on_cap_refusal_(std::move(on_cap_refusal)) {}

std::string AppOidcSignIn::start(const store::AppRecord& app, const OidcStart& start) {
  const auto* config = providers_.config(start.provider);
  if (!config) throw validation_failed("Unsupported provider: " + start.provider + ".");
  auto metadata = providers_.metadata(start.provider);
  if (!metadata)
    throw AppFailure(503, "service_unavailable", "Sign-in with " + start.provider + " is unavailable. Retry shortly.", 30);

  const auto state = random_b64(32);
  store::OidcFlowRecord flow;
  flow.state_hash = digest_bytes(state);
  flow.app_id = app.id;
  flow.provider = start.provider;
  flow.nonce = random_b64(32);
  flow.code_verifier = random_b64(32);  // 43 characters, RFC 7636's minimum length
  flow.redirect_url = start.redirect_url;
  flow.app_state = start.state;
  flow.created_at = now();
  flow.expires_at = flow.created_at + kOidcFlowLifetime;
  flows_.create_oidc_flow(flow);

  const auto challenge = sha256(flow.code_verifier);
  std::string scope;
  for (const auto& s : config->scopes) scope += (scope.empty() ? "" : " ") + s;
  std::string url = metadata->authorization_endpoint;
  url = append_query_param(url, "response_type", "code");
  url = append_query_param(url, "client_id", config->client_id);
  url = append_query_param(url, "redirect_uri", redirect_uri_);
  url = append_query_param(url, "scope", scope);
  url = append_query_param(url, "state", state);
  url = append_query_param(url, "nonce", flow.nonce);
  url = append_query_param(url, "code_challenge", base64url_encode(challenge));
  url = append_query_param(url, "code_challenge_method", "S256");
  if (start.login_hint) url = append_query_param(url, "login_hint", *start.login_hint);
  return url;
}

BrowserOutcome AppOidcSignIn::callback(const OidcCallback& cb) {
  const BrowserOutcome gone{std::nullopt, 400, kFlowGone};
  if (!cb.state || !is_flow_state(*cb.state)) return gone;
  // Used from here on, whatever happens next: a code is redeemed at most once per flow.
  auto flow = flows_.consume_oidc_flow(digest_bytes(*cb.state), now());
  if (!flow) return gone;
  if (cb.error)
    return redirect(*flow, {{"error", "access_denied"}, {"message", "Sign-in was cancelled."}});
  if (!cb.code || cb.code->empty() || cb.code->size() > 2048) {
    log_warn_("oidc sign-in via " + flow->provider + " failed: the callback carried no code");
    return failed(*flow);
  }
  return finish(*flow, *cb.code);
}

BrowserOutcome AppOidcSignIn::finish(const store::OidcFlowRecord& flow, const std::string& code) {
  const auto* config = providers_.config(flow.provider);
  if (!config) {
    log_warn_("oidc sign-in via " + flow.provider + " failed: the provider is no longer configured");
    return failed(flow);
  }
  std::string id_token;
  try {
    id_token = providers_.redeem(flow.provider, code, flow.code_verifier, redirect_uri_);
  } catch (const auth::oidc::TokenRedemptionError& e) {
    log_warn_("oidc sign-in via " + flow.provider + " failed: " + e.what());
    return failed(flow);
  }
  auth::oidc::IdTokenExpectations expect;
  expect.issuer = config->issuer;
  expect.client_id = config->client_id;
  expect.nonce = flow.nonce;
  expect.now_s = now() / 1'000'000;
  expect.trust_email = config->trust_email;
  const auto provider = flow.provider;
  auto checked = auth::oidc::verify_id_token(id_token, expect, [&](const std::string& kid, bool refetch) {
    return providers_.key(provider, kid, refetch);
  });
  if (checked.problem == IdTokenProblem::EmailNotVerified) {
    log_warn_("oidc sign-in via " + flow.provider + " refused: " + std::string(describe(checked.problem)));
    return redirect(flow, {{"error", "email_not_verified"},
                           {"message", "Your account at the provider has no verified email address."}});
  }
  if (checked.problem != IdTokenProblem::None) {
    log_warn_("oidc sign-in via " + flow.provider + " failed: " + std::string(describe(checked.problem)));
    return failed(flow);
  }
  const auto email = normalize_email(checked.claims->email);
  if (!email) {
    log_warn_("oidc sign-in via " + flow.provider + " failed: the provider's email address is not usable");
    return failed(flow);
  }

  store::SignInAttempt attempt;
  attempt.app_id = flow.app_id;
  attempt.email = *email;
  attempt.provider = flow.provider;
  attempt.provider_subject = checked.claims->subject;
  attempt.new_user_uuid = ids_.next(clock_).to_string();
  attempt.now = now();
  if (auto params = finish_redirect_sign_in(apps_, std::move(attempt), on_cap_refusal_)) return redirect(flow, *params);
  log_warn_("oidc sign-in via " + flow.provider + " failed: the app is gone");
  return failed(flow);
}

}  // namespace polysim::apps
