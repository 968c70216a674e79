#include "auth/identity_service.hpp"

#include <boost/json.hpp>

#include "auth/auth_failure.hpp"
#include "auth/password_policy.hpp"
#include "core/email_address.hpp"
#include "core/origin.hpp"
#include "core/token.hpp"

namespace polysim::auth {

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
constexpr std::int64_t kVerificationLifetime = kDay;
constexpr std::int64_t kResetLifetime = 30 * kMinute;
// §5.3: a sign-in from an IP group unseen for 90 days is announced by mail.
constexpr std::int64_t kNewDeviceWindow = 90 * kDay;
constexpr std::int64_t kChallengeLifetime = 5 * kMinute;
constexpr int kChallengeAttempts = 5;

store::MailThrottle signup_mail_throttle() {
  store::MailThrottle t;
  t.kinds = {"email_verification", "account_exists", "password_reset"};
  return t;
}

std::string normalized_email_or_throw(std::string_view raw) {
  auto email = normalize_email(raw);
  if (!email) throw validation_failure("email", "must be a valid email address");
  return *email;
}

// "ada@example.com" → "a••@example.com": enough for a person to recognise, useless to harvest.
std::string email_hint(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "••";
  return std::string(email.substr(0, 1)) + "••" + std::string(email.substr(at));
}

std::string landing_of(const store::AuthTokenRecord& token) {
  boost::system::error_code ec;
  auto v = boost::json::parse(token.payload_json, ec);
  if (ec || !v.is_object()) return {};
  if (auto* url = v.as_object().if_contains("landing_url"); url && url->is_string())
    return std::string(url->as_string());
  return {};
}

}  // namespace

IdentityService::IdentityService(store::Store& store, store::IdentityStore& identity, TokenService& tokens,
                                 PasswordHashing& hashing, FailureLanes& lanes, MfaService& mfa, DeviceService& devices,
                                 Mailer& mailer, const Clock& clock, IdentitySettings settings)
    : store_(store),
      identity_(identity),
      tokens_(tokens),
      hashing_(hashing),
      lanes_(lanes),
      mfa_(mfa),
      devices_(devices),
      mailer_(mailer),
      clock_(clock),
      settings_(std::move(settings)) {
  dummy_hash_ = hash_password(generate_token("dummy_"), hashing_.params());
}

void IdentityService::check_password_rules(std::string_view password, std::string_view email) {
  if (auto problem = password_problem(password, email)) {
    AuthFailure weak(400, "weak_password", "The password does not meet the requirements.");
    weak.details.emplace_back("password", std::string(*problem));
    throw weak;
  }
}

store::TenantRecord IdentityService::retail_tenant_or_throw() {
  auto tenant = store_.find_tenant(settings_.retail_tenant);
  if (!tenant || tenant->disabled)
    throw AuthFailure(403, "registration_disabled", "Registration is not open on this server.");
  return *tenant;
}

std::optional<store::TenantRecord> IdentityService::sign_in_tenant(std::optional<std::string_view> tenant_id) {
  if (!tenant_id) return store_.find_tenant(settings_.retail_tenant);
  if (!Uuid::parse(*tenant_id)) throw validation_failure("tenantId", "must be a tenant id");
  return store_.find_tenant(*tenant_id);
}

void IdentityService::check_enabled(const store::UserRecord& user) {
  if (user.disabled) throw user_disabled();
  auto tenant = store_.find_tenant(user.tenant_id);
  if (!tenant || tenant->disabled) throw tenant_disabled();
}

