// HTTP translation of /api/v1/*: route, tier (IP tiers before authentication, principal tiers
// after), credential, body, one identity call on a worker thread, the response in the trader
// envelope with RateLimit-* headers on every answer.
#pragma once
#include <string>

#include "auth/auth_failure.hpp"
#include "auth/client_ip.hpp"
#include "auth/credential_checker.hpp"
#include "auth/identity_service.hpp"
#include "auth/session_checker.hpp"
#include "core/json_input.hpp"
#include "http/blocking_pool.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "limit/fail_open_guard.hpp"
#include "trader/cors_policy.hpp"
#include "trader/signal_service.hpp"
#include "trader/sync_service.hpp"
#include "trader/trader_limits.hpp"
#include "trader/trading_service.hpp"

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
  DesktopLogin,
  DeviceLogin,
  DeviceLoginToken,
  DescribeDeviceRequest,
  DecideDeviceRequest,
  ListDevices,
  RevokeCurrentDevice,
  RevokeDevice,
  CreateApiKey,
  ListApiKeys,
  RevokeApiKey,
  SyncSnapshot,
  SyncChanges,
  SyncJournal,
  PlaceOrder,
  GetOrder,
  CancelOrder,
  ListPositions,
  ListAccounts,
  GetAccount,
  AccountEquity,
  ListMarkets,
  GetMarket,
  ListOrders,
  ListFills,
  SubmitSignal,
  ListSignals,
  GetSignal,
  GetSignalTargets,
  PutSignalTargets,
  CreateWebhook,
  ListWebhooks,
  RotateWebhook,
  DeleteWebhook,
  DeliverWebhook,
};

// Who may call a route (20-trader-api.md §2.4).
enum class Access {
  Anonymous,     // credentials are not looked at
  AnyPrincipal,  // user, device or key (a key or device needs the route's scope, if any)
  UserOnly,      // credential management: JWT only, else 403 principal_not_allowed
  DeviceOnly,
  OptionalUser,  // logout: a JWT if it is valid, else anonymous
};

struct TraderApiSettings {
  auth::TrustedProxies trusted_proxies;
  int ipv6_prefix = 64;
};

class TraderApi {
 public:
  // `auth_pool` runs the calls that hash passwords, so a login burst never queues the other
  // routes' database calls behind Argon2id.
  TraderApi(auth::IdentityService& identity, auth::SessionChecker& sessions, auth::CredentialChecker& credentials,
            CorsPolicy& cors, SyncService& sync, limit::FailOpenGuard& limiter, http::BlockingPool& pool, http::BlockingPool& auth_pool,
            TraderApiSettings settings, TradingService* trading = nullptr, SignalService* signals = nullptr);

  Task<http::Response> handle(http::Request& request, http::BodyReader& body);
  http::Response protocol_error(int status) const;

 private:
  struct RouteInfo {
    TraderRoute route;
    Tier tier;
    Access access;
    const char* scope = nullptr;  // required of devices and keys
  };
  struct Authenticated {
    std::optional<auth::TraderPrincipal> principal;
    std::optional<auth::AuthFailure> failure;
  };

  Task<http::Response> handle_route(http::Request& request, http::BodyReader& body);
  Task<Authenticated> authenticate(const http::Request& request, const std::string& ip_group);
  Task<http::Response> dispatch(TraderRoute route, http::Request& request, const http::PathParams& params,
                                const JsonValue* body, const std::optional<auth::TraderPrincipal>& principal,
                                const auth::CallContext& ctx);
  // POST /api/v1/signals/webhook/{key}: the credential is the path or the body's signature, so the
  // body is read before authentication (20-trader-api.md §10.4).
  Task<http::Response> deliver_webhook(http::Request& request, http::BodyReader& body, const http::PathParams& params,
                                       const std::string& ip_bucket);
  Task<http::Response> webhook_signal(const WebhookPrincipal& hook, const std::optional<std::string>& idempotency_key,
                                      const std::string& body);

  auth::IdentityService& identity_;
  auth::SessionChecker& sessions_;
  auth::CredentialChecker& credentials_;
  CorsPolicy& cors_;
  SyncService& sync_;
  limit::FailOpenGuard& limiter_;
  http::BlockingPool& pool_;
  http::BlockingPool& auth_pool_;
  TraderApiSettings settings_;
  TradingService* trading_;
  SignalService* signals_;
  http::Router<RouteInfo> router_;
};

bool is_trader_path(std::string_view path);

}  // namespace polysim::trader
