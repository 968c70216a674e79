// API keys (30-partner-apps.md §9.2, 10-partner-api.md): the tenant's partner keys, created and
// changed through partner/key_admin like the CLI does; a new key is shown once, on the answer
// to its POST, and exists nowhere else.
#include "dashboard/pages.hpp"
#include "partner/key_authenticator.hpp"

namespace polysim::dashboard {

namespace {

constexpr std::int64_t kDayMicros = 24LL * 60 * 60'000'000;

struct ExpiryChoice {
  const char* value;
  const char* label;
  std::int64_t lifetime;  // 0: never
};

constexpr ExpiryChoice kExpiries[] = {
    {"none", "No expiry", 0},
    {"30d", "30 days", 30 * kDayMicros},
    {"90d", "90 days", 90 * kDayMicros},
    {"1y", "1 year", 365 * kDayMicros},
};

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string keys_main(const PageContext& ctx, const std::optional<partner::CreatedKey>& created,
                      const FormFields& entered, const std::vector<FieldError>& errors) {
  const auto now = ctx.deps.clock.now_unix_micros();
  std::string main = "<h1>API keys</h1>\n";
  if (created) {
    main += "<div class=\"secret\" role=\"status\"><h2>Your new key</h2>"
            "<p><strong>Copy it now: it is shown only once and cannot be retrieved later.</strong></p>"
            "<p><label for=\"new-key\">Key “" +
            escape(created->record.name) + "”</label> <input id=\"new-key\" readonly size=\"70\" value=\"" +
            escape(created->key) + "\"></p></div>";
  }
  main += "<table><caption>Partner API keys</caption><thead><tr><th scope=\"col\">Name</th>"
          "<th scope=\"col\">Id</th><th scope=\"col\">Scopes</th><th scope=\"col\">Created</th>"
          "<th scope=\"col\">Expires</th><th scope=\"col\">Last used</th><th scope=\"col\">Status</th>"
          "<th scope=\"col\">Actions</th></tr></thead><tbody>";
  const auto keys = ctx.deps.store.list_api_keys(ctx.who.tenant.id);
  for (const auto& k : keys) {
    const auto status = partner::key_status(k, now);
    const std::string base = "/dashboard/api-keys/" + k.id;
    main += "<tr><th scope=\"row\">" + escape(k.name.empty() ? "(unnamed)" : k.name) + "</th>";
    main += "<td><code>" + escape(k.id) + "</code><br><code>" + escape(k.prefix) + "…</code></td>";
    main += "<td>" + escape(join_scopes(k.scopes)) + "</td><td>" + utc_time(k.created_at) + "</td>";
    main += "<td>" + (k.expires_at ? utc_time(*k.expires_at) : std::string("Never")) + "</td>";
    main += "<td>" + (k.last_used_at ? utc_time(*k.last_used_at) : std::string("Never")) + "</td>";
    main += "<td>" + badge(status, status) + "</td><td class=\"actions\">";
    if (!k.revoked_at) {
      const char* change = k.deactivated_at ? "reactivate" : "deactivate";
      main += "<form method=\"post\" action=\"" + escape(base) + "/" + change + "\">" +
              csrf_field(ctx.who.session.csrf_token) + "<button type=\"submit\" class=\"secondary\">" +
              (k.deactivated_at ? "Reactivate" : "Deactivate") + "<span class=\"visually-hidden\"> " +
              escape(k.name) + "</span></button></form> ";
      main += "<a href=\"" + escape(base) + "/revoke\">Revoke<span class=\"visually-hidden\"> " + escape(k.name) +
              "</span></a>";
    }
    main += "</td></tr>";
  }
  if (keys.empty()) main += "<tr><td colspan=\"8\">No keys yet.</td></tr>";
  main += "</tbody></table>\n<h2>Create a key</h2>";
  main += "<form method=\"post\" action=\"/dashboard/api-keys\" class=\"stack\" novalidate>";
  main += csrf_field(ctx.who.session.csrf_token);
  main += "<label for=\"key-name\">Name</label>" + error_text(errors, "key-name");
  main += "<input id=\"key-name\" name=\"name\" maxlength=\"100\" value=\"" + escape(entered.value("name")) + "\"" +
          error_attrs(errors, "key-name") + ">";
  const bool fresh = entered.items.empty();
  main += "<fieldset id=\"scopes\"" + error_attrs(errors, "scopes") + "><legend>Scopes</legend>" +
          error_text(errors, "scopes");
  for (const auto& scope : partner::all_key_scopes()) {
    const auto chosen = entered.all("scopes");
    const bool checked = fresh || std::find(chosen.begin(), chosen.end(), scope) != chosen.end();
    const auto id = "scope-" + std::string(scope.substr(0, scope.find(':'))) + "-" + scope.substr(scope.find(':') + 1);
    main += "<div class=\"check\"><input type=\"checkbox\" id=\"" + id + "\" name=\"scopes\" value=\"" +
            escape(scope) + "\"" + (checked ? " checked" : "") + "> <label for=\"" + id + "\">" + escape(scope) +
            "</label></div>";
  }
  main += "</fieldset><fieldset id=\"expiry\"" + error_attrs(errors, "expiry") + "><legend>Expiry</legend>" +
          error_text(errors, "expiry");
  const auto chosen_expiry = entered.get("expiry").value_or("none");
  for (const auto& e : kExpiries) {
    const auto id = std::string("expiry-") + e.value;
    main += "<div class=\"check\"><input type=\"radio\" id=\"" + id + "\" name=\"expiry\" value=\"" + e.value + "\"" +
            (chosen_expiry == e.value ? " checked" : "") + "> <label for=\"" + id + "\">" + e.label + "</label></div>";
  }
  main += "</fieldset><button type=\"submit\">Create key</button></form>";
  return main;
}

const store::ApiKeyRecord tenant_key(PageContext& ctx) {
  const std::string id(ctx.params.get("id"));
  if (!Uuid::parse(id)) throw PageNotFound();
  auto key = ctx.deps.store.find_api_key(id);
  if (!key || key->tenant_id != ctx.who.tenant.id) throw PageNotFound();
  return *key;
}

}  // namespace

http::Response api_keys_page(PageContext& ctx) {
  return html_response(200, render_page(ctx.frame("API keys", Section::ApiKeys), keys_main(ctx, std::nullopt, {}, {})));
}

http::Response create_api_key(PageContext& ctx) {
  std::vector<FieldError> errors;
  partner::NewKey input;
  input.tenant_id = ctx.who.tenant.id;
  input.name = ctx.form.value("name");
  while (!input.name.empty() && input.name.back() == ' ') input.name.pop_back();
  while (!input.name.empty() && input.name.front() == ' ') input.name.erase(0, 1);
  if (input.name.empty()) errors.push_back({"key-name", "Enter a name for the key."});
  input.scopes = ctx.form.all("scopes");
  if (input.scopes.empty()) errors.push_back({"scopes", "Choose at least one scope."});
  const auto expiry = ctx.form.get("expiry").value_or("none");
  const ExpiryChoice* choice = nullptr;
  for (const auto& e : kExpiries)
    if (expiry == e.value) choice = &e;
  if (!choice) errors.push_back({"expiry", "Choose an expiry."});
  else if (choice->lifetime > 0) input.lifetime = choice->lifetime;

  std::optional<partner::CreatedKey> created;
  if (errors.empty()) {
    try {
      created = partner::create_tenant_key(ctx.deps.store, ctx.deps.clock, ctx.deps.ids, input, ctx.key_actor());
    } catch (const partner::KeyInputError& e) {
      const std::string what = e.what();
      errors.push_back({what.starts_with("scopes") ? "scopes" : "key-name", what});
    }
  }
  auto frame = ctx.frame("API keys", Section::ApiKeys);
  frame.errors = errors;
  if (!errors.empty()) return html_response(400, render_page(frame, keys_main(ctx, std::nullopt, ctx.form, errors)));
  frame.notice = "Key created.";
  return html_response(200, render_page(frame, keys_main(ctx, created, {}, {})));
}

http::Response change_api_key(PageContext& ctx, partner::KeyStateChange change) {
  auto key = tenant_key(ctx);
  try {
    partner::change_tenant_key_state(ctx.deps.store, ctx.deps.clock, key, change, ctx.key_actor());
  } catch (const partner::KeyInputError&) {
    return ctx.redirect_with("This key is revoked; revocation is permanent.", "/dashboard/api-keys");
  }
  // The change applies on this instance at once; others see it within the cache TTL.
  if (ctx.deps.keys) ctx.deps.keys->invalidate_all();
  const char* done = change == partner::KeyStateChange::Deactivate   ? "deactivated"
                     : change == partner::KeyStateChange::Reactivate ? "reactivated"
                                                                     : "revoked";
  return ctx.redirect_with("Key “" + key.name + "” " + done + ".", "/dashboard/api-keys");
}

http::Response revoke_api_key_page(PageContext& ctx) {
  const auto key = tenant_key(ctx);
  std::string main = "<p><a href=\"/dashboard/api-keys\">All keys</a></p>\n<h1>Revoke key “" + escape(key.name) +
                     "”</h1>\n";
  if (key.revoked_at) {
    main += "<p>This key is already revoked.</p>";
  } else {
    main += "<p>Key <code>" + escape(key.prefix) + "…</code> will stop working at once. Revocation is permanent: "
            "the key cannot be reactivated.</p>";
    main += "<form method=\"post\" action=\"/dashboard/api-keys/" + escape(key.id) + "/revoke\">" +
            csrf_field(ctx.who.session.csrf_token) +
            "<div class=\"actions\"><button type=\"submit\" class=\"danger\">Revoke key</button> "
            "<a href=\"/dashboard/api-keys\">Cancel</a></div></form>";
  }
  return html_response(200, render_page(ctx.frame("Revoke key " + key.name, Section::ApiKeys), main));
}

}  // namespace polysim::dashboard
