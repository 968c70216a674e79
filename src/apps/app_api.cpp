#include "apps/app_api.hpp"

#include "apps/app_http.hpp"
#include "apps/app_pages.hpp"
#include "apps/app_registry.hpp"
#include "http/credential.hpp"
#include "store/store_errors.hpp"

namespace polysim::apps {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

struct AppLookup {
  std::optional<store::AppRecord> app;
  bool tenant_disabled = false;
};

}  // namespace

bool is_app_path(std::string_view path) {
  auto under = [&](std::string_view prefix) {
    return path == prefix || (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
                              path[prefix.size()] == '/');
  };
  return under("/auth") || under("/execution") || under("/markets") || path == "/users/me";
}

AppApi::AppApi(store::Store& store, store::AppStore& apps, AppSignIn& sign_in, AppTrading& trading,
               trader::TradingService& reads, limit::FailOpenGuard& limiter, http::BlockingPool& pool,
               AppApiSettings settings, AppOidcSignIn* oidc)
    : store_(store),
      apps_(apps),
      sign_in_(sign_in),
      trading_(trading),
      reads_(reads),
      limiter_(limiter),
      pool_(pool),
      settings_(std::move(settings)),
      oidc_(oidc) {
  using http::Method;
  auto add = [&](Method m, const char* pattern, AppRoute route, AppTier tier) {
    router_.add(m, pattern, RouteInfo{route, tier});
  };
  add(Method::Post, "/auth/start", AppRoute::AuthStart, AppTier::App);
  add(Method::Post, "/auth/verify", AppRoute::AuthVerify, AppTier::App);
  add(Method::Post, "/auth/mfa/verify", AppRoute::MfaVerify, AppTier::App);
  add(Method::Post, "/auth/token/exchange", AppRoute::Exchange, AppTier::App);
  add(Method::Post, "/auth/token/refresh", AppRoute::Refresh, AppTier::App);
  add(Method::Get, "/auth/magic/{token}", AppRoute::MagicGet, AppTier::Browser);
  add(Method::Post, "/auth/magic/{token}", AppRoute::MagicPost, AppTier::Browser);
  add(Method::Get, "/auth/oauth/callback", AppRoute::OauthCallback, AppTier::Browser);
  add(Method::Post, "/auth/sign-out", AppRoute::SignOut, AppTier::User);
  add(Method::Get, "/users/me", AppRoute::Me, AppTier::User);
  add(Method::Get, "/markets", AppRoute::Markets, AppTier::App);
  add(Method::Get, "/markets/{market_id}", AppRoute::Market, AppTier::App);
  add(Method::Get, "/markets/{market_id}/orderbook", AppRoute::Orderbook, AppTier::App);
  add(Method::Post, "/execution/quote", AppRoute::Quote, AppTier::User);
  add(Method::Post, "/execution/fill", AppRoute::Fill, AppTier::User);
  add(Method::Post, "/execution/orders/{order_id}/cancel", AppRoute::Cancel, AppTier::User);
  add(Method::Get, "/execution/orders", AppRoute::Orders, AppTier::User);
  add(Method::Get, "/execution/orders/{order_id}", AppRoute::Order, AppTier::User);
  add(Method::Get, "/execution/positions", AppRoute::Positions, AppTier::User);
  add(Method::Get, "/execution/balances", AppRoute::Balances, AppTier::User);
}

http::Response AppApi::protocol_error(int status) const {
  switch (status) {
    case 400: return failure_response(400, "validation_failed", "Malformed request.");
    case 413: return failure_response(413, "payload_too_large", "Request body is too large.");
    case 414: return failure_response(414, "validation_failed", "Request URL is too long.");
    case 431: return failure_response(431, "validation_failed", "Request headers are too large.");
    case 503: return failure_response(503, "service_unavailable", "Service unavailable. Retry shortly.");
    default: return failure_response(500, "internal_error", "Internal error.");
  }
}

