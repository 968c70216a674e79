// HTTP translation of /v1/partner/*: the request pipeline of 10-partner-api.md §1.1 (key,
// tenant, rate limit, route, scope, body, parameters), then one domain call, then the
// response in the surface's envelope with the rate-limit headers on every answer.
#pragma once
#include <memory>

#include "http/blocking_pool.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "limit/fail_open_guard.hpp"
#include "partner/key_authenticator.hpp"
#include "partner/partner_error.hpp"
#include "partner/partner_service.hpp"

namespace polysim::partner {

enum class PartnerRoute {
  CreateUser,
  GetUser,
  LoginLink,
  CreateAccount,
  ListAccounts,
  GetAccount,
  PatchAccount,
  CloseAccount,
  ResetAccount,
  ListTrades,
};

class PartnerApi {
 public:
  PartnerApi(PartnerService& service, KeyAuthenticator& keys, limit::FailOpenGuard& limiter, http::BlockingPool& pool,
             const Clock& clock);

  Task<http::Response> handle(http::Request& request, http::BodyReader& body);
  // Errors found before the pipeline runs (malformed HTTP, 414, 431, 503, 500).
  http::Response protocol_error(int status) const;

 private:
  struct RouteInfo {
    PartnerRoute route;
    const char* scope;
  };

  Task<http::Response> dispatch(http::Request& request, http::BodyReader& body, const ResolvedKey& principal,
                                const http::Router<RouteInfo>::Match& match);

  PartnerService& service_;
  KeyAuthenticator& keys_;
  limit::FailOpenGuard& limiter_;
  http::BlockingPool& pool_;
  const Clock& clock_;
  http::Router<RouteInfo> router_;
};

http::Response render_partner_error(const PartnerError& error);

}  // namespace polysim::partner