void IdentityService::register_user(std::string_view raw_email, std::string_view password,
                                    std::optional<std::string> display_name, const CallContext& ctx) {
  const auto email = normalized_email_or_throw(raw_email);
  check_password_rules(password, email);
  const auto tenant = retail_tenant_or_throw();
  // Hashed on every path so a registered address answers no faster than a new one.
  const auto password_hash = hashing_.hash(password, ctx.hash_deadline);
  const auto t = now();

  store::Registration r;
  r.tenant_id = tenant.id;
  r.email = email;
  r.password_hash = password_hash;
  r.display_name = std::move(display_name);
  r.new_user_uuid = Uuid::v4().to_string();
  r.throttle = signup_mail_throttle();
  r.now = t;
  const auto token = generate_token("ev_");
  const auto link = append_query_param(settings_.trader_app_url + "/verify-email", "token", token);
  store::UserRecord recipient;
  recipient.tenant_id = tenant.id;
  recipient.email = email;
  r.verification.kind = "email_verification";
  r.verification.token_hash = token_hash_bytes(token);
  r.verification.prefix = token_prefix(token, "ev_");
  r.verification.tenant_id = tenant.id;
  r.verification.expires_at = t + kVerificationLifetime;
  r.verification.now = t;
  r.verification.mail = mailer_.compose(recipient, "email_verification", "Confirm your email address",
                             "Open this link within 24 hours to finish signing up.", link);
  r.account_exists_mail = mailer_.compose(recipient, "account_exists", "You already have an account",
                               "Someone tried to sign up with this address, which already has an account. If it was "
                               "you, sign in or reset your password instead.",
                               settings_.trader_app_url + "/forgot-password");
  identity_.register_user(r);
}

void IdentityService::create_demo_account(const store::UserRecord& user) {
  auto tenant = store_.find_tenant(user.tenant_id);
  if (!tenant) return;
  const auto t = now();
  store::AccountRecord a;
  a.id = ids_.next(clock_).to_string();
  a.tenant_id = user.tenant_id;
  a.user_id = user.id;
  a.governed = false;
  a.stage = "demo";
  a.starting_balance = a.cash = a.peak_equity = a.min_equity = a.day_start_equity = a.day_low_equity =
      tenant->demo_starting_balance;
  a.day_start_at = a.created_at = a.updated_at = t;
  store_.create_account(a);
}

MfaChallenge IdentityService::issue_challenge(const store::UserRecord& user, std::string flow,
                                             std::vector<std::string> amr, std::optional<std::string> redirect_url,
                                             std::optional<std::string> payload_json) {
  const auto token = generate_token("mfa_");
  store::MfaChallengeRecord c;
  c.token_hash = token_hash_bytes(token);
  c.tenant_id = user.tenant_id;
  c.user_id = user.id;
  c.flow = std::move(flow);
  c.amr = std::move(amr);
  c.redirect_url = std::move(redirect_url);
  c.payload_json = std::move(payload_json);
  c.created_at = now();
  c.expires_at = c.created_at + kChallengeLifetime;
  identity_.create_mfa_challenge(c);
  return MfaChallenge{token, kChallengeLifetime / kSecond};
}

SignInOutcome IdentityService::sign_in(store::UserRecord user, std::string flow, std::vector<std::string> amr,
                                       std::optional<std::string> redirect_url, bool mark_email_verified,
                                       const CallContext& ctx) {
  if (user.mfa_enabled_at) {
    SignInOutcome out;
    out.challenge = issue_challenge(user, std::move(flow), std::move(amr), std::move(redirect_url), std::nullopt);
    return out;
  }
  auto tokens = tokens_.start_session(user, std::move(amr), ctx.ip_group, mark_email_verified);
  if (mark_email_verified && !user.email_verified_at) user.email_verified_at = now();
  SignInOutcome out;
  out.signed_in = SignedIn{std::move(tokens), std::move(user), std::move(redirect_url)};
  return out;
}

SignInOutcome IdentityService::verify_email(std::string_view token, const CallContext& ctx) {
  if (!is_well_formed_token(token, "ev_")) throw invalid_or_expired_token();
  auto row = identity_.consume_token("email_verification", token_hash_bytes(token), now());
  if (!row) throw invalid_or_expired_token();
  auto user = identity_.find_user(row->user_id);
  if (!user) throw invalid_or_expired_token();
  check_enabled(*user);
  const bool first_activation = !user->email_verified_at;
  auto outcome = sign_in(*user, "email", {"email"}, std::nullopt, true, ctx);
  if (first_activation) create_demo_account(*user);
  return outcome;
}

MfaChallenge IdentityService::issue_app_challenge(const store::UserRecord& user, std::string_view app_id,
                                                  std::vector<std::string> amr) {
  boost::json::object payload{{"appId", std::string(app_id)}};
  return issue_challenge(user, "app", std::move(amr), std::nullopt, boost::json::serialize(payload));
}

