#include "apps/app_http.hpp"

#include <algorithm>

#include "apps/app_pages.hpp"
#include "apps/app_render.hpp"
#include "core/email_address.hpp"
#include "core/origin.hpp"

namespace polysim::apps {

http::Response failure_response(int status, std::string_view code, std::string_view message) {
  http::Response r;
  r.status = status;
  r.body = error_body(status, message);
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.set_header("x-error-code", code);
  return r;
}

http::Response failure_response(const AppFailure& f) {
  auto r = failure_response(f.status, f.code, f.what());
  if (f.retry_after_s) r.set_header("Retry-After", std::to_string(*f.retry_after_s));
  return r;
}

http::Response ok(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", "application/json; charset=utf-8");
  return r;
}

std::optional<std::string> param(const http::QueryParams& q, std::string_view name) {
  auto it = q.values.find(std::string(name));
  if (it == q.values.end()) return std::nullopt;
  return it->second;
}

std::string rate_limited_message(std::int64_t seconds) { return too_many_requests_message(seconds); }

// Body field helpers: wrong types are named in the 400's message.
std::optional<std::string> text(const AppContext& ctx, std::string_view name, std::size_t max_chars) {
  const auto* f = ctx.body ? ctx.body->find(name) : nullptr;
  if (!f || f->is_null()) return std::nullopt;
  if (!f->is_string()) throw validation_failed(std::string(name) + " must be a string.");
  if (f->as_string().size() > max_chars) throw validation_failed(std::string(name) + " is too long.");
  return f->as_string();
}

std::string required_text(const AppContext& ctx, std::string_view name, std::size_t max_chars) {
  auto v = text(ctx, name, max_chars);
  if (!v || v->empty()) throw validation_failed(std::string(name) + " is required.");
  return *v;
}

std::string normalized_email(const std::string& raw) {
  auto email = normalize_email(raw);
  if (!email) throw validation_failed("email must be a valid email address.");
  return *email;
}

// §4.2's rules for redirectUrl.
std::string checked_redirect(const std::string& url, const store::AppRecord& app) {
  auto checked = check_redirect_url(url);
  if (auto* origin = std::get_if<Origin>(&checked)) {
    if (std::find(app.redirect_origins.begin(), app.redirect_origins.end(), origin->str()) ==
        app.redirect_origins.end())
      throw validation_failed("redirectUrl is not allowed for this app.");
  } else if (std::get<RedirectUrlError>(checked) == RedirectUrlError::TokenParameter) {
    // "token" is fine here; the rule below covers this surface's own parameters.
  } else {
    throw validation_failed("redirectUrl is not allowed for this app.");
  }
  const auto q = url.find('?');
  if (q != std::string::npos) {
    const auto query = http::parse_query(std::string_view(url).substr(q + 1));
    for (const char* reserved : {"code", "error", "message", "state"})
      if (param(query, reserved))
        throw validation_failed("redirectUrl must not contain the query parameters code, error, message or state.");
  }
  return url;
}

auth::TraderPrincipal as_trader(const AppPrincipal& p) {
  auth::TraderPrincipal t;
  t.user_id = p.user_id;
  t.user_uuid = p.user_uuid;
  t.tenant_id = p.tenant_id;
  t.session_id = p.session_id;
  t.kind = auth::PrincipalKind::User;
  t.bucket = "app:" + p.session_id;
  return t;
}

int list_limit(const http::QueryParams& q) {
  auto text = param(q, "limit");
  if (!text) return 20;
  int v = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || v > 1000) throw validation_failed("limit must be an integer from 1 to 100.");
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 100) throw validation_failed("limit must be an integer from 1 to 100.");
  return v;
}

std::string magic_path(std::string_view token) { return "/auth/magic/" + std::string(token); }

void add_cors(http::Response& r, const std::optional<std::string_view>& origin) {
  if (!origin) return;
  r.set_header("Access-Control-Allow-Origin", *origin);
  r.set_header("Vary", "Origin");
  r.set_header("Access-Control-Expose-Headers",
               "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After");
}

http::Response preflight() {
  http::Response r;
  r.status = 204;
  r.set_header("Access-Control-Allow-Origin", "*");
  r.set_header("Access-Control-Allow-Methods", "GET, POST");
  r.set_header("Access-Control-Allow-Headers", "x-app-id, authorization, content-type, x-request-id");
  r.set_header("Access-Control-Max-Age", "600");
  return r;
}

http::Response browser_outcome_response(const BrowserOutcome& outcome) {
  http::Response r;
  if (outcome.location) {
    r.status = outcome.page_status;
    r.set_header("Location", *outcome.location);
    r.set_header("Referrer-Policy", "no-referrer");
  } else {
    r = message_page(outcome.page_status, "Sign-in failed", outcome.page_message);
  }
  return r;
}

}  // namespace polysim::apps
