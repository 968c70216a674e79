// The App API's HTTP helpers shared by its route files: one request's state as the checks pass,
// the surface's error and success responses, body and query field readers that name bad fields
// in the 400's message, and the CORS answers.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/app_failure.hpp"
#include "apps/app_limits.hpp"
#include "apps/app_sign_in.hpp"
#include "auth/identity_service.hpp"
#include "core/json_input.hpp"
#include "http/query_params.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "store/app_store.hpp"

namespace polysim::apps {

struct AppContext {
  http::Request& request;
  const http::PathParams& params;
  std::optional<store::AppRecord> app;
  std::optional<AppPrincipal> principal;
  std::optional<JsonValue> body;
  std::string ip_bucket;
  AppLimitVerdict verdict;
  std::vector<AppScope> scopes;
};

// {"statusCode":n,"message":"…"} with `x-error-code`.
http::Response failure_response(int status, std::string_view code, std::string_view message);
http::Response failure_response(const AppFailure& f);
http::Response ok(int status, std::string body);
std::optional<std::string> param(const http::QueryParams& q, std::string_view name);
std::string rate_limited_message(std::int64_t seconds);
// Body fields: wrong types and lengths are named in the 400's message.
std::optional<std::string> text(const AppContext& ctx, std::string_view name, std::size_t max_chars);
std::string required_text(const AppContext& ctx, std::string_view name, std::size_t max_chars);
std::string normalized_email(const std::string& raw);
// §4.2's rules for redirectUrl: allowed origin, none of this surface's own parameters.
std::string checked_redirect(const std::string& url, const store::AppRecord& app);
// The end user as the trader surface's read services know principals.
auth::TraderPrincipal as_trader(const AppPrincipal& p);
int list_limit(const http::QueryParams& q);
std::string magic_path(std::string_view token);
void add_cors(http::Response& r, const std::optional<std::string_view>& origin);
http::Response preflight();
http::Response browser_outcome_response(const BrowserOutcome& outcome);

}  // namespace polysim::apps