MfaVerified IdentityService::verify_mfa(std::string_view mfa_token, std::optional<std::string_view> code,
                                     std::optional<std::string_view> backup_code, const CallContext& ctx,
                                     std::optional<std::string_view> app_id) {
  AuthFailure dead(401, "mfa_challenge_invalid", "The sign-in challenge is invalid, expired or already used.");
  if (!is_well_formed_token(mfa_token, "mfa_")) throw dead;
  const auto digest = token_hash_bytes(mfa_token);
  auto challenge = identity_.find_mfa_challenge(digest, now(), kChallengeAttempts);
  if (!challenge) throw dead;
  std::optional<std::string> challenge_app;
  if (challenge->flow == "app") {
    boost::system::error_code ec;
    auto v = boost::json::parse(challenge->payload_json.value_or("{}"), ec);
    const auto* id = !ec && v.is_object() ? v.as_object().if_contains("appId") : nullptr;
    if (id && id->is_string()) challenge_app = std::string(id->as_string());
  }
  if (app_id ? challenge_app != *app_id : challenge->flow == "app") throw dead;
  auto user = identity_.find_user(challenge->user_id);
  if (!user) throw dead;
  const auto lane = lanes_.lane_for(user, ctx.ip_group);
  lanes_.refuse_if_locked(user->tenant_id, user->email, lane);
  auto method = mfa_.check_second_factor(*user, code, backup_code, ctx.hash_deadline);
  if (!method) {
    identity_.record_mfa_challenge_failure(challenge->id);
    lanes_.count_and_throw(user->tenant_id, user->email, lane, user,
                           AuthFailure(401, "mfa_invalid_code", "The code is wrong or was already used."));
  }
  if (!identity_.consume_mfa_challenge(challenge->id, now())) throw dead;
  lanes_.clear(user->tenant_id, user->email, lane);
  check_enabled(*user);
  MfaVerified out;
  if (challenge->flow == "desktop") {
    boost::system::error_code ec;
    auto v = boost::json::parse(challenge->payload_json.value_or("{}"), ec);
    auto text = [&](const char* key) -> std::optional<std::string> {
      if (ec || !v.is_object()) return std::nullopt;
      auto* f = v.as_object().if_contains(key);
      return f && f->is_string() ? std::optional<std::string>(f->as_string()) : std::nullopt;
    };
    out.device = devices_.issue_desktop(
        *user, DeviceService::checked_fields(text("deviceName"), text("platform"), text("appVersion"), text("installationId")),
        ctx.ip_group);
    return out;
  }
  auto amr = challenge->amr;
  amr.push_back(*method);
  if (challenge_app) {
    auto tokens = tokens_.start_app_session(*user, *challenge_app, std::move(amr), ctx.ip_group);
    out.session = SignedIn{std::move(tokens), std::move(*user), std::nullopt};
    return out;
  }
  const bool verifies_email = challenge->flow == "email" || challenge->flow == "link";
  auto tokens = tokens_.start_session(*user, std::move(amr), ctx.ip_group, verifies_email);
  if (verifies_email && !user->email_verified_at) user->email_verified_at = now();
  out.session = SignedIn{std::move(tokens), std::move(*user), challenge->redirect_url};
  return out;
}

store::UserRecord IdentityService::first_factor(std::string_view raw_email, std::string_view password,
                                                std::optional<std::string_view> tenant_id, const CallContext& ctx) {
  const auto email = normalized_email_or_throw(raw_email);
  auto tenant = sign_in_tenant(tenant_id);
  // An unknown tenant behaves like an unknown email: same work, same answer.
  const std::string tenant_key = tenant ? tenant->id : std::string(tenant_id.value_or("none"));
  std::optional<store::UserRecord> user;
  if (tenant) user = identity_.find_user_by_email(tenant->id, email);
  const auto lane = lanes_.lane_for(user, ctx.ip_group);
  lanes_.refuse_if_locked(tenant_key, email, lane);

  const bool has_password = user && user->password_hash;
  const bool ok =
      hashing_.verify(has_password ? *user->password_hash : dummy_hash_, password, ctx.hash_deadline) && has_password;
  if (!ok) lanes_.count_and_throw(tenant_key, email, lane, user, invalid_credentials());

  // Only this lane: the owner signing in from home must not hand an attacker elsewhere a fresh
  // set of guesses.
  lanes_.clear(tenant_key, email, lane);
  if (hashing_.needs_rehash(*user->password_hash))
    identity_.rehash_password(user->id, hashing_.hash(password, ctx.hash_deadline));
  if (!user->email_verified_at)
    throw AuthFailure(403, "email_not_verified", "Verify your email address before signing in.");
  check_enabled(*user);
  return *user;
}

