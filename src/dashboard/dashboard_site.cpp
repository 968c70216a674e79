#include "dashboard/dashboard_site.hpp"

#include "auth/auth_failure.hpp"
#include "core/origin.hpp"
#include "dashboard/pages.hpp"
#include "store/store_errors.hpp"

namespace polysim::dashboard {

namespace {

constexpr std::int64_t kLoginPostsPerWindow = 10;
constexpr std::int64_t kLoginWindowMs = 60'000;
constexpr std::string_view kLoginRefused = "Email or password is incorrect.";

bool is_form_type(std::string_view type) {
  const auto semi = type.find(';');
  auto media = type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return http::iequals(media, "application/x-www-form-urlencoded");
}

// Only paths under /dashboard/ may be a return target, so `next` cannot send anyone elsewhere.
bool safe_next(std::string_view next) {
  if (!next.starts_with("/dashboard/")) return false;
  for (char c : next)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return next.find("//") == std::string_view::npos;
}

std::string login_page(const std::string& csrf, const std::string& next, const std::string& email,
                       const std::vector<FieldError>& errors, const std::string& notice) {
  Frame frame;
  frame.title = "Sign in";
  frame.errors = errors;
  frame.notice = notice;
  std::string main = "<h1>Sign in</h1>\n<form method=\"post\" action=\"/dashboard/login\" class=\"stack\">";
  main += csrf_field(csrf);
  if (!next.empty()) main += "<input type=\"hidden\" name=\"next\" value=\"" + escape(next) + "\">";
  main += "<label for=\"email\">Email</label>";
  main += "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"" +
          escape(email) + "\">";
  main += "<label for=\"password\">Password</label>";
  main += "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>";
  main += "<button type=\"submit\">Sign in</button></form>";
  return render_page(frame, main);
}

}  // namespace

bool is_dashboard_path(std::string_view path) { return path == "/dashboard" || path.starts_with("/dashboard/"); }

DashboardSite::DashboardSite(DashboardDeps deps, DashboardSettings settings,
                             std::function<void(std::string_view)> on_refusal)
    : deps_(deps), settings_(std::move(settings)), on_refusal_(std::move(on_refusal)) {
  secure_cookies_ = settings_.public_base_url.starts_with("https://");
  if (auto origin = origin_of_url(settings_.public_base_url)) public_origin_ = origin->str();
  using http::Method;
  using R = DashRoute;
  router_.add(Method::Get, "/dashboard", R::Home);
  router_.add(Method::Get, "/dashboard/static/app.css", R::Stylesheet);
  router_.add(Method::Get, "/dashboard/login", R::LoginForm);
  router_.add(Method::Post, "/dashboard/login", R::Login);
  router_.add(Method::Post, "/dashboard/logout", R::Logout);
  router_.add(Method::Get, "/dashboard/apps", R::Apps);
  router_.add(Method::Post, "/dashboard/apps", R::CreateApp);
  router_.add(Method::Get, "/dashboard/apps/new", R::NewApp);
  router_.add(Method::Get, "/dashboard/apps/{id}", R::AppDetail);
  router_.add(Method::Post, "/dashboard/apps/{id}", R::UpdateApp);
  router_.add(Method::Get, "/dashboard/apps/{id}/go-live", R::GoLiveForm);
  router_.add(Method::Post, "/dashboard/apps/{id}/go-live", R::GoLive);
  router_.add(Method::Get, "/dashboard/api-keys", R::ApiKeys);
  router_.add(Method::Post, "/dashboard/api-keys", R::CreateApiKey);
  router_.add(Method::Post, "/dashboard/api-keys/{id}/deactivate", R::DeactivateApiKey);
  router_.add(Method::Post, "/dashboard/api-keys/{id}/reactivate", R::ReactivateApiKey);
  router_.add(Method::Get, "/dashboard/api-keys/{id}/revoke", R::RevokeApiKeyForm);
  router_.add(Method::Post, "/dashboard/api-keys/{id}/revoke", R::RevokeApiKey);
  router_.add(Method::Get, "/dashboard/users", R::Users);
  router_.add(Method::Post, "/dashboard/users/{id}/disable", R::DisableUser);
  router_.add(Method::Post, "/dashboard/users/{id}/enable", R::EnableUser);
  router_.add(Method::Get, "/dashboard/accounts", R::Accounts);
  router_.add(Method::Get, "/dashboard/accounts/{id}", R::AccountDetail);
  router_.add(Method::Get, "/dashboard/audit", R::Audit);
}

bool DashboardSite::hashes_password(const DashRequest& request) const {
  return request.method == http::Method::Post && request.path == "/dashboard/login";
}

http::Response DashboardSite::serve(const DashRequest& request) {
  try {
    return route(request);
  } catch (const PageNotFound&) {
    return not_found();
  } catch (const auth::AuthFailure& f) {
    // Only the hash gate throws these here: every Argon2id slot stayed busy.
    auto r = simple_page(f.status == 503 ? 503 : 500, "Busy", "The service is busy. Retry shortly.");
    r.set_header("Retry-After", "1");
    return r;
  } catch (const store::StoreUnavailable&) {
    auto r = simple_page(503, "Unavailable", "The service is unavailable. Retry shortly.");
    r.set_header("Retry-After", "1");
    return r;
  }
}

bool DashboardSite::same_origin(const DashRequest& request) const {
  if (request.sec_fetch_site && http::iequals(*request.sec_fetch_site, "cross-site")) return false;
  if (!request.origin) return true;  // older browsers send none on same-origin form posts
  const auto& origin = *request.origin;
  if (!public_origin_.empty() && origin == public_origin_) return true;
  const std::string scheme = secure_cookies_ ? "https://" : "http://";
  return !request.host.empty() && origin == scheme + request.host;
}

http::Response DashboardSite::refuse_form(const DashRequest& request, std::string_view why) {
  refused_forms_.fetch_add(1, std::memory_order_relaxed);
  if (on_refusal_) on_refusal_(std::string(why) + " on " + request.path + " from " + request.ip);
  return csrf_refused();
}

http::Response DashboardSite::login_form(const DashRequest& request) {
  auto csrf = cookie_value(request.cookies, kLoginCsrfCookie).value_or("");
  const bool fresh = csrf.size() < 32 || csrf.size() > 64;
  if (fresh) csrf = new_secret_token();
  const auto query = parse_form(request.query);
  const auto next = query.value("next");
  const std::string notice = query.has("signed_out") ? "You have signed out." : "";
  auto r = html_response(200, login_page(csrf, safe_next(next) ? next : "", "", {}, notice));
  if (fresh) r.set_header("Set-Cookie", cookie_header(kLoginCsrfCookie, csrf, secure_cookies_));
  return r;
}

http::Response DashboardSite::login(const DashRequest& request) {
  const auto form = parse_form(request.body);
  const auto cookie = cookie_value(request.cookies, kLoginCsrfCookie);
  if (!form.valid || !cookie || !tokens_match(*cookie, form.value("_csrf")))
    return refuse_form(request, "login without a matching CSRF cookie");
  if (deps_.limiter) {
    const limit::WindowTuple tuple[] = {{"dash:login:" + request.ip, kLoginPostsPerWindow, kLoginWindowMs}};
    auto decision = deps_.limiter->decide(tuple, "dashboard_login");
    if (decision && !decision->admitted) {
      const auto retry_ms = decision->windows.front().retry_after_ms;
      return too_many_requests(static_cast<int>(std::max<std::int64_t>(1, (retry_ms + 999) / 1000)));
    }
  }
  const auto email = form.value("email");
  const auto next = form.value("next");
  const auto outcome = deps_.auth.login(email, form.value("password"), {request.ip, request.request_id},
                                        cookie_value(request.cookies, kSessionCookie));
  switch (outcome.kind) {
    case LoginOutcome::Kind::SignedIn: {
      auto r = see_other(safe_next(next) ? next : "/dashboard/apps");
      r.set_header("Set-Cookie", cookie_header(kSessionCookie, outcome.token, secure_cookies_));
      return r;
    }
    case LoginOutcome::Kind::Locked: {
      const auto n = outcome.lock_minutes;
      const std::vector<FieldError> errors{
          {"", "Too many failed attempts. Try again in " + std::to_string(n) + (n == 1 ? " minute." : " minutes.")}};
      return html_response(429, login_page(*cookie, safe_next(next) ? next : "", email, errors, ""));
    }
    case LoginOutcome::Kind::Refused: break;
  }
  const std::vector<FieldError> errors{{"", std::string(kLoginRefused)}};
  return html_response(401, login_page(*cookie, safe_next(next) ? next : "", email, errors, ""));
}

http::Response DashboardSite::route(const DashRequest& request) {
  const auto match = router_.match(request.method, request.path);
  if (match.outcome == http::Router<DashRoute>::Outcome::NotFound) return not_found();
  if (match.outcome == http::Router<DashRoute>::Outcome::MethodNotAllowed) {
    auto r = simple_page(405, "Method not allowed", "This page does not accept that method.");
    r.set_header("Allow", match.allow);
    return r;
  }
  const auto route = match.route->payload;
  if (route == DashRoute::Stylesheet) {
    http::Response r;
    r.body = std::string(stylesheet());
    r.set_header("Content-Type", "text/css; charset=utf-8");
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("Cache-Control", "public, max-age=3600");
    return r;
  }
  if (route == DashRoute::Home) return see_other("/dashboard/apps");

  const bool post = request.method == http::Method::Post;
  if (post) {
    if (!same_origin(request)) return refuse_form(request, "foreign Origin or cross-site request");
    if (!is_form_type(request.content_type))
      return simple_page(415, "Unsupported form", "Forms must be sent as application/x-www-form-urlencoded.");
  }
  if (route == DashRoute::LoginForm) return login_form(request);
  if (route == DashRoute::Login) return login(request);

  auto who = deps_.auth.session(cookie_value(request.cookies, kSessionCookie).value_or(""));
  if (!who) {
    std::string next(request.path);
    if (!request.query.empty()) next += "?" + request.query;
    if (post || !safe_next(next)) return see_other("/dashboard/login");
    return see_other("/dashboard/login?next=" + url_encode(next));
  }
  PageContext ctx{request, match.params, *who, deps_, settings_, {}, parse_form(request.query), {}};
  if (post) {
    ctx.form = parse_form(request.body);
    if (!ctx.form.valid || !tokens_match(who->session.csrf_token, ctx.form.value("_csrf")))
      return refuse_form(request, "missing or wrong _csrf");
  } else {
    ctx.notice = deps_.auth.take_notice(*who);
  }

  switch (route) {
    case DashRoute::Logout: {
      deps_.auth.logout(*who, ctx.request_origin());
      auto r = see_other("/dashboard/login?signed_out=1");
      r.set_header("Set-Cookie", cookie_header(kSessionCookie, "", secure_cookies_, 0));
      return r;
    }
    case DashRoute::Apps: return apps_page(ctx);
    case DashRoute::NewApp: return new_app_page(ctx);
    case DashRoute::CreateApp: return create_app(ctx);
    case DashRoute::AppDetail: return app_page(ctx);
    case DashRoute::UpdateApp: return update_app(ctx);
    case DashRoute::GoLiveForm: return go_live_page(ctx);
    case DashRoute::GoLive: return go_live(ctx);
    case DashRoute::ApiKeys: return api_keys_page(ctx);
    case DashRoute::CreateApiKey: return create_api_key(ctx);
    case DashRoute::DeactivateApiKey: return change_api_key(ctx, partner::KeyStateChange::Deactivate);
    case DashRoute::ReactivateApiKey: return change_api_key(ctx, partner::KeyStateChange::Reactivate);
    case DashRoute::RevokeApiKeyForm: return revoke_api_key_page(ctx);
    case DashRoute::RevokeApiKey: return change_api_key(ctx, partner::KeyStateChange::Revoke);
    case DashRoute::Users: return users_page(ctx);
    case DashRoute::DisableUser: return set_user_disabled(ctx, true);
    case DashRoute::EnableUser: return set_user_disabled(ctx, false);
    case DashRoute::Accounts: return accounts_page(ctx);
    case DashRoute::AccountDetail: return account_page(ctx);
    case DashRoute::Audit: return audit_page(ctx);
    default: return not_found();
  }
}

// PageContext

Frame PageContext::frame(std::string title, Section section) const {
  Frame f;
  f.title = std::move(title);
  f.section = section;
  f.staff_email = who.staff.email;
  f.tenant_name = who.tenant_label();
  f.csrf = who.session.csrf_token;
  f.notice = notice;
  return f;
}

http::Response PageContext::redirect_with(const std::string& text, std::string_view location) const {
  deps.auth.set_notice(who, text);
  return see_other(location);
}

apps::AppActor PageContext::app_actor() const {
  return {"staff", who.staff.id, who.staff.email, req.ip, req.request_id};
}

partner::KeyActor PageContext::key_actor() const {
  return {"staff", who.staff.id + " " + who.staff.email, req.ip, req.request_id};
}

}  // namespace polysim::dashboard
