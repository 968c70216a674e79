// HTTP translation of /api/v1/*: route, tier (IP tiers before authentication, principal tiers
// after), credential, body, one identity call on a worker thread, the response in the trader
// envelope with RateLimit-* headers on every answer.
#pragma once
#include <string>

#include "auth/auth_failure.hpp"
#include "auth/client_ip.hpp"
#include "auth/identity_service.hpp"
#include "auth/session_checker.hpp"
#include "core/json_input.hpp"
#include "http/blocking_pool.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "limit/fail_open_guard.hpp"
#include "trader/trader_limits.hpp"

namespace polysim::trader {

enum class TraderRoute {
  Register,
  VerifyEmail,
  Login,
  Refresh,
  Logout,
  ForgotPassword,
  ResetPassword,
  ChangePassword,
  PreviewLink,
  RedeemLink,
  Me,
  MfaStatus,
  MfaSetup,
  MfaConfirm,
  MfaVerify,
  MfaDisable,
  MfaRegenerate,
};

struct TraderApiSettings {
  auth::TrustedProxies trusted_proxies;
  int ipv6_prefix = 64;
};

class TraderApi {
 public:
  // `auth_pool` runs the calls that hash passwords, so a login burst never queues the other
  // routes' database calls behind Argon2id.
  TraderApi(auth::IdentityService& identity, auth::SessionChecker& sessions, limit::FailOpenGuard& limiter,
            http::BlockingPool& pool, http::BlockingPool& auth_pool, TraderApiSettings settings);

  Task<http::Response> handle(http::Request& request, http::BodyReader& body);
  http::Response protocol_error(int status) const;

 private:
  struct RouteInfo {
    TraderRoute route;
    Tier tier;
    bool accepts_principal;  // authenticate a presented credential (else the route is anonymous)
  };
  struct Authenticated {
    std::optional<auth::TraderPrincipal> principal;
    std::optional<auth::AuthFailure> failure;
  };

  Task<Authenticated> authenticate(const http::Request& request);
  Task<http::Response> dispatch(TraderRoute route, http::Request& request, const JsonValue* body,
                                const std::optional<auth::TraderPrincipal>& principal, const auth::CallContext& ctx);

  auth::IdentityService& identity_;
  auth::SessionChecker& sessions_;
  limit::FailOpenGuard& limiter_;
  http::BlockingPool& pool_;
  http::BlockingPool& auth_pool_;
  TraderApiSettings settings_;
  http::Router<RouteInfo> router_;
};

bool is_trader_path(std::string_view path);

}  // namespace polysim::trader