Task<http::Response> AppApi::handle(http::Request& req, http::BodyReader& body_reader) {
  const auto origin = req.header("Origin");
  if (req.method == http::Method::Options) co_return preflight();

  std::vector<std::string_view> forwarded;
  for (const auto& h : req.headers)
    if (http::iequals(h.name, "X-Forwarded-For")) forwarded.push_back(h.value);
  const auto client = auth::resolve_client_ip(req.peer_ip, forwarded, settings_.trusted_proxies, settings_.ipv6_prefix);
  const auto match = router_.match(req.method, req.path);
  http::PathParams no_params;
  AppContext ctx{req, match.outcome == http::Router<RouteInfo>::Outcome::Matched ? match.params : no_params,
                 std::nullopt, std::nullopt, std::nullopt, "ip:" + client.bucket, {}, {}};
  ctx.scopes.push_back({ctx.ip_bucket, &settings_.limits.ip});

  const bool auth_path = req.path.substr(0, 5) == "/auth";
  auto finish = [&](http::Response r) {
    apply_app_limit_headers(r, ctx.verdict);
    if (auth_path) r.set_header("Cache-Control", "no-store");
    if (ctx.app && origin &&
        std::find(ctx.app->redirect_origins.begin(), ctx.app->redirect_origins.end(), std::string(*origin)) !=
            ctx.app->redirect_origins.end())
      add_cors(r, origin);
    if (ctx.app) r.log_tenant = ctx.app->tenant_id;
    if (match.route) r.log_route = match.route->pattern;
    return r;
  };
  if (match.outcome != http::Router<RouteInfo>::Outcome::Matched) {
    ctx.verdict = charge_app_scopes(limiter_, ctx.scopes);
    if (!ctx.verdict.admitted)
      co_return finish(failure_response(429, "rate_limited", rate_limited_message(ctx.verdict.retry_after_s)));
    auto r = failure_response(match.outcome == http::Router<RouteInfo>::Outcome::NotFound ? 404 : 405,
                              match.outcome == http::Router<RouteInfo>::Outcome::NotFound ? "not_found"
                                                                                          : "method_not_allowed",
                              match.outcome == http::Router<RouteInfo>::Outcome::NotFound ? "Not found."
                                                                                          : "Method not allowed.");
    if (match.outcome == http::Router<RouteInfo>::Outcome::MethodNotAllowed) r.set_header("Allow", match.allow);
    co_return finish(std::move(r));
  }
  const auto info = match.route->payload;
  const bool browser = info.tier == AppTier::Browser;

  try {
    // The app names the limiter's app scope, so it is looked up before the limiter decides.
    AppLookup lookup;
    if (!browser) {
      const auto header = req.header("x-app-id");
      if (header && is_app_id(*header)) {
        const std::string app_id(*header);
        lookup = co_await pool_.run([&] {
          AppLookup out;
          out.app = apps_.find_app(app_id);
          if (out.app) {
            auto tenant = store_.find_tenant(out.app->tenant_id);
            out.tenant_disabled = !tenant || tenant->disabled;
          }
          return out;
        });
      }
    }
    ctx.app = lookup.app;
    if (ctx.app) ctx.scopes.push_back({"app:" + ctx.app->id, &settings_.limits.app});
    if (info.route == AppRoute::AuthStart) ctx.scopes.push_back({"start:" + ctx.ip_bucket, &settings_.limits.auth_start_ip});
    if (info.route == AppRoute::AuthVerify || info.route == AppRoute::MfaVerify)
      ctx.scopes.push_back({"verify:" + ctx.ip_bucket, &settings_.limits.auth_verify_ip});
    ctx.verdict = charge_app_scopes(limiter_, ctx.scopes);
    if (!ctx.verdict.admitted) {
      const auto message = rate_limited_message(ctx.verdict.retry_after_s);
      if (browser) co_return finish(message_page(429, "Too many requests", message));
      co_return finish(failure_response(429, "rate_limited", message));
    }
    if (!browser) {
      if (!ctx.app) co_return finish(failure_response(401, "invalid_app_id", "Missing or invalid x-app-id header."));
      if (lookup.tenant_disabled) co_return finish(failure_response(403, "tenant_disabled", "This app is not available."));
      if (origin && std::find(ctx.app->redirect_origins.begin(), ctx.app->redirect_origins.end(),
                              std::string(*origin)) == ctx.app->redirect_origins.end())
        co_return finish(failure_response(403, "origin_not_allowed", "Origin is not allowed for this app."));
    }

    // Body: size from Content-Length, media type, then reading. Magic-link POSTs are forms.
    std::string body_text;
    if (req.method == http::Method::Post && req.has_body()) {
      if (req.content_length && *req.content_length > kMaxBody)
        co_return finish(failure_response(413, "payload_too_large", "Request body is too large."));
      const auto type = req.header("Content-Type");
      if (!browser && (!type || !http::is_json_media_type(*type)))
        co_return finish(failure_response(415, "unsupported_media_type", "Send the body as application/json."));
      switch (co_await body_reader.read(kMaxBody, body_text)) {
        case http::BodyStatus::TooLarge:
          co_return finish(failure_response(413, "payload_too_large", "Request body is too large."));
        case http::BodyStatus::Failed: {
          auto r = failure_response(400, "validation_failed", "The request body could not be read.");
          r.close_connection = true;
          co_return finish(std::move(r));
        }
        case http::BodyStatus::Ok: break;
      }
    }

    if (info.tier == AppTier::User) {
      const auto credential = http::extract_credential(req, http::CredentialPrecedence::Authorization);
      if (credential.kind != http::Credential::Kind::Present)
        co_return finish(failure_response(invalid_access_token()));
      const std::string bearer(credential.value);
      const auto& app = *ctx.app;
      ctx.principal = co_await pool_.run([&] { return sign_in_.authenticate(app, bearer); });
    }

    if (!browser && !body_text.empty()) {
      auto parsed = parse_json(body_text);
      if (auto* err = std::get_if<JsonParseError>(&parsed))
        co_return finish(failure_response(400, "validation_failed", "The body is not valid JSON: " + err->message));
      if (!std::get<JsonValue>(parsed).is_object())
        co_return finish(failure_response(400, "validation_failed", "The body must be a JSON object."));
      ctx.body = std::move(std::get<JsonValue>(parsed));
    }
    auto response = co_await dispatch(info.route, ctx);
    co_return finish(std::move(response));
  } catch (const AppFailure& f) {
    if (browser) co_return finish(message_page(f.status, "Sign-in failed", f.what()));
    co_return finish(failure_response(f));
  } catch (const store::StoreUnavailable&) {
    auto r = failure_response(503, "service_unavailable", "The service is unavailable. Retry shortly.");
    r.set_header("Retry-After", "1");
    co_return finish(std::move(r));
  }
}

Task<http::Response> AppApi::dispatch(AppRoute route, AppContext& ctx) {
  switch (route) {
    case AppRoute::AuthStart:
    case AppRoute::AuthVerify:
    case AppRoute::MfaVerify:
    case AppRoute::Exchange:
    case AppRoute::Refresh:
    case AppRoute::MagicGet:
    case AppRoute::MagicPost:
    case AppRoute::OauthCallback:
    case AppRoute::SignOut:
    case AppRoute::Me: co_return co_await auth_route(route, ctx);
    default: co_return co_await execution_route(route, ctx);
  }
}

}  // namespace polysim::apps
