// Users, Accounts and Audit log (30-partner-apps.md §9.2): the tenant's rows, filtered and paged
// by keyset (`after`), newest first.
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "core/email_address.hpp"
#include "dashboard/pages.hpp"
#include "engine/account_view.hpp"
#include "trader/own_accounts.hpp"

namespace polysim::dashboard {

namespace {

constexpr int kPageSize = 50;

std::optional<std::int64_t> positive_int(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

std::optional<std::string> non_empty(const FormFields& q, std::string_view name) {
  auto v = q.get(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// The query string of the next page: the filters kept, `after` replaced.
std::string next_link(std::string_view path, const FormFields& query, const std::string& after) {
  std::string out(path);
  out += "?";
  for (const auto& [k, v] : query.items) {
    if (k == "after" || v.empty()) continue;
    out += url_encode(k) + "=" + url_encode(v) + "&";
  }
  out += "after=" + url_encode(after);
  return "<p><a href=\"" + escape(out) + "\">Next page</a></p>";
}

std::string select_options(const std::vector<std::pair<std::string, std::string>>& options, const std::string& chosen) {
  std::string out;
  for (const auto& [value, label] : options)
    out += "<option value=\"" + escape(value) + "\"" + (value == chosen ? " selected" : "") + ">" + escape(label) +
           "</option>";
  return out;
}

std::string created_via(const store::TenantUserRow& u) {
  if (u.created_via && *u.created_via == "app") return "app: " + u.created_via_app_name.value_or("?");
  if (u.external_id) return "partner";
  return "self";
}

store::AuditEntry user_audit(const PageContext& ctx, bool disabled, const store::UserRecord& user) {
  store::AuditEntry e;
  e.tenant_id = ctx.who.tenant.id;
  e.actor_kind = "staff";
  e.actor_id = ctx.who.staff.id + " " + ctx.who.staff.email;
  e.action = disabled ? "user.disable" : "user.enable";
  e.target = "user:" + user.uuid;
  boost::json::object details{{"userId", user.id}, {"email", user.email}};
  if (!ctx.req.ip.empty()) details["ip"] = ctx.req.ip;
  if (!ctx.req.request_id.empty()) details["requestId"] = ctx.req.request_id;
  e.details_json = boost::json::serialize(details);
  e.at = ctx.deps.clock.now_unix_micros();
  return e;
}

}  // namespace

http::Response users_page(PageContext& ctx) {
  store::TenantUserQuery q;
  q.tenant_id = ctx.who.tenant.id;
  q.limit = kPageSize + 1;
  const auto app_filter = ctx.query.value("app");
  const auto apps = ctx.deps.app_store.list_apps(ctx.who.tenant.id);
  for (const auto& a : apps)
    if (a.id == app_filter) q.app_id = a.id;
  if (auto text = non_empty(ctx.query, "q")) {
    std::string lower = *text;
    for (auto& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    q.email_contains = lower;
  }
  if (auto after = non_empty(ctx.query, "after")) q.before_id = positive_int(*after);
  auto rows = ctx.deps.staff.list_tenant_users(q);
  const bool more = rows.size() > static_cast<std::size_t>(kPageSize);
  if (more) rows.resize(kPageSize);

  std::string main = "<h1>Users</h1>\n<form method=\"get\" action=\"/dashboard/users\" class=\"filters\">";
  std::vector<std::pair<std::string, std::string>> app_options{{"", "All apps"}};
  for (const auto& a : apps) app_options.emplace_back(a.id, a.name);
  main += "<div><label for=\"filter-app\">App</label><select id=\"filter-app\" name=\"app\">" +
          select_options(app_options, q.app_id.value_or("")) + "</select></div>";
  main += "<div><label for=\"filter-q\">Email contains</label><input id=\"filter-q\" name=\"q\" value=\"" +
          escape(ctx.query.value("q")) + "\"></div><button type=\"submit\">Filter</button></form>\n";
  main += "<table><caption>Users of " + escape(ctx.who.tenant_label()) + "</caption><thead><tr>"
          "<th scope=\"col\">Email</th><th scope=\"col\">User id</th><th scope=\"col\">External id</th>"
          "<th scope=\"col\">Created via</th><th scope=\"col\">Apps</th><th scope=\"col\">Accounts</th>"
          "<th scope=\"col\">Created</th><th scope=\"col\">Status</th><th scope=\"col\">Actions</th></tr></thead><tbody>";
  for (const auto& u : rows) {
    main += "<tr><th scope=\"row\">" + escape(u.email) + "</th><td>" + std::to_string(u.id) + "</td>";
    main += "<td>" + escape(u.external_id.value_or("—")) + "</td><td>" + escape(created_via(u)) + "</td>";
    main += "<td>" + escape(u.app_names.empty() ? "—" : u.app_names) + "</td><td>" + std::to_string(u.account_count) +
            "</td>";
    main += "<td>" + utc_time(u.created_at) + "</td><td>" +
            (u.disabled ? badge("Disabled", "disabled") : badge("Active", "active")) + "</td>";
    main += "<td><form method=\"post\" action=\"/dashboard/users/" + std::to_string(u.id) +
            (u.disabled ? "/enable" : "/disable") + "\">" + csrf_field(ctx.who.session.csrf_token) +
            "<button type=\"submit\" class=\"secondary\">" + (u.disabled ? "Enable" : "Disable") +
            "<span class=\"visually-hidden\"> " + escape(u.email) + "</span></button></form></td></tr>";
  }
  if (rows.empty()) main += "<tr><td colspan=\"9\">No users match.</td></tr>";
  main += "</tbody></table>";
  if (more) main += next_link("/dashboard/users", ctx.query, std::to_string(rows.back().id));
  return html_response(200, render_page(ctx.frame("Users", Section::Users), main));
}

http::Response set_user_disabled(PageContext& ctx, bool disabled) {
  const auto id = positive_int(ctx.params.get("id"));
  if (!id) throw PageNotFound();
  const auto user = ctx.deps.identity.find_user(*id);
  if (!user || user->tenant_id != ctx.who.tenant.id) throw PageNotFound();
  ctx.deps.staff.set_tenant_user_disabled(ctx.who.tenant.id, user->id, disabled, ctx.deps.clock.now_unix_micros(),
                                          user_audit(ctx, disabled, *user));
  return ctx.redirect_with(user->email + (disabled ? " is disabled." : " is enabled."), "/dashboard/users");
}

http::Response accounts_page(PageContext& ctx) {
  store::AccountListQuery q;
  q.tenant_id = ctx.who.tenant.id;
  q.governed_only = false;
  q.limit = kPageSize + 1;
  if (auto stage = non_empty(ctx.query, "stage")) q.stage = *stage;
  if (auto status = non_empty(ctx.query, "status")) q.status = *status;
  bool owner_unknown = false;
  if (auto owner = non_empty(ctx.query, "owner")) {
    const auto email = normalize_email(*owner);
    const auto user = email ? ctx.deps.identity.find_user_by_email(ctx.who.tenant.id, *email) : std::nullopt;
    if (user) q.user_id = user->id;
    else owner_unknown = true;
  }
  if (auto after = non_empty(ctx.query, "after")) {
    const auto dot = after->find('.');
    if (dot != std::string::npos)
      if (auto at = positive_int(std::string_view(*after).substr(0, dot))) q.after = std::pair{*at, after->substr(dot + 1)};
  }
  auto rows = owner_unknown ? std::vector<store::AccountRecord>{} : ctx.deps.store.list_accounts(q);
  const bool more = rows.size() > static_cast<std::size_t>(kPageSize);
  if (more) rows.resize(kPageSize);
  std::vector<engine::AccountView> views;
  if (ctx.deps.engine) {
    views = trader::valued_accounts(*ctx.deps.engine, rows);
  } else {
    for (const auto& r : rows) views.push_back(engine::view_without_positions(r, ctx.deps.clock.now_unix_micros()));
  }
  std::map<std::int64_t, std::string> owners;
  for (const auto& r : rows)
    if (!owners.contains(r.user_id)) {
      auto u = ctx.deps.identity.find_user(r.user_id);
      owners[r.user_id] = u ? u->email : "?";
    }

  std::string main = "<h1>Accounts</h1>\n<form method=\"get\" action=\"/dashboard/accounts\" class=\"filters\">";
  main += "<div><label for=\"filter-stage\">Stage</label><input id=\"filter-stage\" name=\"stage\" value=\"" +
          escape(ctx.query.value("stage")) + "\"></div>";
  main += "<div><label for=\"filter-status\">Status</label><select id=\"filter-status\" name=\"status\">" +
          select_options({{"", "Any"}, {"active", "active"}, {"closed", "closed"}}, ctx.query.value("status")) +
          "</select></div>";
  main += "<div><label for=\"filter-owner\">Owner email</label><input id=\"filter-owner\" name=\"owner\" value=\"" +
          escape(ctx.query.value("owner")) + "\"></div><button type=\"submit\">Filter</button></form>\n";
  main += "<table><caption>Accounts of " + escape(ctx.who.tenant_label()) + " (equity valued now)</caption><thead><tr>"
          "<th scope=\"col\">Account id</th><th scope=\"col\">Owner</th><th scope=\"col\">Stage</th>"
          "<th scope=\"col\">Status</th><th scope=\"col\">Starting balance</th><th scope=\"col\">Equity</th>"
          "<th scope=\"col\">P&amp;L</th><th scope=\"col\">Created</th></tr></thead><tbody>";
  for (const auto& v : views) {
    const auto& a = v.account;
    main += "<tr><th scope=\"row\"><a href=\"/dashboard/accounts/" + escape(a.id) + "\"><code>" + escape(a.id) +
            "</code></a></th><td>" + escape(owners[a.user_id]) + "</td>";
    main += "<td>" + escape(a.stage) + "</td><td>" + escape(a.status) + "</td>";
    main += "<td class=\"num\">" + money(a.starting_balance) + "</td><td class=\"num\">" + money(v.equity) + "</td>";
    main += "<td class=\"num\">" + money(v.equity - a.starting_balance) + "</td><td>" + utc_time(a.created_at) +
            "</td></tr>";
  }
  if (views.empty()) main += "<tr><td colspan=\"8\">No accounts match.</td></tr>";
  main += "</tbody></table>";
  if (more)
    main += next_link("/dashboard/accounts", ctx.query,
                      std::to_string(rows.back().created_at) + "." + rows.back().id);
  return html_response(200, render_page(ctx.frame("Accounts", Section::Accounts), main));
}

http::Response audit_page(PageContext& ctx) {
  store::AuditQuery q;
  q.tenant_id = ctx.who.tenant.id;
  q.limit = kPageSize + 1;
  if (auto action = non_empty(ctx.query, "action")) q.action = *action;
  if (auto after = non_empty(ctx.query, "after")) q.before_id = positive_int(*after);
  auto rows = ctx.deps.staff.list_audit(q);
  const bool more = rows.size() > static_cast<std::size_t>(kPageSize);
  if (more) rows.resize(kPageSize);

  std::string main = "<h1>Audit log</h1>\n<form method=\"get\" action=\"/dashboard/audit\" class=\"filters\">";
  main += "<div><label for=\"filter-action\">Action</label><input id=\"filter-action\" name=\"action\" "
          "placeholder=\"app.go_live\" value=\"" +
          escape(ctx.query.value("action")) + "\"></div><button type=\"submit\">Filter</button></form>\n";
  main += "<table><caption>Audit log of " + escape(ctx.who.tenant_label()) + ", newest first</caption><thead><tr>"
          "<th scope=\"col\">Time</th><th scope=\"col\">Actor</th><th scope=\"col\">Action</th>"
          "<th scope=\"col\">Target</th><th scope=\"col\">Details</th><th scope=\"col\">IP</th></tr></thead><tbody>";
  for (const auto& row : rows) {
    const auto& e = row.entry;
    std::string ip = "—";
    std::string details = e.details_json;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(e.details_json, ec);
    if (!ec && parsed.is_object()) {
      auto& o = parsed.as_object();
      if (auto* v = o.if_contains("ip"); v && v->is_string()) ip = std::string(v->as_string());
      o.erase("ip");
      details = o.empty() ? "" : boost::json::serialize(o);
    }
    main += "<tr><td>" + utc_time(e.at) + "</td><td>" + escape(e.actor_kind) + ": " + escape(e.actor_id) + "</td>";
    main += "<td>" + escape(e.action) + "</td><td><code>" + escape(e.target) + "</code></td>";
    main += "<td><code class=\"details\">" + escape(details) + "</code></td><td>" + escape(ip) + "</td></tr>";
  }
  if (rows.empty()) main += "<tr><td colspan=\"6\">No entries match.</td></tr>";
  main += "</tbody></table>";
  if (more) main += next_link("/dashboard/audit", ctx.query, std::to_string(rows.back().id));
  return html_response(200, render_page(ctx.frame("Audit log", Section::Audit), main));
}

}  // namespace polysim::dashboard
