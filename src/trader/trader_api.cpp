#include "trader/trader_api.hpp"

#include <chrono>

#include "auth/auth_failure.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "http/query_params.hpp"
#include "store/store.hpp"
#include "trader/trader_body.hpp"
#include "trader/trader_render.hpp"

namespace polysim::trader {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr auto kHashWaitLimit = std::chrono::seconds(2);
constexpr std::size_t kMaxPasswordField = 2048;  // the policy bounds passwords; this bounds junk
constexpr std::size_t kMaxTokenField = 256;

bool is_json_media_type(std::string_view value) {
  auto type = value.substr(0, value.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  return http::iequals(type, "application/json");
}

// Authorization wins; X-API-Key counts only without it (20-trader-api.md §2.1).
std::optional<std::string_view> presented_credential(const http::Request& req) {
  if (auto auth = req.header("Authorization")) {
    auto v = *auth;
    if (v.size() > 7 && http::iequals(v.substr(0, 7), "bearer ")) {
      v.remove_prefix(7);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    }
    return std::string_view();  // present but not a bearer credential: fails authentication
  }
  if (auto key = req.header("X-API-Key")) return *key;
  return std::nullopt;
}

bool takes_body(http::Method m) { return m == http::Method::Post || m == http::Method::Put; }

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool is_trader_path(std::string_view path) { return path == "/api/v1" || path.substr(0, 8) == "/api/v1/"; }

TraderApi::TraderApi(auth::IdentityService& identity, auth::SessionChecker& sessions, limit::FailOpenGuard& limiter,
                     http::BlockingPool& pool, http::BlockingPool& auth_pool, TraderApiSettings settings)
    : identity_(identity),
      sessions_(sessions),
      limiter_(limiter),
      pool_(pool),
      auth_pool_(auth_pool),
      settings_(std::move(settings)) {
  using http::Method;
  using R = TraderRoute;
  router_.add(Method::Post, "/api/v1/auth/register", {R::Register, Tier::Auth, false});
  router_.add(Method::Post, "/api/v1/auth/verify-email", {R::VerifyEmail, Tier::Default, false});
  router_.add(Method::Post, "/api/v1/auth/login", {R::Login, Tier::Auth, false});
  router_.add(Method::Post, "/api/v1/auth/refresh", {R::Refresh, Tier::Refresh, false});
  router_.add(Method::Post, "/api/v1/auth/logout", {R::Logout, Tier::Default, true});
  router_.add(Method::Post, "/api/v1/auth/forgot-password", {R::ForgotPassword, Tier::Auth, false});
  router_.add(Method::Post, "/api/v1/auth/reset-password", {R::ResetPassword, Tier::Auth, false});
  router_.add(Method::Put, "/api/v1/auth/password", {R::ChangePassword, Tier::PasswordChange, true});
  router_.add(Method::Get, "/api/v1/auth/link", {R::PreviewLink, Tier::Default, false});
  router_.add(Method::Post, "/api/v1/auth/link", {R::RedeemLink, Tier::Default, false});
  router_.add(Method::Get, "/api/v1/auth/me", {R::Me, Tier::Default, true});
  router_.add(Method::Get, "/api/v1/auth/mfa", {R::MfaStatus, Tier::Default, true});
  router_.add(Method::Post, "/api/v1/auth/mfa/setup", {R::MfaSetup, Tier::Default, true});
  router_.add(Method::Post, "/api/v1/auth/mfa/confirm", {R::MfaConfirm, Tier::Default, true});
  router_.add(Method::Post, "/api/v1/auth/mfa/verify", {R::MfaVerify, Tier::MfaVerify, false});
  router_.add(Method::Post, "/api/v1/auth/mfa/disable", {R::MfaDisable, Tier::PasswordChange, true});
  router_.add(Method::Post, "/api/v1/auth/mfa/backup-codes/regenerate", {R::MfaRegenerate, Tier::PasswordChange, true});
}

http::Response TraderApi::protocol_error(int status) const {
  switch (status) {
    case 400: return error_response(400, "invalid_json", "The request could not be parsed.");
    case 413: return error_response(413, "payload_too_large", "The request body is too large.");
    case 414: return error_response(414, "uri_too_long", "The request URL is too long.");
    case 431: return error_response(431, "headers_too_large", "The request headers are too large.");
    case 503: return error_response(503, "service_unavailable", "The service is unavailable. Retry shortly.");
    default: return error_response(500, "internal_error", "Something went wrong on our side.");
  }
}

Task<TraderApi::Authenticated> TraderApi::authenticate(const http::Request& req) {
  Authenticated out;
  const auto credential = presented_credential(req);
  if (!credential) co_return out;
  const std::string token(*credential);
  // Device tokens and personal API keys are not issued yet, so none can be valid.
  if (token.empty() || token.rfind("dt_", 0) == 0 || token.rfind("ak_", 0) == 0) {
    out.failure = auth::unauthorized();
    co_return out;
  }
  try {
    if (auto cached = sessions_.check_cached(token)) {
      out.principal = std::move(cached);
      co_return out;
    }
    auto check = pool_.run([this, token] { return sessions_.check(token); });
    out.principal = co_await std::move(check);
  } catch (const auth::AuthFailure& f) {
    out.failure = f;
  }
  co_return out;
}

Task<http::Response> TraderApi::handle(http::Request& req, http::BodyReader& body_reader) {
  std::vector<std::string_view> forwarded;
  for (const auto& h : req.headers)
    if (http::iequals(h.name, "X-Forwarded-For")) forwarded.push_back(h.value);
  const auto client = auth::resolve_client_ip(req.peer_ip, forwarded, settings_.trusted_proxies, settings_.ipv6_prefix);
  const std::string ip_bucket = "ip:" + client.bucket;

  const auto match = router_.match(req.method, req.path);
  if (match.outcome != http::Router<RouteInfo>::Outcome::Matched) {
    // Unknown routes are in the default tier too, charged to the caller's address.
    const auto verdict = charge(limiter_, Tier::Default, ip_bucket);
    http::Response r = !verdict.admitted ? rate_limited_response(Tier::Default, verdict)
                       : match.outcome == http::Router<RouteInfo>::Outcome::NotFound
                           ? error_response(404, "not_found", "No such route.")
                           : error_response(405, "method_not_allowed", "Method not allowed on this route.");
    if (verdict.admitted && match.outcome == http::Router<RouteInfo>::Outcome::MethodNotAllowed)
      r.set_header("Allow", match.allow);
    apply_tier_headers(r, verdict);
    co_return r;
  }
  const auto& info = match.route->payload;

  // IP tiers are charged before authentication; principal tiers after it, to the principal
  // (or, for a failed or absent credential, to the address).
  TierVerdict verdict;
  Authenticated who;
  const bool ip_tier = info.tier != Tier::Default;
  if (ip_tier) verdict = charge(limiter_, info.tier, ip_bucket);
  if (verdict.admitted && info.accepts_principal) who = co_await authenticate(req);
  if (!ip_tier) {
    const std::string bucket = who.principal ? "s:" + who.principal->session_id : ip_bucket;
    verdict = charge(limiter_, info.tier, bucket);
  }
  auto finish = [&](http::Response r) {
    r.log_route = match.route->pattern;
    if (who.principal) r.log_tenant = who.principal->tenant_id;
    apply_tier_headers(r, verdict);
    return r;
  };
  if (!verdict.admitted) co_return finish(rate_limited_response(info.tier, verdict));
  // A failed credential is refused except on logout, which also works with a refresh token.
  if (who.failure && info.route != TraderRoute::Logout) co_return finish(error_response(*who.failure));

  // Body: size from Content-Length, media type, then reading and strict JSON.
  std::optional<JsonValue> body;
  if (takes_body(req.method) && req.has_body()) {
    if (req.content_length && *req.content_length > kMaxBody)
      co_return finish(error_response(413, "payload_too_large", "The request body is too large."));
    auto type = req.header("Content-Type");
    if (!type || !is_json_media_type(*type))
      co_return finish(error_response(415, "unsupported_media_type", "Send the body as application/json."));
    std::string text;
    switch (co_await body_reader.read(kMaxBody, text)) {
      case http::BodyStatus::TooLarge:
        co_return finish(error_response(413, "payload_too_large", "The request body is too large."));
      case http::BodyStatus::Failed: {
        auto r = error_response(400, "invalid_json", "The request body could not be read.");
        r.close_connection = true;
        co_return finish(std::move(r));
      }
      case http::BodyStatus::Ok: break;
    }
    if (!text.empty()) {
      auto parsed = parse_json(text);
      if (auto* err = std::get_if<JsonParseError>(&parsed))
        co_return finish(error_response(400, "invalid_json", "The body is not valid JSON: " + err->message));
      if (!std::get<JsonValue>(parsed).is_object())
        co_return finish(error_response(400, "invalid_json", "The body must be a JSON object."));
      body = std::move(std::get<JsonValue>(parsed));
    }
  }

  auth::CallContext ctx;
  ctx.ip_group = client.bucket;
  ctx.hash_deadline = std::chrono::steady_clock::now() + kHashWaitLimit;
  http::Response response;
  // Named, not a temporary inside the co_await: GCC 12 destroys such temporaries twice.
  const std::optional<auth::TraderPrincipal> principal = who.failure ? std::nullopt : who.principal;
  try {
    response = co_await dispatch(info.route, req, body ? &*body : nullptr, principal, ctx);
  } catch (const auth::AuthFailure& f) {
    response = error_response(f);
  } catch (const store::StoreUnavailable&) {
    auto busy = auth::AuthFailure(503, "service_unavailable", "The service is unavailable. Retry shortly.");
    busy.retry_after_s = 1;
    response = error_response(busy);
  }
  co_return finish(std::move(response));
}

Task<http::Response> TraderApi::dispatch(TraderRoute route, http::Request& req, const JsonValue* body,
                                         const std::optional<auth::TraderPrincipal>& principal,
                                         const auth::CallContext& ctx) {
  auto& id = identity_;
  auto require_principal = [&]() -> const auth::TraderPrincipal& {
    if (!principal) throw auth::unauthorized();
    return *principal;
  };
  switch (route) {
    case TraderRoute::Register: {
      BodyFields f(body, {"email", "password", "displayName"});
      auto email = f.required_string("email", 320);
      auto password = f.required_string("password", kMaxPasswordField);
      auto display_name = f.optional_string("displayName", 320);
      if (display_name && (code_points(*display_name) < 1 || code_points(*display_name) > 80))
        throw auth::validation_failure("displayName", "must be 1 to 80 characters");
      co_await auth_pool_.run([&] { id.register_user(email, password, display_name, ctx); });
      co_return json_response(202, R"({"status":"verification_sent","message":"Check your inbox to finish signing up."})");
    }
    case TraderRoute::VerifyEmail: {
      BodyFields f(body, {"token"});
      auto token = f.required_string("token", kMaxTokenField);
      auto outcome = co_await pool_.run([&] { return id.verify_email(token, ctx); });
      co_return json_response(200, sign_in_json(outcome));
    }
    case TraderRoute::Login: {
      BodyFields f(body, {"email", "password", "tenantId"});
      auto email = f.required_string("email", 320);
      auto password = f.required_string("password", kMaxPasswordField);
      auto tenant = f.optional_string("tenantId", 64);
      auto outcome = co_await auth_pool_.run([&] {
        return id.login(email, password, tenant ? std::optional<std::string_view>(*tenant) : std::nullopt, ctx);
      });
      co_return json_response(200, sign_in_json(outcome));
    }
    case TraderRoute::Refresh: {
      BodyFields f(body, {"refreshToken"});
      auto token = f.required_string("refreshToken", kMaxTokenField);
      auto signed_in = co_await pool_.run([&] { return id.refresh(token); });
      co_return json_response(200, token_pair_json(signed_in));
    }
    case TraderRoute::Logout: {
      BodyFields f(body, {"refreshToken", "allSessions"});
      auto token = f.optional_string("refreshToken", kMaxTokenField);
      const bool all = f.optional_bool("allSessions").value_or(false);
      const auth::TraderPrincipal* who = principal ? &*principal : nullptr;
      co_await pool_.run([&] {
        id.logout(who, token ? std::optional<std::string_view>(*token) : std::nullopt, all);
      });
      if (who && all) sessions_.forget_user(who->user_id);
      else if (who) sessions_.forget(who->session_id);
      http::Response r;
      r.status = 204;
      r.set_header("Cache-Control", "no-store");
      co_return r;
    }
    case TraderRoute::ForgotPassword: {
      BodyFields f(body, {"email", "tenantId"});
      auto email = f.required_string("email", 320);
      auto tenant = f.optional_string("tenantId", 64);
      co_await pool_.run([&] {
        id.forgot_password(email, tenant ? std::optional<std::string_view>(*tenant) : std::nullopt);
      });
      co_return json_response(
          202, R"({"status":"accepted","message":"If an account exists for this address, a reset link has been sent."})");
    }
    case TraderRoute::ResetPassword: {
      BodyFields f(body, {"token", "newPassword"});
      auto token = f.required_string("token", kMaxTokenField);
      auto password = f.required_string("newPassword", kMaxPasswordField);
      co_await auth_pool_.run([&] { id.reset_password(token, password, ctx); });
      co_return json_response(200, R"({"status":"password_reset"})");
    }
    case TraderRoute::ChangePassword: {
      const auto& who = require_principal();
      BodyFields f(body, {"currentPassword", "newPassword", "revokeDevices"});
      auto current = f.required_string("currentPassword", kMaxPasswordField);
      auto next = f.required_string("newPassword", kMaxPasswordField);
      const bool revoke_devices = f.optional_bool("revokeDevices").value_or(false);
      auto changed = co_await auth_pool_.run([&] { return id.change_password(who, current, next, revoke_devices, ctx); });
      sessions_.forget_user(who.user_id);
      co_return json_response(200, "{\"status\":\"password_changed\",\"sessionsRevoked\":" +
                                       std::to_string(changed.sessions_revoked) +
                                       ",\"devicesRevoked\":" + std::to_string(changed.devices_revoked) + "}");
    }
    case TraderRoute::PreviewLink: {
      auto query = http::parse_query(req.query);
      auto it = query.values.find("token");
      if (query.duplicated || it == query.values.end()) throw auth::invalid_or_expired_token();
      auto token = it->second;
      auto preview = co_await pool_.run([&] { return id.preview_login_link(token); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("valid"); w.boolean(true);
      w.key("emailHint"); w.string(preview.email_hint);
      w.key("tenantId"); w.string(preview.tenant_id);
      w.key("expiresAt"); w.string(format_rfc3339_millis(preview.expires_at));
      w.key("redirectUrl"); w.string(preview.redirect_url);
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::RedeemLink: {
      BodyFields f(body, {"token"});
      auto token = f.required_string("token", kMaxTokenField);
      auto outcome = co_await pool_.run([&] { return id.redeem_login_link(token, ctx); });
      co_return json_response(200, sign_in_json(outcome));
    }
    case TraderRoute::Me: {
      const auto& who = require_principal();
      auto user = co_await pool_.run([&] { return id.me(who); });
      co_return json_response(200, user_json(user));
    }
    case TraderRoute::MfaStatus: {
      const auto& who = require_principal();
      auto status = co_await pool_.run([&] { return id.mfa().status(id.me(who)); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("enabled"); w.boolean(status.enabled);
      w.key("enabledAt");
      if (status.enabled_at) w.string(format_rfc3339_millis(*status.enabled_at)); else w.null();
      w.key("backupCodesRemaining"); w.number(status.backup_codes_remaining);
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::MfaSetup: {
      const auto& who = require_principal();
      BodyFields f(body, {});
      auto setup = co_await pool_.run([&] { return id.mfa().setup(id.me(who)); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("secret"); w.string(setup.secret);
      w.key("otpauthUri"); w.string(setup.otpauth_uri);
      w.key("expiresAt"); w.string(format_rfc3339_millis(setup.expires_at));
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::MfaConfirm: {
      const auto& who = require_principal();
      BodyFields f(body, {"code"});
      auto code = f.required_string("code", 16);
      auto codes = co_await auth_pool_.run(
          [&] { return id.mfa().confirm(id.me(who), who.session_id, code, ctx.hash_deadline); });
      sessions_.forget_user(who.user_id);
      co_return json_response(200, backup_codes_json("enabled", codes));
    }
    case TraderRoute::MfaVerify: {
      BodyFields f(body, {"mfaToken", "code", "backupCode"});
      auto token = f.required_string("mfaToken", kMaxTokenField);
      auto code = f.optional_string("code", 16);
      auto backup = f.optional_string("backupCode", 32);
      if (code.has_value() == backup.has_value())
        throw auth::validation_failure(code ? "backupCode" : "code", "send exactly one of code and backupCode");
      auto signed_in = co_await auth_pool_.run([&] {
        return id.verify_mfa(token, code ? std::optional<std::string_view>(*code) : std::nullopt,
                             backup ? std::optional<std::string_view>(*backup) : std::nullopt, ctx);
      });
      co_return json_response(200, token_pair_json(signed_in));
    }
    case TraderRoute::MfaDisable: {
      const auto& who = require_principal();
      BodyFields f(body, {"password", "code"});
      auto password = f.required_string("password", kMaxPasswordField);
      auto code = f.required_string("code", 32);
      co_await auth_pool_.run(
          [&] { id.mfa().disable(id.me(who), password, code, ctx.ip_group, ctx.hash_deadline); });
      co_return json_response(200, R"({"enabled":false})");
    }
    case TraderRoute::MfaRegenerate: {
      const auto& who = require_principal();
      BodyFields f(body, {"code"});
      auto code = f.required_string("code", 16);
      auto codes = co_await auth_pool_.run(
          [&] { return id.mfa().regenerate_backup_codes(id.me(who), code, ctx.ip_group, ctx.hash_deadline); });
      co_return json_response(200, backup_codes_json("", codes));
    }
  }
  co_return error_response(500, "internal_error", "Something went wrong on our side.");
}

}  // namespace polysim::trader
