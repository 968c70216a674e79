#include "trader/trader_api.hpp"

#include <algorithm>
#include <chrono>

#include "auth/auth_failure.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "core/encoding.hpp"
#include "http/callback_await.hpp"
#include "http/credential.hpp"
#include "http/query_params.hpp"
#include "store/store.hpp"
#include "trader/journal_body.hpp"
#include "trader/journal_render.hpp"
#include "trader/trader_body.hpp"
#include "trader/trader_render.hpp"
#include "trader/order_body.hpp"
#include "trader/signal_body.hpp"
#include "trader/signal_queries.hpp"
#include "trader/signal_render.hpp"
#include "trader/trading_queries.hpp"
#include "trader/trading_render.hpp"

namespace polysim::trader {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr auto kHashWaitLimit = std::chrono::seconds(2);

// {"data":[…],"nextCursor":…}, the shape of every trader list.
template <class Rows, class WriteRow>
std::string page_json(const Rows& rows, const std::optional<std::string>& next_cursor, WriteRow write_row) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("data");
  w.begin_array();
  for (const auto& row : rows) write_row(w, row);
  w.end_array();
  w.key("nextCursor");
  if (next_cursor) w.string(*next_cursor);
  else w.null();
  w.end_object();
  return out;
}
constexpr std::size_t kMaxPasswordField = 2048;  // the policy bounds passwords; this bounds junk
constexpr std::size_t kMaxTokenField = 256;

using http::is_json_media_type;

bool takes_body(http::Method m) { return m == http::Method::Post || m == http::Method::Put; }