SignInOutcome IdentityService::login(std::string_view raw_email, std::string_view password,
                                     std::optional<std::string_view> tenant_id, const CallContext& ctx) {
  auto user = first_factor(raw_email, password, tenant_id, ctx);
  if (!identity_.is_known_ip_group(user.id, ctx.ip_group, now() - kNewDeviceWindow))
    identity_.enqueue_mail(mailer_.compose(user, "new_device", "New sign-in to your account",
                                           "Your account was just signed in to from a network we had not seen "
                                           "recently. If this was not you, reset your password."));
  return sign_in(std::move(user), "login", {"pwd"}, std::nullopt, false, ctx);
}

DesktopOutcome IdentityService::desktop_login(std::string_view email, std::string_view password,
                                              std::optional<std::string_view> tenant_id, const DeviceFields& fields,
                                              const CallContext& ctx) {
  auto user = first_factor(email, password, tenant_id, ctx);
  DesktopOutcome out;
  if (user.mfa_enabled_at) {
    boost::json::object device{{"deviceName", fields.name}, {"platform", fields.platform}, {"appVersion", fields.app_version}};
    if (fields.installation_id) device["installationId"] = *fields.installation_id;
    out.challenge = issue_challenge(user, "desktop", {"pwd"}, std::nullopt, boost::json::serialize(device));
    return out;
  }
  out.device = devices_.issue_desktop(user, fields, ctx.ip_group);
  return out;
}

SignedIn IdentityService::refresh(std::string_view refresh_token) {
  std::pair<IssuedTokens, store::SessionRecord> rotated;
  try {
    rotated = tokens_.refresh(refresh_token);
  } catch (const RefreshTokenReused& reused) {
    store::AuditEntry entry;
    entry.tenant_id = reused.session.tenant_id;
    entry.actor_kind = "system";
    entry.actor_id = "token-service";
    entry.action = "session.refresh_reuse_revoked";
    entry.target = "session:" + reused.session.id;
    entry.details_json = "{\"user_id\":" + std::to_string(reused.session.user_id) + "}";
    entry.at = now();
    store_.append_audit(entry);
    throw;
  }
  auto& [tokens, session] = rotated;
  auto user = identity_.find_user(session.user_id);
  if (!user) throw AuthFailure(401, "refresh_token_invalid", "The refresh token is invalid, expired or revoked.");
  check_enabled(*user);
  tokens.access_token = tokens_.mint_access_token(session, user->uuid);
  return SignedIn{std::move(tokens), std::move(*user), std::nullopt};
}

void IdentityService::logout(const TraderPrincipal* principal, std::optional<std::string_view> refresh_token,
                             bool all_sessions) {
  const auto t = now();
  if (all_sessions) {
    if (!principal) throw unauthorized();
    identity_.revoke_user_sessions(principal->user_id, std::nullopt, t, "logout_all");
    return;
  }
  if (principal) {
    identity_.revoke_session(principal->session_id, t, "logout");
    return;
  }
  if (refresh_token && is_well_formed_token(*refresh_token, "rt_")) {
    if (auto session = identity_.find_session_by_refresh(token_hash_bytes(*refresh_token));
        session && session->surface == "trader")
      identity_.revoke_session(session->id, t, "logout");
  }
}

void IdentityService::forgot_password(std::string_view raw_email, std::optional<std::string_view> tenant_id) {
  const auto email = normalized_email_or_throw(raw_email);
  auto tenant = sign_in_tenant(tenant_id);
  if (!tenant || tenant->disabled) return;
  auto user = identity_.find_user_by_email(tenant->id, email);
  if (!user || user->disabled) return;
  const auto token = generate_token("rp_");
  const auto t = now();
  store::TokenIssue issue;
  issue.kind = "password_reset";
  issue.token_hash = token_hash_bytes(token);
  issue.prefix = token_prefix(token, "rp_");
  issue.tenant_id = user->tenant_id;
  issue.user_id = user->id;
  issue.expires_at = t + kResetLifetime;
  issue.now = t;
  issue.mail = mailer_.compose(*user, "password_reset", "Reset your password",
                    "Open this link within 30 minutes to choose a new password. If you did not ask for it, ignore "
                    "this mail.",
                    append_query_param(settings_.trader_app_url + "/reset-password", "token", token));
  issue.throttle = signup_mail_throttle();
  identity_.issue_token(issue);
}

