// Apps, Create app, App detail and the Go Live confirmation (30-partner-apps.md §9.2, §9.3).
#include "dashboard/pages.hpp"

namespace polysim::dashboard {

namespace {

constexpr std::string_view kAlreadyLive = "This app is already live.";
constexpr std::string_view kTickTheBox = "Tick the box to confirm you accept the partner agreement.";

std::string app_path(const store::AppRecord& app) { return "/dashboard/apps/" + app.id; }

std::string mode_badge(const store::AppRecord& app) {
  return app.partner_agreement_signed ? badge("Live", "live") : badge("Testing", "testing");
}

std::string count_text(std::int64_t n, int cap, bool live) {
  return live ? std::to_string(n) : std::to_string(n) + " / " + std::to_string(cap);
}

std::vector<std::string> origin_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::vector<FieldError> field_errors(const apps::AppInputError& e) {
  std::vector<FieldError> out;
  for (const auto& [field, message] : e.problems) out.push_back({field, message});
  return out;
}

apps::AppInput form_input(const FormFields& form) {
  apps::AppInput input;
  input.name = form.value("name");
  input.redirect_origins = origin_lines(form.value("redirectOrigins"));
  return input;
}

// The name/origins form of Create app and App detail.
std::string app_form(std::string_view action, std::string_view csrf, const std::string& name,
                     const std::string& origins, const std::vector<FieldError>& errors, std::string_view submit) {
  std::string f = "<form method=\"post\" action=\"" + escape(action) + "\" class=\"stack\" novalidate>";
  f += csrf_field(csrf);
  f += "<label for=\"name\">Name</label>" + error_text(errors, "name");
  f += "<input id=\"name\" name=\"name\" maxlength=\"200\" value=\"" + escape(name) + "\"" + error_attrs(errors, "name") +
       ">";
  f += "<label for=\"redirectOrigins\">Allowed redirect origins <span class=\"hint\">(one per line, such as "
       "https://app.example.com)</span></label>" +
       error_text(errors, "redirectOrigins");
  f += "<textarea id=\"redirectOrigins\" name=\"redirectOrigins\" rows=\"4\"" + error_attrs(errors, "redirectOrigins") +
       ">" + escape(origins) + "</textarea>";
  f += "<button type=\"submit\">" + escape(submit) + "</button></form>";
  return f;
}

std::string new_app_main(const PageContext& ctx, const std::string& name, const std::string& origins,
                         const std::vector<FieldError>& errors) {
  std::string main = "<h1>Create app</h1>\n<p>A new app starts in testing mode: at most 20 users and 100 trades "
                     "until you Go Live.</p>";
  main += app_form("/dashboard/apps", ctx.who.session.csrf_token, name, origins, errors, "Create app");
  main += "<p><a href=\"/dashboard/apps\">Cancel</a></p>";
  return main;
}

std::string progress(std::string_view id, std::string_view label, std::int64_t n, int cap, std::string_view noun) {
  const auto text = std::to_string(n) + " / " + std::to_string(cap) + " " + std::string(noun);
  std::string out = "<div class=\"meter\"><label for=\"" + std::string(id) + "\">" + std::string(label) + "</label> ";
  out += "<progress id=\"" + std::string(id) + "\" max=\"" + std::to_string(cap) + "\" value=\"" +
         std::to_string(std::min<std::int64_t>(n, cap)) + "\">" + escape(text) + "</progress> ";
  out += "<span>" + escape(text) + "</span></div>";
  return out;
}

http::Response render_app(const PageContext& ctx, const store::AppRecord& app, int status, const std::string& name,
                          const std::string& origins, const std::vector<FieldError>& errors) {
  auto frame = ctx.frame(app.name, Section::Apps);
  frame.errors = errors;
  const bool live = app.partner_agreement_signed;
  std::string main = "<p><a href=\"/dashboard/apps\">All apps</a></p>\n";
  main += "<h1>" + escape(app.name) + " " + mode_badge(app) + "</h1>\n<dl class=\"facts\">";
  main += "<dt>App id</dt><dd><code>" + escape(app.id) + "</code><br>Send it with every App API request: "
          "<code>x-app-id: " + escape(app.id) + "</code></dd>";
  main += "<dt>Mode</dt><dd>" + std::string(live ? "Live" : "Testing") + "</dd>";
  main += "<dt>partnerAgreementSigned</dt><dd>" + std::string(live ? "true" : "false") + "</dd>";
  main += "<dt>Created</dt><dd>" + utc_time(app.created_at) + "</dd>";
  main += "<dt>Went live</dt><dd>" +
          (app.went_live_at ? utc_time(*app.went_live_at) + " by " + escape(app.went_live_by.value_or("")) : "—") +
          "</dd>";
  main += "</dl>\n<h2>Usage</h2>";
  if (live) {
    main += "<p>" + std::to_string(app.user_count) + " users, " + std::to_string(app.trade_count) + " trades.</p>";
  } else {
    main += progress("users-progress", "Users", app.user_count, store::kTestingUserCap, "users");
    main += progress("trades-progress", "Trades", app.trade_count, store::kTestingTradeCap, "trades");
    main += "<h2>Go Live</h2><p>Signing the partner agreement lifts both limits at once.</p>";
    main += "<p><a class=\"button\" href=\"" + escape(app_path(app)) + "/go-live\">Go Live</a></p>";
  }
  main += "<h2>Settings</h2>";
  main += app_form(app_path(app), ctx.who.session.csrf_token, name, origins, errors, "Save changes");
  main += "<table><caption>Latest users who signed in through this app</caption><thead><tr>"
          "<th scope=\"col\">Email</th><th scope=\"col\">User id</th><th scope=\"col\">First sign-in</th>"
          "<th scope=\"col\">Last sign-in</th></tr></thead><tbody>";
  const auto users = ctx.deps.app_store.latest_app_users(app.id, 20);
  for (const auto& u : users)
    main += "<tr><td>" + escape(u.email) + "</td><td>" + std::to_string(u.user_id) + "</td><td>" +
            utc_time(u.first_sign_in_at) + "</td><td>" + utc_time(u.last_sign_in_at) + "</td></tr>";
  if (users.empty()) main += "<tr><td colspan=\"4\">No user has signed in yet.</td></tr>";
  main += "</tbody></table>";
  return html_response(status, render_page(frame, main));
}

std::string go_live_main(const PageContext& ctx, const store::AppRecord& app, const std::vector<FieldError>& errors) {
  std::string main = "<h1>Go Live: " + escape(app.name) + "</h1>\n";
  main += "<dl class=\"facts\"><dt>App id</dt><dd><code>" + escape(app.id) + "</code></dd>";
  main += "<dt>Users</dt><dd>" + count_text(app.user_count, store::kTestingUserCap, false) + "</dd>";
  main += "<dt>Trades</dt><dd>" + count_text(app.trade_count, store::kTestingTradeCap, false) + "</dd></dl>";
  main += "<h2>What happens</h2><ul>"
          "<li>Both testing limits (20 users, 100 trades) are lifted at once.</li>"
          "<li>This cannot be undone: the app stays live.</li>"
          "<li>Counts and data are kept: no user, order or session is touched.</li></ul>";
  if (!ctx.settings.partner_agreement_url.empty())
    main += "<p><a href=\"" + escape(ctx.settings.partner_agreement_url) + "\" rel=\"noopener\">Read the partner "
            "agreement</a></p>";
  main += "<form method=\"post\" action=\"/dashboard/apps/" + escape(app.id) + "/go-live\" class=\"stack\">";
  main += csrf_field(ctx.who.session.csrf_token);
  main += error_text(errors, "accept");
  main += "<div class=\"check\"><input type=\"checkbox\" id=\"accept\" name=\"accept\" value=\"yes\" required" +
          error_attrs(errors, "accept") + "> <label for=\"accept\">I accept the partner agreement on behalf of " +
          escape(ctx.who.tenant_label()) + "</label></div>";
  main += "<div class=\"actions\"><button type=\"submit\">Sign and go live</button> <a href=\"/dashboard/apps/" +
          escape(app.id) + "\">Cancel</a></div></form>";
  return main;
}

store::AppRecord tenant_app(PageContext& ctx) {
  const std::string id(ctx.params.get("id"));
  if (!apps::is_app_id(id)) throw PageNotFound();
  try {
    return ctx.deps.apps.find(ctx.who.tenant.id, id);
  } catch (const apps::AppNotFound&) {
    throw PageNotFound();
  }
}

}  // namespace

http::Response apps_page(PageContext& ctx) {
  const auto apps = ctx.deps.app_store.list_apps(ctx.who.tenant.id);
  std::string main = "<h1>Apps</h1>\n<p><a class=\"button\" href=\"/dashboard/apps/new\">Create app</a></p>\n";
  main += "<table><caption>Apps of " + escape(ctx.who.tenant_label()) + "</caption><thead><tr>"
          "<th scope=\"col\">Name</th><th scope=\"col\">Id</th><th scope=\"col\">Mode</th>"
          "<th scope=\"col\">Users</th><th scope=\"col\">Trades</th><th scope=\"col\">Created</th>"
          "<th scope=\"col\">Went live</th></tr></thead><tbody>";
  for (const auto& app : apps) {
    const bool live = app.partner_agreement_signed;
    main += "<tr><th scope=\"row\"><a href=\"" + escape(app_path(app)) + "\">" + escape(app.name) + "</a></th>";
    main += "<td><code>" + escape(app.id) + "</code></td><td>" + mode_badge(app) + "</td>";
    main += "<td>" + count_text(app.user_count, store::kTestingUserCap, live) + "</td>";
    main += "<td>" + count_text(app.trade_count, store::kTestingTradeCap, live) + "</td>";
    main += "<td>" + utc_time(app.created_at) + "</td>";
    main += "<td>" + (app.went_live_at ? utc_time(*app.went_live_at) : std::string("—")) + "</td></tr>";
  }
  if (apps.empty()) main += "<tr><td colspan=\"7\">No apps yet.</td></tr>";
  main += "</tbody></table>";
  return html_response(200, render_page(ctx.frame("Apps", Section::Apps), main));
}

http::Response new_app_page(PageContext& ctx) {
  return html_response(200, render_page(ctx.frame("Create app", Section::Apps), new_app_main(ctx, "", "", {})));
}

http::Response create_app(PageContext& ctx) {
  const auto input = form_input(ctx.form);
  try {
    const auto app = ctx.deps.apps.create(ctx.who.tenant.id, input, ctx.app_actor());
    return ctx.redirect_with("App created.", app_path(app));
  } catch (const apps::AppInputError& e) {
    auto frame = ctx.frame("Create app", Section::Apps);
    frame.errors = field_errors(e);
    return html_response(400, render_page(frame, new_app_main(ctx, input.name, ctx.form.value("redirectOrigins"),
                                                              frame.errors)));
  }
}

http::Response app_page(PageContext& ctx) {
  const auto app = tenant_app(ctx);
  return render_app(ctx, app, 200, app.name, join_lines(app.redirect_origins), {});
}

http::Response update_app(PageContext& ctx) {
  const auto app = tenant_app(ctx);
  const auto input = form_input(ctx.form);
  try {
    ctx.deps.apps.update(ctx.who.tenant.id, app.id, input, ctx.app_actor());
    return ctx.redirect_with("App updated.", app_path(app));
  } catch (const apps::AppInputError& e) {
    return render_app(ctx, app, 400, input.name, ctx.form.value("redirectOrigins"), field_errors(e));
  } catch (const apps::AppNotFound&) {
    throw PageNotFound();
  }
}

http::Response go_live_page(PageContext& ctx) {
  const auto app = tenant_app(ctx);
  if (app.partner_agreement_signed) {
    std::string main = "<h1>Go Live: " + escape(app.name) + "</h1>\n<p>" + std::string(kAlreadyLive) + "</p>";
    main += "<p><a href=\"" + escape(app_path(app)) + "\">Back to the app</a></p>";
    return html_response(200, render_page(ctx.frame("Go Live: " + app.name, Section::Apps), main));
  }
  return html_response(200, render_page(ctx.frame("Go Live: " + app.name, Section::Apps), go_live_main(ctx, app, {})));
}

http::Response go_live(PageContext& ctx) {
  const auto app = tenant_app(ctx);
  if (app.partner_agreement_signed) return ctx.redirect_with(std::string(kAlreadyLive), app_path(app));
  if (ctx.form.value("accept") != "yes") {
    auto frame = ctx.frame("Go Live: " + app.name, Section::Apps);
    frame.errors = {{"accept", std::string(kTickTheBox)}};
    return html_response(400, render_page(frame, go_live_main(ctx, app, frame.errors)));
  }
  try {
    const auto outcome = ctx.deps.apps.go_live(ctx.who.tenant.id, app.id, ctx.app_actor());
    if (outcome == store::GoLiveOutcome::AlreadyLive)
      return ctx.redirect_with(std::string(kAlreadyLive), app_path(app));
  } catch (const apps::AppNotFound&) {
    throw PageNotFound();
  }
  return ctx.redirect_with(app.name + " is live.", app_path(app));
}

}  // namespace polysim::dashboard