http::Response no_content() {
  http::Response r;
  r.status = 204;
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace

bool is_trader_path(std::string_view path) { return path == "/api/v1" || path.substr(0, 8) == "/api/v1/"; }

TraderApi::TraderApi(auth::IdentityService& identity, auth::SessionChecker& sessions,
                     auth::CredentialChecker& credentials, CorsPolicy& cors, SyncService& sync,
                     limit::FailOpenGuard& limiter,
                     http::BlockingPool& pool, http::BlockingPool& auth_pool, TraderApiSettings settings,
                     TradingService* trading, SignalService* signals)
    : identity_(identity),
      sessions_(sessions),
      credentials_(credentials),
      cors_(cors),
      sync_(sync),
      limiter_(limiter),
      pool_(pool),
      auth_pool_(auth_pool),
      settings_(std::move(settings)),
      trading_(trading),
      signals_(signals) {
  using http::Method;
  using R = TraderRoute;
  const auto anon = Access::Anonymous, any = Access::AnyPrincipal, user = Access::UserOnly;
  router_.add(Method::Post, "/api/v1/auth/register", {R::Register, Tier::Auth, anon});
  router_.add(Method::Post, "/api/v1/auth/verify-email", {R::VerifyEmail, Tier::Default, anon});
  router_.add(Method::Post, "/api/v1/auth/login", {R::Login, Tier::Auth, anon});
  router_.add(Method::Post, "/api/v1/auth/refresh", {R::Refresh, Tier::Refresh, anon});
  router_.add(Method::Post, "/api/v1/auth/logout", {R::Logout, Tier::Default, Access::OptionalUser});
  router_.add(Method::Post, "/api/v1/auth/forgot-password", {R::ForgotPassword, Tier::Auth, anon});
  router_.add(Method::Post, "/api/v1/auth/reset-password", {R::ResetPassword, Tier::Auth, anon});
  router_.add(Method::Put, "/api/v1/auth/password", {R::ChangePassword, Tier::PasswordChange, user});
  router_.add(Method::Get, "/api/v1/auth/link", {R::PreviewLink, Tier::Default, anon});
  router_.add(Method::Post, "/api/v1/auth/link", {R::RedeemLink, Tier::Default, anon});
  router_.add(Method::Get, "/api/v1/auth/me", {R::Me, Tier::Default, any});
  router_.add(Method::Get, "/api/v1/auth/mfa", {R::MfaStatus, Tier::Default, user});
  router_.add(Method::Post, "/api/v1/auth/mfa/setup", {R::MfaSetup, Tier::Default, user});
  router_.add(Method::Post, "/api/v1/auth/mfa/confirm", {R::MfaConfirm, Tier::Default, user});
  router_.add(Method::Post, "/api/v1/auth/mfa/verify", {R::MfaVerify, Tier::MfaVerify, anon});
  router_.add(Method::Post, "/api/v1/auth/mfa/disable", {R::MfaDisable, Tier::PasswordChange, user});
  router_.add(Method::Post, "/api/v1/auth/mfa/backup-codes/regenerate", {R::MfaRegenerate, Tier::PasswordChange, user});
  router_.add(Method::Post, "/api/v1/auth/desktop-login", {R::DesktopLogin, Tier::Auth, anon});
  router_.add(Method::Post, "/api/v1/auth/device-login", {R::DeviceLogin, Tier::Auth, anon});
  router_.add(Method::Post, "/api/v1/auth/device-login/token", {R::DeviceLoginToken, Tier::Default, anon});
  router_.add(Method::Get, "/api/v1/devices/authorize/{user_code}", {R::DescribeDeviceRequest, Tier::Default, user});
  router_.add(Method::Post, "/api/v1/devices/authorize", {R::DecideDeviceRequest, Tier::Default, user});
  router_.add(Method::Get, "/api/v1/devices", {R::ListDevices, Tier::Default, user});
  router_.add(Method::Delete, "/api/v1/devices/current", {R::RevokeCurrentDevice, Tier::Default, Access::DeviceOnly});
  router_.add(Method::Delete, "/api/v1/devices/{device_id}", {R::RevokeDevice, Tier::Default, user});
  router_.add(Method::Post, "/api/v1/api-keys", {R::CreateApiKey, Tier::Default, user});
  router_.add(Method::Get, "/api/v1/api-keys", {R::ListApiKeys, Tier::Default, user});
  router_.add(Method::Delete, "/api/v1/api-keys/{key_id}", {R::RevokeApiKey, Tier::Default, user});
  router_.add(Method::Get, "/api/v1/desktop/sync/snapshot",
              {R::SyncSnapshot, Tier::DesktopSync, Access::DeviceOnly, "desktop:sync"});
  router_.add(Method::Get, "/api/v1/desktop/sync/changes",
              {R::SyncChanges, Tier::DesktopSync, Access::DeviceOnly, "desktop:sync"});
  router_.add(Method::Post, "/api/v1/desktop/sync/journal",
              {R::SyncJournal, Tier::DesktopSync, Access::DeviceOnly, "desktop:sync"});
  if (trading_) {
    router_.add(Method::Post, "/api/v1/orders", {R::PlaceOrder, Tier::Default, any, "trading:write"});
    router_.add(Method::Get, "/api/v1/orders/{order_id}", {R::GetOrder, Tier::Default, any, "trading:read"});
    router_.add(Method::Delete, "/api/v1/orders/{order_id}", {R::CancelOrder, Tier::Default, any, "trading:write"});
    router_.add(Method::Get, "/api/v1/positions", {R::ListPositions, Tier::Default, any, "trading:read"});
    router_.add(Method::Get, "/api/v1/accounts", {R::ListAccounts, Tier::Default, any, "accounts:read"});
    router_.add(Method::Get, "/api/v1/accounts/{account_id}", {R::GetAccount, Tier::Default, any, "accounts:read"});
    router_.add(Method::Get, "/api/v1/accounts/{account_id}/equity",
                {R::AccountEquity, Tier::Default, any, "accounts:read"});
    router_.add(Method::Get, "/api/v1/markets", {R::ListMarkets, Tier::Default, any});
    router_.add(Method::Get, "/api/v1/markets/{market}", {R::GetMarket, Tier::Default, any});
    router_.add(Method::Get, "/api/v1/orders", {R::ListOrders, Tier::Default, any, "trading:read"});
    router_.add(Method::Get, "/api/v1/fills", {R::ListFills, Tier::Default, any, "trading:read"});
    if (signals_) {
      // Literal segments before /signals/{signal_id}: the first matching pattern wins.
      router_.add(Method::Post, "/api/v1/signals", {R::SubmitSignal, Tier::Default, any, "signals:write"});
      router_.add(Method::Get, "/api/v1/signals", {R::ListSignals, Tier::Default, any, "trading:read"});
      router_.add(Method::Get, "/api/v1/signals/targets", {R::GetSignalTargets, Tier::Default, user});
      router_.add(Method::Put, "/api/v1/signals/targets", {R::PutSignalTargets, Tier::Default, user});
      router_.add(Method::Post, "/api/v1/signals/webhooks", {R::CreateWebhook, Tier::Default, user});
      router_.add(Method::Get, "/api/v1/signals/webhooks", {R::ListWebhooks, Tier::Default, user});
      router_.add(Method::Post, "/api/v1/signals/webhooks/{webhook_id}/rotate", {R::RotateWebhook, Tier::Default, user});
      router_.add(Method::Delete, "/api/v1/signals/webhooks/{webhook_id}", {R::DeleteWebhook, Tier::Default, user});
      router_.add(Method::Post, "/api/v1/signals/webhook/{key}", {R::DeliverWebhook, Tier::Default, anon});
      router_.add(Method::Get, "/api/v1/signals/{signal_id}", {R::GetSignal, Tier::Default, any, "trading:read"});
    }
  }
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

Task<TraderApi::Authenticated> TraderApi::authenticate(const http::Request& req, const std::string& ip_group) {
  Authenticated out;
  // Authorization wins; X-API-Key counts only without it (20-trader-api.md §2.1).
  const auto credential = http::extract_credential(req, http::CredentialPrecedence::Authorization);
  if (credential.kind == http::Credential::Kind::Missing) co_return out;
  const std::string token(credential.value);
  try {
    if (auth::CredentialChecker::is_device_or_key(token)) {
      if (auto cached = credentials_.check_cached(token)) {
        out.principal = std::move(cached);
        co_return out;
      }
      auto check = pool_.run([this, token, ip_group] { return credentials_.check(token, ip_group); });
      out.principal = co_await std::move(check);
      co_return out;
    }
    if (token.empty()) throw auth::unauthorized();
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

// Route access after authentication (§2.4); nullopt when the principal may proceed.
static std::optional<auth::AuthFailure> access_refusal(Access access, const char* scope,
                                                const std::optional<auth::TraderPrincipal>& who) {
  using auth::PrincipalKind;
  if (access == Access::Anonymous || access == Access::OptionalUser) {
    if (access == Access::OptionalUser && who && who->kind != PrincipalKind::User)
      return auth::AuthFailure(403, "principal_not_allowed", "This route accepts only a signed-in user.");
    return std::nullopt;
  }
  if (!who) return auth::unauthorized();
  if (access == Access::UserOnly && who->kind != PrincipalKind::User)
    return auth::AuthFailure(403, "principal_not_allowed", "This route accepts only a signed-in user, not a device or key.");
  if (access == Access::DeviceOnly && who->kind != PrincipalKind::Device)
    return auth::AuthFailure(403, "principal_not_allowed", "This route accepts only a device token.");
  if (scope && who->kind != PrincipalKind::User &&
      std::find(who->scopes.begin(), who->scopes.end(), scope) == who->scopes.end()) {
    auth::AuthFailure f(403, "insufficient_scope", "The credential lacks the scope this route needs.");
    f.details.emplace_back("scope", scope);
    return f;
  }
  return std::nullopt;
}

Task<http::Response> TraderApi::handle(http::Request& req, http::BodyReader& body_reader) {
  const auto origin_header = req.header("Origin");
  const std::string origin = origin_header ? cors_.allowed(*origin_header) : std::string();
  http::Response r;
  if (req.method == http::Method::Options && req.header("Access-Control-Request-Method")) {
    // A preflight: answered without authentication or metering, as browsers send no credentials.
    r.status = 204;
    if (!origin.empty()) {
      r.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
      r.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key, Idempotency-Key");
      r.set_header("Access-Control-Max-Age", "600");
    }
  } else {
    r = co_await handle_route(req, body_reader);
  }
  if (!origin.empty()) {
    r.set_header("Access-Control-Allow-Origin", origin);
    r.set_header("Access-Control-Expose-Headers",
                 "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After, X-Request-Id, "
                 "Idempotent-Replayed");
  }
  if (origin_header) r.set_header("Vary", "Origin");
  // A url-mode webhook secret in the path is logged by its prefix only (§10.4).
  if (req.path.starts_with("/api/v1/signals/webhook/wh_")) r.log_path = loggable_trader_path(req.path);
  co_return r;
}

Task<http::Response> TraderApi::handle_route(http::Request& req, http::BodyReader& body_reader) {
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
  if (info.route == TraderRoute::DeliverWebhook) {
    auto delivered = co_await deliver_webhook(req, body_reader, match.params, ip_bucket);
    delivered.log_route = match.route->pattern;
    co_return delivered;
  }

  // IP tiers are charged before authentication; principal tiers after it, to the principal
  // (or, for a failed or absent credential, to the address).
  TierVerdict verdict;
  Authenticated who;
  const bool ip_tier = info.tier != Tier::Default && info.tier != Tier::DesktopSync;
  if (ip_tier) verdict = charge(limiter_, info.tier, ip_bucket);
  if (verdict.admitted && info.access != Access::Anonymous) who = co_await authenticate(req, client.bucket);
  if (!ip_tier) {
    const std::string bucket = who.principal ? who.principal->bucket : ip_bucket;
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
  if (who.failure && info.access != Access::OptionalUser) co_return finish(error_response(*who.failure));
  if (!who.failure) {
    if (auto refusal = access_refusal(info.access, info.scope, who.principal)) co_return finish(error_response(*refusal));
  }

  // Body: size from Content-Length, media type, then reading and strict JSON.
  std::optional<JsonValue> body;
  const std::size_t max_body = info.route == TraderRoute::SyncJournal ? kMaxJournalBody : kMaxBody;
  if (takes_body(req.method) && req.has_body()) {
    if (req.content_length && *req.content_length > max_body)
      co_return finish(error_response(413, "payload_too_large", "The request body is too large."));
    auto type = req.header("Content-Type");
    if (!type || !is_json_media_type(*type))
      co_return finish(error_response(415, "unsupported_media_type", "Send the body as application/json."));
    std::string text;
    switch (co_await body_reader.read(max_body, text)) {
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
    response = co_await dispatch(info.route, req, match.params, body ? &*body : nullptr, principal, ctx);
  } catch (const auth::AuthFailure& f) {
    response = error_response(f);
  } catch (const store::StoreUnavailable&) {
    auto busy = auth::AuthFailure(503, "service_unavailable", "The service is unavailable. Retry shortly.");
    busy.retry_after_s = 1;
    response = error_response(busy);
  }
  co_return finish(std::move(response));
}

Task<http::Response> TraderApi::dispatch(TraderRoute route, http::Request& req, const http::PathParams& params,
                                         const JsonValue* body, const std::optional<auth::TraderPrincipal>& principal,
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
      if (display_name && (utf8_code_points(*display_name) < 1 || utf8_code_points(*display_name) > 80))
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
      co_return no_content();
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
      auto verified = co_await auth_pool_.run([&] {
        return id.verify_mfa(token, code ? std::optional<std::string_view>(*code) : std::nullopt,
                             backup ? std::optional<std::string_view>(*backup) : std::nullopt, ctx);
      });
      co_return json_response(200, verified.device ? device_issued_json(*verified.device)
                                                   : token_pair_json(*verified.session));
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
    case TraderRoute::DesktopLogin: {
      BodyFields f(body, {"email", "password", "tenantId", "deviceName", "platform", "appVersion", "installationId"});
      auto email = f.required_string("email", 320);
      auto password = f.required_string("password", kMaxPasswordField);
      auto tenant = f.optional_string("tenantId", 64);
      auto fields = auth::DeviceService::checked_fields(f.optional_string("deviceName", 400), f.optional_string("platform"),
                                                        f.optional_string("appVersion"), f.optional_string("installationId"));
      auto outcome = co_await auth_pool_.run([&] {
        return id.desktop_login(email, password, tenant ? std::optional<std::string_view>(*tenant) : std::nullopt, fields,
                                ctx);
      });
      if (outcome.challenge) co_return json_response(200, sign_in_json(auth::SignInOutcome{std::nullopt, outcome.challenge}));
      co_return json_response(200, device_issued_json(*outcome.device));
    }
    case TraderRoute::DeviceLogin: {
      BodyFields f(body, {"deviceName", "platform", "appVersion", "installationId", "scopes"});
      auto fields = auth::DeviceService::checked_fields(f.optional_string("deviceName", 400), f.optional_string("platform"),
                                                        f.optional_string("appVersion"), f.optional_string("installationId"));
      auto scopes = f.optional_string_list("scopes");
      auto issued = co_await pool_.run(
          [&] { return id.devices().start_device_login(fields, scopes.value_or(std::vector<std::string>{}), ctx.ip_group); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("deviceCode"); w.string(issued.device_code);
      w.key("userCode"); w.string(issued.user_code);
      w.key("verificationUri"); w.string(issued.verification_uri);
      w.key("verificationUriComplete"); w.string(issued.verification_uri_complete);
      w.key("expiresIn"); w.number(issued.expires_in);
      w.key("interval"); w.number(issued.interval);
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::DeviceLoginToken: {
      BodyFields f(body, {"deviceCode"});
      auto code = f.required_string("deviceCode", kMaxTokenField);
      auto issued = co_await pool_.run([&] { return id.devices().poll(code); });
      co_return json_response(200, device_issued_json(issued));
    }
    case TraderRoute::DescribeDeviceRequest: {
      const std::string user_code(params.get("user_code"));
      auto request = co_await pool_.run([&] { return id.devices().describe(user_code); });
      co_return json_response(200, device_request_json(request));
    }
    case TraderRoute::DecideDeviceRequest: {
      const auto& who = require_principal();
      BodyFields f(body, {"userCode", "decision"});
      auto user_code = f.required_string("userCode", 32);
      auto decision = f.required_string("decision", 16);
      if (decision != "approve" && decision != "deny")
        throw auth::validation_failure("decision", "must be approve or deny");
      co_await pool_.run([&] { id.devices().decide(id.me(who), user_code, decision == "approve"); });
      co_return json_response(200, decision == "approve" ? R"({"status":"approved"})" : R"({"status":"denied"})");
    }
    case TraderRoute::ListDevices: {
      const auto& who = require_principal();
      auto query = http::parse_query(req.query);
      const bool include_revoked = query.values.count("includeRevoked") && query.values.at("includeRevoked") == "true";
      auto devices = co_await pool_.run([&] { return id.devices().list(who.user_id, include_revoked); });
      co_return json_response(200, device_list_json(devices));
    }
    case TraderRoute::RevokeCurrentDevice:
    case TraderRoute::RevokeDevice: {
      const auto& who = require_principal();
      const std::string device_id =
          route == TraderRoute::RevokeCurrentDevice ? who.credential_id : std::string(params.get("device_id"));
      co_await pool_.run([&] { id.devices().revoke(who.user_id, device_id); });
      credentials_.forget(device_id);
      co_return no_content();
    }
    case TraderRoute::CreateApiKey: {
      const auto& who = require_principal();
      BodyFields f(body, {"name", "scopes", "expiresAt"});
      auto name = f.required_string("name", 400);
      auto scopes = f.optional_string_list("scopes");
      if (!scopes) throw auth::validation_failure("scopes", "is required");
      std::optional<std::int64_t> expires_at;
      if (auto text = f.optional_string("expiresAt", 64)) {
        expires_at = parse_rfc3339(*text);
        if (!expires_at) throw auth::validation_failure("expiresAt", "must be an RFC 3339 time");
      }
      auto issued = co_await pool_.run([&] { return id.devices().create_api_key(id.me(who), name, *scopes, expires_at); });
      co_return json_response(201, api_key_json(issued.record, issued.key));
    }
    case TraderRoute::ListApiKeys: {
      const auto& who = require_principal();
      auto keys = co_await pool_.run([&] { return id.devices().list_api_keys(who.user_id); });
      co_return json_response(200, api_key_list_json(keys));
    }
    case TraderRoute::RevokeApiKey: {
      const auto& who = require_principal();
      const std::string key_id(params.get("key_id"));
      co_await pool_.run([&] { id.devices().revoke_api_key(who.user_id, key_id); });
      credentials_.forget(key_id);
      co_return no_content();
    }
    case TraderRoute::SyncSnapshot: {
      const auto& who = require_principal();
      auto snapshot = co_await pool_.run([&] { return sync_.snapshot(who); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("version"); w.number(snapshot.version);
      w.key("accounts");
      w.begin_array();
      for (const auto& a : snapshot.accounts) write_paper_account(w, a);
      w.end_array();
      w.key("positions");
      w.begin_array();
      for (const auto& a : snapshot.accounts)
        for (const auto& line : a.positions) write_position(w, PositionView{line.position, line.mark, line.market_value});
      w.end_array();
      w.key("openOrders");
      w.begin_array();
      for (const auto& o : snapshot.open_orders) write_order(w, o);
      w.end_array();
      w.key("signalTargets");
      w.begin_array();
      for (const auto& id : snapshot.signal_targets) w.string(id);
      w.end_array();
      w.key("journal");
      w.begin_array();
      for (const auto& e : snapshot.journal) write_journal_entry(w, e);
      w.end_array();
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::SyncChanges: {
      const auto& who = require_principal();
      const auto query = http::parse_query(req.query);
      const auto since = sync_since_query(query);
      const int limit = sync_limit_query(query);
      auto changes = co_await pool_.run([&] { return sync_.changes(who, since, limit); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("fromVersion"); w.number(changes.from_version);
      w.key("toVersion"); w.number(changes.to_version);
      w.key("hasMore"); w.boolean(changes.has_more);
      w.key("changes");
      w.begin_array();
      for (const auto& c : changes.changes) {
        w.begin_object();
        w.key("version"); w.number(c.version);
        w.key("entity"); w.string(c.entity);
        w.key("op"); w.string(c.data_json == "null" ? "delete" : "upsert");
        w.key("id"); w.string(c.id);
        w.key("data"); w.raw_json(c.data_json);
        w.end_object();
      }
      w.end_array();
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::SyncJournal: {
      const auto& who = require_principal();
      const auto entries = parse_journal_body(body);
      auto pushed = co_await pool_.run([&] { return sync_.push_journal(who, entries); });
      co_return json_response(200, journal_push_json(pushed));
    }
    case TraderRoute::PlaceOrder: {
      const auto& who = require_principal();
      const char* origin = who.kind == auth::PrincipalKind::User     ? "web"
                           : who.kind == auth::PrincipalKind::Device ? "desktop"
                                                                     : "api";
      auto request = parse_order_body(body, origin);
      // Awaited, not run on the blocking pool: no thread waits while the order commits.
      using Outcome = std::variant<PlacedOrder, auth::AuthFailure>;
      auto start = [&](std::function<void(Outcome)> done) { trading_->place_async(who, request, std::move(done)); };
      auto placing = http::await_callback<Outcome>(std::move(start));
      auto outcome = co_await std::move(placing);
      if (auto* failure = std::get_if<auth::AuthFailure>(&outcome)) throw *failure;
      const auto& placed = std::get<PlacedOrder>(outcome);
      std::string out;
      JsonWriter w(out);
      write_order(w, placed.order);
      auto response = json_response(placed.replayed ? 200 : 201, std::move(out));
      if (placed.replayed) response.set_header("Idempotent-Replayed", "true");
      co_return response;
    }
    case TraderRoute::GetOrder: {
      const auto& who = require_principal();
      const std::string order_id(params.get("order_id"));
      auto found = co_await pool_.run([&] { return trading_->order(who, order_id); });
      std::string out;
      JsonWriter w(out);
      write_order(w, found.order, &found.fills);
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::CancelOrder: {
      const auto& who = require_principal();
      const std::string order_id(params.get("order_id"));
      auto cancelled = co_await pool_.run([&] { return trading_->cancel(who, order_id); });
      std::string out;
      JsonWriter w(out);
      write_order(w, cancelled);
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::ListAccounts: {
      const auto& who = require_principal();
      const auto query = http::parse_query(req.query);
      const auto status = account_status_query(query);
      // No live broker account exists until a broker adapter is configured.
      const bool paper = wants_paper_accounts(query);
      auto accounts = co_await pool_.run([&] {
        return paper ? trading_->accounts(who, status) : std::vector<engine::AccountView>{};
      });
      co_return json_response(200, page_json(accounts, std::optional<std::string>{},
                                             [](JsonWriter& w, const engine::AccountView& a) { write_paper_account(w, a); }));
    }
    case TraderRoute::GetAccount: {
      const auto& who = require_principal();
      const std::string account_id(params.get("account_id"));
      auto view = co_await pool_.run([&] { return trading_->account(who, account_id); });
      std::string out;
      JsonWriter w(out);
      write_account_detail(w, view);
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::AccountEquity: {
      const auto& who = require_principal();
      const std::string account_id(params.get("account_id"));
      const auto request = equity_query(http::parse_query(req.query), trading_->now());
      auto points = co_await pool_.run([&] { return trading_->equity(who, account_id, request); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("accountId"); w.string(account_id);
      w.key("interval"); w.string(request.interval == 3'600'000'000 ? "hour" : "day");
      w.key("data");
      w.begin_array();
      for (const auto& p : points) write_equity_point(w, p);
      w.end_array();
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::ListMarkets: {
      require_principal();
      const auto request = market_list_query(http::parse_query(req.query));
      auto page = trading_->markets(request);  // in memory: no database, no pool
      const auto now = trading_->now();
      auto& board = trading_->board();
      co_return json_response(200, page_json(page.rows, page.next_cursor, [&](JsonWriter& w, const engine::MarketPtr& m) {
                                write_market(w, *m, board, now, std::nullopt);
                              }));
    }
    case TraderRoute::GetMarket: {
      require_principal();
      const int depth = depth_query(http::parse_query(req.query));
      auto market = trading_->market(std::string(params.get("market")));
      std::string out;
      JsonWriter w(out);
      write_market(w, *market, trading_->board(), trading_->now(), depth);
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::ListOrders: {
      const auto& who = require_principal();
      const auto request = order_list_query(http::parse_query(req.query));
      auto page = co_await pool_.run([&] { return trading_->orders(who, request); });
      co_return json_response(200, page_json(page.rows, page.next_cursor,
                                             [](JsonWriter& w, const store::OrderRecord& o) { write_order(w, o); }));
    }
    case TraderRoute::ListFills: {
      const auto& who = require_principal();
      const auto request = fill_list_query(http::parse_query(req.query));
      auto page = co_await pool_.run([&] { return trading_->fills(who, request); });
      co_return json_response(200, page_json(page.rows, page.next_cursor,
                                             [](JsonWriter& w, const store::FillRecord& f) { write_fill(w, f); }));
    }
    case TraderRoute::ListPositions: {
      const auto& who = require_principal();
      auto query = http::parse_query(req.query);
      std::optional<std::string> account, market;
      bool open_only = true;
      if (auto it = query.values.find("accountId"); it != query.values.end()) account = it->second;
      if (auto it = query.values.find("marketId"); it != query.values.end()) market = it->second;
      if (auto it = query.values.find("status"); it != query.values.end()) {
        if (it->second != "OPEN" && it->second != "all") throw auth::validation_failure("status", "must be OPEN or all");
        open_only = it->second == "OPEN";
      }
      auto rows = co_await pool_.run([&] { return trading_->positions(who, account, market, open_only); });
      std::string out;
      JsonWriter w(out);
      w.begin_object();
      w.key("data");
      w.begin_array();
      for (const auto& p : rows) write_position(w, p);
      w.end_array();
      w.key("nextCursor"); w.null();
      w.end_object();
      co_return json_response(200, std::move(out));
    }
    case TraderRoute::SubmitSignal: {
      const auto& who = require_principal();
      std::optional<std::string> header_key;
      if (auto h = req.header("Idempotency-Key")) header_key = std::string(*h);
      const auto request = parse_signal_body(body, header_key);
      auto submitted = co_await pool_.run([&] { return signals_->submit(who, request); });
      auto response = json_response(submitted.replayed ? 200 : 201, signal_json(submitted.signal));
      if (submitted.replayed) response.set_header("Idempotent-Replayed", "true");
      co_return response;
    }
    case TraderRoute::ListSignals: {
      const auto& who = require_principal();
      const auto request = signal_list_query(http::parse_query(req.query));
      auto page = co_await pool_.run([&] { return signals_->signals(who, request); });
      co_return json_response(200, page_json(page.rows, page.next_cursor,
                                             [](JsonWriter& w, const store::SignalRecord& s) { write_signal(w, s); }));
    }
    case TraderRoute::GetSignal: {
      const auto& who = require_principal();
      const std::string signal_id(params.get("signal_id"));
      auto signal = co_await pool_.run([&] { return signals_->signal(who, signal_id); });
      co_return json_response(200, signal_json(signal));
    }
    case TraderRoute::GetSignalTargets: {
      const auto& who = require_principal();
      auto ids = co_await pool_.run([&] { return signals_->targets(who); });
      co_return json_response(200, signal_targets_json(ids));
    }
    case TraderRoute::PutSignalTargets: {
      const auto& who = require_principal();
      const auto wanted = parse_signal_targets(body);
      auto ids = co_await pool_.run([&] { return signals_->set_targets(who, wanted); });
      co_return json_response(200, signal_targets_json(ids));
    }
    case TraderRoute::CreateWebhook: {
      const auto& who = require_principal();
      const auto request = parse_webhook_create(body);
      auto issued = co_await pool_.run([&] { return signals_->create_webhook(who, request); });
      co_return json_response(201, issued_webhook_json(issued));
    }
    case TraderRoute::ListWebhooks: {
      const auto& who = require_principal();
      auto hooks = co_await pool_.run([&] { return signals_->webhooks(who); });
      co_return json_response(200, page_json(hooks, std::optional<std::string>{},
                                             [](JsonWriter& w, const store::WebhookRecord& h) { write_webhook(w, h); }));
    }
    case TraderRoute::RotateWebhook: {
      const auto& who = require_principal();
      const std::string webhook_id(params.get("webhook_id"));
      auto issued = co_await pool_.run([&] { return signals_->rotate_webhook(who, webhook_id); });
      co_return json_response(200, issued_webhook_json(issued));
    }
    case TraderRoute::DeleteWebhook: {
      const auto& who = require_principal();
      const std::string webhook_id(params.get("webhook_id"));
      co_await pool_.run([&] { signals_->delete_webhook(who, webhook_id); });
      co_return no_content();
    }
    case TraderRoute::DeliverWebhook: break;  // deliver_webhook, before authentication
  }
  co_return error_response(500, "internal_error", "Something went wrong on our side.");
}

namespace {

constexpr std::size_t kMaxWebhookBody = 16 * 1024;

bool is_text_plain(std::string_view type) {
  const auto semicolon = type.find(';');
  auto media = type.substr(0, semicolon);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return http::iequals(media, "text/plain");
}

std::optional<std::string> header_text(const http::Request& req, std::string_view name) {
  if (auto h = req.header(name)) return std::string(*h);
  return std::nullopt;
}

http::Response service_busy() {
  auto busy = auth::AuthFailure(503, "service_unavailable", "The service is unavailable. Retry shortly.");
  busy.retry_after_s = 1;
  return error_response(busy);
}

}  // namespace

Task<http::Response> TraderApi::deliver_webhook(http::Request& req, http::BodyReader& body_reader,
                                                const http::PathParams& params, const std::string& ip_bucket) {
  const std::string key(params.get("key"));
  std::optional<http::Response> refused;  // before authentication: charged to the address
  std::string text;
  const auto type = req.header("Content-Type");
  if (req.content_length && *req.content_length > kMaxWebhookBody) {
    refused = error_response(413, "payload_too_large", "The request body is too large.");
  } else if (type && !is_json_media_type(*type) && !is_text_plain(*type)) {
    refused = error_response(415, "unsupported_media_type", "Send the body as application/json or text/plain.");
  } else {
    const auto status = co_await body_reader.read(kMaxWebhookBody, text);
    if (status == http::BodyStatus::TooLarge) {
      refused = error_response(413, "payload_too_large", "The request body is too large.");
    } else if (status == http::BodyStatus::Failed) {
      refused = error_response(400, "invalid_json", "The request body could not be read.");
      refused->close_connection = true;
    }
  }
  std::optional<WebhookPrincipal> hook;
  if (!refused) {
    const auto timestamp = header_text(req, "X-Polysim-Timestamp");
    const auto signature = header_text(req, "X-Polysim-Signature");
    try {
      auto check = pool_.run(
          [this, &key, &timestamp, &signature, &text] { return signals_->authenticate_webhook(key, timestamp, signature, text); });
      hook = co_await std::move(check);
    } catch (const auth::AuthFailure& f) {
      refused = error_response(f);
    } catch (const store::StoreUnavailable&) {
      refused = service_busy();
    }
  }
  // A failed credential counts in its address's bucket, a webhook in its own (§3.1).
  const std::string bucket = hook ? hook->principal.bucket : ip_bucket;
  const auto verdict = charge(limiter_, Tier::Default, bucket);
  http::Response response;
  if (!verdict.admitted) {
    response = rate_limited_response(Tier::Default, verdict);
  } else if (refused) {
    response = std::move(*refused);
  } else {
    const auto header_key = header_text(req, "Idempotency-Key");
    try {
      response = co_await webhook_signal(*hook, header_key, text);
    } catch (const auth::AuthFailure& f) {
      response = error_response(f);
    } catch (const store::StoreUnavailable&) {
      response = service_busy();
    }
  }
  if (hook) response.log_tenant = hook->principal.tenant_id;
  apply_tier_headers(response, verdict);
  co_return response;
}

Task<http::Response> TraderApi::webhook_signal(const WebhookPrincipal& hook,
                                               const std::optional<std::string>& idempotency_key,
                                               const std::string& text) {
  auto parsed = parse_json(text);
  if (auto* err = std::get_if<JsonParseError>(&parsed))
    co_return error_response(400, "invalid_json", "The body is not valid JSON: " + err->message);
  if (!std::get<JsonValue>(parsed).is_object())
    co_return error_response(400, "invalid_json", "The body must be a JSON object.");
  SignalDefaults defaults;
  defaults.size_type = hook.webhook.default_size_type;
  defaults.size = hook.webhook.default_size;
  if (hook.webhook.default_order_type)
    defaults.order_type = *hook.webhook.default_order_type == "limit" ? engine::OrderType::Limit : engine::OrderType::Market;
  const auto request = parse_webhook_signal_body(std::get<JsonValue>(parsed), defaults, idempotency_key);
  auto submitted = co_await pool_.run([&] { return signals_->deliver(hook, request); });
  auto response = json_response(submitted.replayed ? 200 : 201, signal_json(submitted.signal));
  if (submitted.replayed) response.set_header("Idempotent-Replayed", "true");
  co_return response;
}

}  // namespace polysim::trader