void IdentityService::reset_password(std::string_view token, std::string_view new_password, const CallContext& ctx) {
  if (!is_well_formed_token(token, "rp_")) throw invalid_or_expired_token();
  const auto digest = token_hash_bytes(token);
  // Look first, consume last: a weak password keeps the token usable (§5.7).
  auto live = identity_.find_live_token("password_reset", digest, now());
  if (!live) throw invalid_or_expired_token();
  auto user = identity_.find_user(live->user_id);
  if (!user) throw invalid_or_expired_token();
  check_password_rules(new_password, user->email);
  const auto password_hash = hashing_.hash(new_password, ctx.hash_deadline);
  if (!identity_.consume_token("password_reset", digest, now())) throw invalid_or_expired_token();
  store::PasswordChange change;
  change.user_id = user->id;
  change.password_hash = password_hash;
  change.mark_email_verified = true;
  change.now = now();
  change.mail = mailer_.compose(*user, "security_notice", "Your password was reset",
                     "The password of your account was just reset and every session was signed out. If this was not "
                     "you, contact support.");
  identity_.change_password(change);
  devices_.revoke_all(user->id);
  lanes_.clear(user->tenant_id, user->email, std::nullopt);
}

PasswordChanged IdentityService::change_password(const TraderPrincipal& principal, std::string_view current_password,
                                                 std::string_view new_password, bool revoke_devices,
                                                 const CallContext& ctx) {
  auto user = identity_.find_user(principal.user_id);
  if (!user) throw unauthorized();
  if (!user->password_hash)
    throw AuthFailure(409, "password_not_set", "This account has no password yet; use forgot-password to set one.");
  const auto lane = lanes_.lane_for(user, ctx.ip_group);
  lanes_.refuse_if_locked(user->tenant_id, user->email, lane);
  if (!hashing_.verify(*user->password_hash, current_password, ctx.hash_deadline))
    lanes_.count_and_throw(user->tenant_id, user->email, lane, user,
                            AuthFailure(403, "invalid_password", "The current password is wrong."));
  check_password_rules(new_password, user->email);
  if (hashing_.verify(*user->password_hash, new_password, ctx.hash_deadline))
    throw AuthFailure(400, "password_reused", "Choose a password different from the current one.");
  lanes_.clear(user->tenant_id, user->email, lane);
  store::PasswordChange change;
  change.user_id = user->id;
  change.password_hash = hashing_.hash(new_password, ctx.hash_deadline);
  change.keep_session_id = principal.session_id;
  change.now = now();
  change.mail = mailer_.compose(*user, "security_notice", "Your password was changed",
                     "The password of your account was just changed and your other sessions were signed out. If "
                     "this was not you, reset your password now.");
  PasswordChanged out;
  out.sessions_revoked = identity_.change_password(change);
  if (revoke_devices) out.devices_revoked = devices_.revoke_all(user->id);
  return out;
}

LinkPreview IdentityService::preview_login_link(std::string_view token) {
  if (!is_well_formed_token(token, "ll_")) throw invalid_or_expired_token();
  auto row = identity_.find_live_token("login_link", token_hash_bytes(token), now());
  if (!row) throw invalid_or_expired_token();
  auto user = identity_.find_user(row->user_id);
  if (!user) throw invalid_or_expired_token();
  return LinkPreview{email_hint(user->email), row->tenant_id, row->expires_at, landing_of(*row)};
}

SignInOutcome IdentityService::redeem_login_link(std::string_view token, const CallContext& ctx) {
  if (!is_well_formed_token(token, "ll_")) throw invalid_or_expired_token();
  auto row = identity_.consume_token("login_link", token_hash_bytes(token), now());
  if (!row) throw invalid_or_expired_token();
  auto user = identity_.find_user(row->user_id);
  if (!user) throw invalid_or_expired_token();
  check_enabled(*user);
  return sign_in(std::move(*user), "link", {"link"}, landing_of(*row), true, ctx);
}

store::UserRecord IdentityService::me(const TraderPrincipal& principal) {
  auto user = identity_.find_user(principal.user_id);
  if (!user) throw unauthorized();
  return *user;
}

}  // namespace polysim::auth
