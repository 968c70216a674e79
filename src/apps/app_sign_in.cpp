#include "apps/app_sign_in.hpp"

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/origin.hpp"
#include "core/token.hpp"

namespace polysim::apps {

namespace {

std::string six_digits() {
  // 2^64 is not a multiple of 10^6; rejecting the top sliver keeps every code equally likely.
  constexpr std::uint64_t kRange = 1'000'000;
  constexpr std::uint64_t kLimit = UINT64_MAX - UINT64_MAX % kRange;
  std::uint64_t v = random_u64();
  while (v >= kLimit) v = random_u64();
  auto text = std::to_string(v % kRange);
  return std::string(6 - text.size(), '0') + text;
}

std::string random_nonce() {
  std::array<std::uint8_t, 16> bytes{};
  random_bytes(bytes);
  return hex_encode(bytes);
}

bool is_six_digits(std::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string sign_in_mail_text(const store::AppRecord& app, const std::string& code,
                              const std::optional<std::string>& link) {
  std::string text = "Your code to sign in to " + app.name + " is " + code + ".\n";
  if (link) text += "\nOr open this link to sign in:\n" + *link + "\n";
  text += "\nThe code";
  text += link ? " and the link expire" : " expires";
  text += " in 10 minutes. If you did not ask to sign in, ignore this email.\n";
  return text;
}

}  // namespace

std::string redirect_with(std::string_view url, const std::vector<std::pair<std::string, std::string>>& params,
                          const std::optional<std::string>& state) {
  std::string out(url);
  for (const auto& [name, value] : params) out = append_query_param(out, name, value);
  if (state) out = append_query_param(out, "state", *state);
  return out;
}

std::optional<RedirectParams> finish_redirect_sign_in(store::AppStore& apps, store::SignInAttempt attempt,
                                                      const std::function<void(std::string_view)>& on_cap_refusal) {
  const auto code = generate_token("xc_");
  attempt.exchange_code_hash = token_hash_bytes(code);
  attempt.exchange_code_prefix = token_prefix(code, "xc_");
  attempt.exchange_expires_at = attempt.now + kExchangeLifetime;
  using Kind = store::SignInDecision::Kind;
  switch (apps.complete_sign_in(attempt).kind) {
    case Kind::Admitted: return RedirectParams{{"code", code}};
    case Kind::UserCapReached:
      if (on_cap_refusal) on_cap_refusal("users");
      return RedirectParams{{"error", "testing_user_limit_reached"}, {"message", kUserCapMessage}};
    case Kind::UserDisabled:
      return RedirectParams{{"error", "user_disabled"}, {"message", "This user account is disabled."}};
    case Kind::CredentialGone:
    case Kind::AppGone: break;
  }
  return std::nullopt;
}

AppSignIn::AppSignIn(store::AppStore& apps, store::IdentityStore& identity, store::Store& store,
                     auth::TokenService& tokens, auth::IdentityService& identity_service, const Clock& clock,
                     AppSignInSettings settings, std::function<void(std::string_view)> on_cap_refusal)
    : apps_(apps),
      identity_(identity),
      store_(store),
      tokens_(tokens),
      identity_service_(identity_service),
      clock_(clock),
      settings_(std::move(settings)),
      on_cap_refusal_(std::move(on_cap_refusal)) {}

std::string AppSignIn::code_mac(std::string_view nonce, std::string_view code) const {
  const auto mac = hmac_sha256(settings_.code_secret, std::string(nonce) + ":" + std::string(code));
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

void AppSignIn::refuse_cap() {
  if (on_cap_refusal_) on_cap_refusal_("users");
}

void AppSignIn::start_email(const store::AppRecord& app, const EmailStart& start) {
  const auto at = now();
  const auto code = six_digits();
  store::LoginChallengeRecord c;
  c.app_id = app.id;
  c.tenant_id = app.tenant_id;
  c.email = start.email;
  c.nonce = random_nonce();
  c.code_mac = code_mac(c.nonce, code);
  std::optional<std::string> link;
  if (start.redirect_url) {
    const auto token = generate_token("ml_");
    c.link_hash = token_hash_bytes(token);
    link = settings_.public_base_url + "/auth/magic/" + token;
  }
  c.redirect_url = start.redirect_url;
  c.state = start.state;
  c.created_at = at;
  c.expires_at = at + kChallengeLifetime;

  store::OutboxMessage mail;
  mail.id = ids_.next(clock_).to_string();
  mail.tenant_id = app.tenant_id;
  mail.recipient = start.email;
  mail.kind = "app_sign_in";
  mail.subject = "Sign in to " + app.name;
  mail.text = sign_in_mail_text(app, code, link);
  mail.link = link;
  mail.code = code;
  mail.created_at = at;
  apps_.start_login_challenge(c, mail);
}

AppSignInResult AppSignIn::verify_code(const store::AppRecord& app, std::string_view email, std::string_view code,
                                       std::string_view ip_group) {
  auto challenge = apps_.find_live_challenge(app.id, email, now());
  if (!challenge) throw invalid_code();
  if (!is_six_digits(code) || !constant_time_equal(code_mac(challenge->nonce, code), challenge->code_mac)) {
    apps_.record_challenge_failure(challenge->id, kChallengeAttempts, now());
    throw invalid_code();
  }
  store::SignInAttempt attempt;
  attempt.app_id = app.id;
  attempt.email = std::string(email);
  attempt.challenge_id = challenge->id;
  attempt.new_user_uuid = ids_.next(clock_).to_string();
  attempt.now = now();
  auto decision = apps_.complete_sign_in(attempt);
  using Kind = store::SignInDecision::Kind;
  switch (decision.kind) {
    case Kind::Admitted: break;
    case Kind::UserCapReached: refuse_cap(); throw user_cap_reached();
    case Kind::UserDisabled: throw user_disabled();
    case Kind::CredentialGone:
    case Kind::AppGone: throw invalid_code();
  }
  return session_or_challenge(app, std::move(*decision.user), {"email"}, ip_group);
}

AppSignInResult AppSignIn::session_or_challenge(const store::AppRecord& app, store::UserRecord user,
                                                std::vector<std::string> amr, std::string_view ip_group) {
  AppSignInResult out;
  if (user.mfa_enabled_at) {
    out.challenge = identity_service_.issue_app_challenge(user, app.id, std::move(amr));
    return out;
  }
  auto issued = tokens_.start_app_session(user, app.id, std::move(amr), ip_group);
  out.tokens = AppTokens{std::move(issued), std::move(user)};
  return out;
}

std::optional<MagicPreview> AppSignIn::preview_link(std::string_view token) {
  if (!is_well_formed_token(token, "ml_")) return std::nullopt;
  auto challenge = apps_.find_challenge_by_link(token_hash_bytes(token), now());
  if (!challenge) return std::nullopt;
  auto app = apps_.find_app(challenge->app_id);
  if (!app) return std::nullopt;
  return MagicPreview{app->name, challenge->email};
}

BrowserOutcome AppSignIn::confirm_link(std::string_view token) {
  BrowserOutcome invalid{std::nullopt, 400,
                         "This sign-in link is invalid or has expired. Request a new one from the app."};
  if (!is_well_formed_token(token, "ml_")) return invalid;
  auto challenge = apps_.find_challenge_by_link(token_hash_bytes(token), now());
  if (!challenge || !challenge->redirect_url) return invalid;
  store::SignInAttempt attempt;
  attempt.app_id = challenge->app_id;
  attempt.email = challenge->email;
  attempt.challenge_id = challenge->id;
  attempt.new_user_uuid = ids_.next(clock_).to_string();
  attempt.now = now();
  auto params = finish_redirect_sign_in(apps_, std::move(attempt), on_cap_refusal_);
  if (!params) return invalid;
  return {redirect_with(*challenge->redirect_url, *params, challenge->state), 303, {}};
}

AppSignInResult AppSignIn::exchange(const store::AppRecord& app, std::string_view code, std::string_view ip_group) {
  if (!is_well_formed_token(code, "xc_")) throw invalid_code();
  auto redemption = apps_.redeem_exchange_code(app.id, token_hash_bytes(code), now());
  if (redemption.kind != store::ExchangeRedemption::Kind::Redeemed) throw invalid_code();
  auto user = identity_.find_user(redemption.user_id);
  if (!user) throw invalid_code();
  if (user->disabled) throw user_disabled();
  auto result = session_or_challenge(app, std::move(*user), {"email"}, ip_group);
  if (result.tokens) apps_.bind_exchange_session(redemption.code_id, result.tokens->tokens.session_id);
  return result;
}

AppSignInResult AppSignIn::verify_mfa(const store::AppRecord& app, std::string_view mfa_token,
                                      std::optional<std::string_view> code, std::optional<std::string_view> backup_code,
                                      const auth::CallContext& ctx) {
  auth::MfaVerified verified;
  try {
    verified = identity_service_.verify_mfa(mfa_token, code, backup_code, ctx, app.id);
  } catch (const auth::AuthFailure& f) {
    if (f.status == 429) {
      const auto wait = static_cast<int>(f.retry_after_s.value_or(60));
      throw AppFailure(429, "rate_limited", "Too many requests. Retry after " + std::to_string(wait) + "s.", wait);
    }
    if (f.error == "user_disabled") throw user_disabled();
    throw invalid_code();
  }
  if (!verified.session) throw invalid_code();
  AppSignInResult out;
  out.tokens = AppTokens{std::move(verified.session->tokens), std::move(verified.session->user)};
  return out;
}

AppTokens AppSignIn::refresh(const store::AppRecord& app, std::string_view refresh_token) {
  if (!is_well_formed_token(refresh_token, "rt_")) throw invalid_refresh_token();
  // Another app's token is refused before rotation, so refusing it revokes nothing.
  auto owner = identity_.find_session_by_refresh(token_hash_bytes(refresh_token));
  if (!owner || owner->surface != "app" || owner->app_id != app.id) throw invalid_refresh_token();
  std::pair<auth::IssuedTokens, store::SessionRecord> rotated;
  try {
    rotated = tokens_.refresh(refresh_token, "app");
  } catch (const auth::RefreshTokenReused&) {
    throw AppFailure(401, "refresh_token_reused", "Refresh token has already been used.");
  } catch (const auth::AuthFailure&) {
    throw invalid_refresh_token();
  }
  auto& [tokens, session] = rotated;
  auto user = identity_.find_user(session.user_id);
  if (!user) throw invalid_refresh_token();
  if (user->disabled) throw user_disabled();
  tokens.access_token = tokens_.mint_access_token(session, user->uuid);
  return AppTokens{std::move(tokens), std::move(*user)};
}

void AppSignIn::sign_out(const AppPrincipal& principal) {
  identity_.revoke_session(principal.session_id, now(), "sign_out");
}

AppPrincipal AppSignIn::authenticate(const store::AppRecord& app, std::string_view bearer) {
  auto check = tokens_.verify_app_access_token(bearer, app.id);
  if (!check.claims) throw invalid_access_token();
  const auto& claims = *check.claims;
  auto session = identity_.find_session(claims.sid);
  const auto at = now();
  if (!session || session->revoked_at || session->expires_at <= at || session->surface != "app" ||
      session->app_id != app.id || session->tenant_id != claims.tid ||
      session->last_refreshed_at + auth::kAppRefreshLifetime <= at)
    throw invalid_access_token();
  auto user = identity_.find_user(session->user_id);
  if (!user || user->uuid != claims.sub) throw invalid_access_token();
  if (user->disabled) throw user_disabled();
  return AppPrincipal{user->id, user->uuid, user->tenant_id, session->id, app.id};
}

store::UserRecord AppSignIn::user_of(const AppPrincipal& principal) {
  auto user = identity_.find_user(principal.user_id);
  if (!user) throw invalid_access_token();
  return *user;
}

}  // namespace polysim::apps
