// The App API's sign-in routes (30-partner-apps.md §4): start, verify, exchange, second factor,
// refresh, sign-out, the magic link's two browser routes, OIDC, and the user's own record.
#include "apps/app_api.hpp"
#include "apps/app_http.hpp"
#include "apps/app_pages.hpp"
#include "apps/app_render.hpp"

namespace polysim::apps {

namespace {

OidcStart oidc_start_of(const AppContext& ctx, std::string provider) {
  OidcStart start;
  start.provider = std::move(provider);
  auto url = text(ctx, "redirectUrl", 2048);
  if (!url || url->empty()) throw validation_failed("redirectUrl is required.");
  start.redirect_url = checked_redirect(*url, *ctx.app);
  if (auto email = text(ctx, "email", 320)) start.login_hint = normalized_email(*email);
  start.state = text(ctx, "state", 512);
  return start;
}

OidcCallback oidc_callback_of(const http::QueryParams& query) {
  OidcCallback cb;
  cb.code = param(query, "code");
  cb.state = param(query, "state");
  cb.error = param(query, "error");
  return cb;
}

}  // namespace

Task<http::Response> AppApi::auth_route(AppRoute route, AppContext& ctx) {
  auto& req = ctx.request;
  switch (route) {
    case AppRoute::AuthStart: {
      const auto provider = required_text(ctx, "provider", 64);
      if (provider == "siwe" || provider == "siws") throw validation_failed("Wallet sign-in is not supported.");
      if (provider != "email") {
        if (!oidc_ || !oidc_->has_provider(provider)) throw validation_failed("Unsupported provider: " + provider + ".");
        auto started = start_oidc(ctx, provider);
        co_return co_await std::move(started);
      }
      EmailStart start;
      start.email = normalized_email(required_text(ctx, "email", 320));
      if (auto url = text(ctx, "redirectUrl", 2048)) start.redirect_url = checked_redirect(*url, *ctx.app);
      start.state = text(ctx, "state", 512);
      // The email-keyed scope needs the body, so it is the second limiter call (§3).
      const std::vector<AppScope> email_scope{{"email:" + ctx.app->id + ":" + start.email,
                                               &settings_.limits.auth_start_email}};
      const auto verdict = charge_app_scopes(limiter_, email_scope);
      if (!verdict.admitted || verdict.remaining < ctx.verdict.remaining) ctx.verdict = verdict;
      if (!verdict.admitted)
        throw AppFailure(429, "rate_limited", rate_limited_message(verdict.retry_after_s),
                         static_cast<int>(verdict.retry_after_s));
      const auto& app = *ctx.app;
      co_await pool_.run([&] { sign_in_.start_email(app, start); });
      co_return ok(200, R"({"type":"magic_link","success":true})");
    }
    case AppRoute::AuthVerify: {
      if (ctx.body && (ctx.body->find("message") || ctx.body->find("signature")) && !ctx.body->find("email"))
        throw validation_failed("Wallet sign-in is not supported.");
      const auto email = normalized_email(required_text(ctx, "email", 320));
      const auto code = required_text(ctx, "code", 32);
      const auto& app = *ctx.app;
      const auto ip = ctx.ip_bucket;
      auto result = co_await pool_.run([&] { return sign_in_.verify_code(app, email, code, ip); });
      co_return ok(200, sign_in_body(result));
    }
    case AppRoute::Exchange: {
      const auto code = required_text(ctx, "code", 200);
      const auto& app = *ctx.app;
      const auto ip = ctx.ip_bucket;
      auto result = co_await pool_.run([&] { return sign_in_.exchange(app, code, ip); });
      co_return ok(200, sign_in_body(result));
    }
    case AppRoute::MfaVerify: {
      const auto token = required_text(ctx, "mfaToken", 200);
      const auto code = text(ctx, "code", 32);
      const auto backup = text(ctx, "backupCode", 64);
      if (!code && !backup) throw validation_failed("code or backupCode is required.");
      auth::CallContext call;
      call.ip_group = ctx.ip_bucket;
      call.hash_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      const auto& app = *ctx.app;
      auto result = co_await pool_.run([&] {
        return sign_in_.verify_mfa(app, token, code ? std::optional<std::string_view>(*code) : std::nullopt,
                                   backup ? std::optional<std::string_view>(*backup) : std::nullopt, call);
      });
      co_return ok(200, sign_in_body(result));
    }
    case AppRoute::Refresh: {
      const auto token = required_text(ctx, "refreshToken", 200);
      const auto& app = *ctx.app;
      auto tokens = co_await pool_.run([&] { return sign_in_.refresh(app, token); });
      co_return ok(200, token_body(tokens));
    }
    case AppRoute::SignOut: {
      const auto& who = *ctx.principal;
      co_await pool_.run([&] { sign_in_.sign_out(who); });
      co_return ok(200, R"({"success":true})");
    }
    case AppRoute::MagicGet: {
      const std::string token(ctx.params.get("token"));
      auto preview = co_await pool_.run([&] { return sign_in_.preview_link(token); });
      http::Response r;
      if (!preview)
        r = message_page(400, "Sign-in link",
                         "This sign-in link is invalid or has expired. Request a new one from the app.");
      else r = magic_confirm_page(preview->app_name, preview->email, magic_path(token));
      r.log_path = "/auth/magic/:token";
      co_return r;
    }
    case AppRoute::MagicPost: {
      const std::string token(ctx.params.get("token"));
      if (const auto o = req.header("Origin"); o && *o != settings_.public_origin) {
        auto r = message_page(403, "Sign-in link", "This sign-in request did not come from this site.");
        r.log_path = "/auth/magic/:token";
        co_return r;
      }
      auto outcome = co_await pool_.run([&] { return sign_in_.confirm_link(token); });
      http::Response r;
      if (outcome.location) {
        r.status = 303;
        r.set_header("Location", *outcome.location);
        r.set_header("Referrer-Policy", "no-referrer");
      } else {
        r = message_page(outcome.page_status, "Sign-in link", outcome.page_message);
      }
      r.log_path = "/auth/magic/:token";
      co_return r;
    }
    case AppRoute::OauthCallback: {
      auto finished = oauth_callback(ctx);
      co_return co_await std::move(finished);
    }
    case AppRoute::Me: {
      const auto who = as_trader(*ctx.principal);
      const auto principal = *ctx.principal;
      auto me = co_await pool_.run([&] {
        MeView view;
        view.user = sign_in_.user_of(principal);
        auto user = reads_.accounts(who, "all");
        view.accounts = std::move(user);
        if (auto mapping = store_.find_partner_user(who.tenant_id, who.user_id)) view.external_id = mapping->external_id;
        if (auto demo = store_.find_account_by_external_id(who.tenant_id, "app-demo:" + who.user_uuid))
          view.demo_account_id = demo->id;
        return view;
      });
      co_return ok(200, me_body(me));
    }
    default: break;
  }
  co_return failure_response(404, "not_found", "Not found.");
}


// §4.5 step 1. The email-keyed limiter scope is email sign-in's only: no mail is sent here.
Task<http::Response> AppApi::start_oidc(AppContext& ctx, std::string provider) {
  const auto start = oidc_start_of(ctx, std::move(provider));
  const auto& app = *ctx.app;
  auto* oidc = oidc_;
  auto url = co_await pool_.run([&] { return oidc->start(app, start); });
  co_return ok(200, oidc_start_body(url));
}

// §4.5 steps 2-4: the provider's redirect back; the app is known from the stored flow.
Task<http::Response> AppApi::oauth_callback(AppContext& ctx) {
  const auto query = http::parse_query(ctx.request.query);
  if (!oidc_ || query.duplicated)
    co_return browser_outcome_response(
        BrowserOutcome{std::nullopt, 400, "This sign-in has expired or was already used. Start again from the app."});
  const auto cb = oidc_callback_of(query);
  auto* oidc = oidc_;
  auto outcome = co_await pool_.run([&] { return oidc->callback(cb); });
  co_return browser_outcome_response(outcome);
}

}  // namespace polysim::apps
