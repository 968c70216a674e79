// HTTP translation of the App API (30-partner-apps.md §2-§8): `/auth/*`, `/users/me`,
// `/markets*` and `/execution/*`. Checks run in the spec's order — limiter, x-app-id, tenant,
// Origin, size and media type, bearer, validation, email-keyed limiter, handler — and every
// refusal is {"statusCode":n,"message":"…"} with its `x-error-code`.
#pragma once
#include <string>

#include "apps/app_limits.hpp"
#include "apps/app_oidc_sign_in.hpp"
#include "apps/app_sign_in.hpp"
#include "apps/app_trading.hpp"
#include "auth/client_ip.hpp"
#include "core/json_input.hpp"
#include "http/blocking_pool.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/task.hpp"
#include "limit/fail_open_guard.hpp"
#include "store/app_store.hpp"
#include "store/engine_store.hpp"
#include "store/store.hpp"
#include "trader/trading_service.hpp"

namespace polysim::apps {

enum class AppRoute {
  AuthStart,
  AuthVerify,
  MfaVerify,
  Exchange,
  Refresh,
  MagicGet,
  MagicPost,
  OauthCallback,
  SignOut,
  Me,
  Markets,
  Market,
  Orderbook,
  Quote,
  Fill,
  Cancel,
  Orders,
  Order,
  Positions,
  Balances,
};

enum class AppTier { App, Browser, User };

struct AppApiSettings {
  auth::TrustedProxies trusted_proxies;
  int ipv6_prefix = 64;
  std::string public_origin;  // origin of public_base_url: the only Origin a magic-link POST may carry
  AppLimitSettings limits;
};

struct AppContext;

class AppApi {
 public:
  AppApi(store::Store& store, store::AppStore& apps, AppSignIn& sign_in, AppTrading& trading,
         trader::TradingService& reads, limit::FailOpenGuard& limiter, http::BlockingPool& pool,
         AppApiSettings settings, AppOidcSignIn* oidc = nullptr);

  Task<http::Response> handle(http::Request& request, http::BodyReader& body);
  http::Response protocol_error(int status) const;

 private:
  struct RouteInfo {
    AppRoute route;
    AppTier tier;
  };
  Task<http::Response> dispatch(AppRoute route, AppContext& ctx);
  // app_auth_routes.cpp and app_execution_routes.cpp
  Task<http::Response> auth_route(AppRoute route, AppContext& ctx);
  Task<http::Response> execution_route(AppRoute route, AppContext& ctx);
  Task<http::Response> fill(AppContext& ctx);
  Task<http::Response> start_oidc(AppContext& ctx, std::string provider);
  Task<http::Response> oauth_callback(AppContext& ctx);

  store::Store& store_;
  store::AppStore& apps_;
  AppSignIn& sign_in_;
  AppTrading& trading_;
  trader::TradingService& reads_;
  limit::FailOpenGuard& limiter_;
  http::BlockingPool& pool_;
  AppApiSettings settings_;
  AppOidcSignIn* oidc_;  // null: no [[auth.oidc]] provider configured
  http::Router<RouteInfo> router_;
};

bool is_app_path(std::string_view path);

}  // namespace polysim::apps
