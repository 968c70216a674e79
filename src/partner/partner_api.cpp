#include "partner/partner_api.hpp"

#include "core/crypto.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "core/token.hpp"
#include "core/uuid.hpp"
#include "http/credential.hpp"
#include "partner/account_envelope.hpp"
#include "partner/partner_requests.hpp"
#include "partner/rate_limit_policy.hpp"

namespace polysim::partner {

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr const char* kUsersWrite = "users:write";
constexpr const char* kAccountsWrite = "accounts:write";
constexpr const char* kAccountsRead = "accounts:read";

using http::json_response;

using http::Credential;
using http::is_json_media_type;

bool has_scope(const store::ApiKeyRecord& key, std::string_view scope) {
  for (const auto& s : key.scopes)
    if (s == scope) return true;
  return false;
}

template <class F>
std::string write_json(F&& f) {
  std::string out;
  JsonWriter w(out);
  f(w);
  return out;
}

std::string user_body(const store::PartnerUserRecord& u, std::optional<bool> created) {
  return write_json([&](JsonWriter& w) {
    w.begin_object();
    w.key("user_id"); w.number(u.user_id);
    w.key("tenant_user_id"); w.string(u.tenant_user_id);
    w.key("external_id"); w.string(u.external_id);
    w.key("email"); w.string(u.email);
    w.key("metadata"); w.raw_json(u.metadata_json);
    if (created) {
      w.key("created");
      w.boolean(*created);
    }
    w.key("created_at"); w.string(format_rfc3339_millis(u.created_at));
    w.end_object();
  });
}

std::string account_body(const engine::AccountView& view, std::optional<bool> created) {
  return write_json([&](JsonWriter& w) {
    EnvelopeOptions o;
    o.created = created;
    write_account_envelope(w, view, o);
  });
}

}  // namespace

http::Response render_partner_error(const PartnerError& e) {
  auto r = json_response(e.status, write_json([&](JsonWriter& w) {
                           w.begin_object();
                           w.key("error");
                           w.string(e.code);
                           w.key("message");
                           w.string(e.message);
                           w.end_object();
                         }));
  r.set_header("X-Polysim-Code", e.code);
  return r;
}

PartnerApi::PartnerApi(PartnerService& service, KeyAuthenticator& keys, limit::FailOpenGuard& limiter,
                       http::BlockingPool& pool, const Clock& clock)
    : service_(service), keys_(keys), limiter_(limiter), pool_(pool), clock_(clock) {
  using http::Method;
  router_.add(Method::Post, "/v1/partner/users", {PartnerRoute::CreateUser, kUsersWrite});
  router_.add(Method::Get, "/v1/partner/users/{user_id}", {PartnerRoute::GetUser, kAccountsRead});
  router_.add(Method::Post, "/v1/partner/users/{user_id}/login-link", {PartnerRoute::LoginLink, kUsersWrite});
  router_.add(Method::Post, "/v1/partner/accounts", {PartnerRoute::CreateAccount, kAccountsWrite});
  router_.add(Method::Get, "/v1/partner/accounts", {PartnerRoute::ListAccounts, kAccountsRead});
  router_.add(Method::Get, "/v1/partner/accounts/{account_id}", {PartnerRoute::GetAccount, kAccountsRead});
  router_.add(Method::Patch, "/v1/partner/accounts/{account_id}", {PartnerRoute::PatchAccount, kAccountsWrite});
  router_.add(Method::Post, "/v1/partner/accounts/{account_id}/close", {PartnerRoute::CloseAccount, kAccountsWrite});
  router_.add(Method::Post, "/v1/partner/accounts/{account_id}/reset", {PartnerRoute::ResetAccount, kAccountsWrite});
  router_.add(Method::Get, "/v1/partner/accounts/{account_id}/trades", {PartnerRoute::ListTrades, kAccountsRead});
}

http::Response PartnerApi::protocol_error(int status) const {
  std::string_view code = "INTERNAL_ERROR";
  switch (status) {
    case 400: code = "BAD_REQUEST"; break;
    case 413: code = "PAYLOAD_TOO_LARGE"; break;
    case 414: code = "URI_TOO_LONG"; break;
    case 431: code = "HEADERS_TOO_LARGE"; break;
    case 503: code = "SERVICE_UNAVAILABLE"; break;
    default: break;
  }
  auto r = render_partner_error(make_error(code));
  apply_rate_limit_headers(r, unmetered_view(nullptr));
  return r;
}

Task<http::Response> PartnerApi::handle(http::Request& req, http::BodyReader& body) {
  const store::TenantRecord* tenant_for_headers = nullptr;
  auto fail = [&](PartnerError e) {
    auto r = render_partner_error(e);
    apply_rate_limit_headers(r, unmetered_view(tenant_for_headers));
    return r;
  };

  // Steps 1–6: headers only, not metered.
  const auto credential = http::extract_credential(req, http::CredentialPrecedence::ApiKeyHeader);
  if (credential.kind == Credential::Kind::Missing) co_return fail(make_error("MISSING_API_KEY"));
  if (credential.kind == Credential::Kind::Repeated || !is_well_formed_token(credential.value, "ps_tenant_"))
    co_return fail(make_error("INVALID_KEY"));
  const auto digest = sha256(credential.value);
  auto lookup = keys_.cached(digest);
  auto principal = std::move(lookup.key);
  if (lookup.refresh_due) {
    pool_.post([this, digest] {
      try {
        keys_.load(digest);
      } catch (const std::exception&) {
        // The entry expires on its own; the next request loads it.
      }
    });
  }
  if (!principal) {
    try {
      auto load = pool_.run([this, &digest] { return keys_.load(digest); });
      principal = co_await std::move(load);
    } catch (const store::StoreUnavailable&) {
      co_return fail(make_error("SERVICE_UNAVAILABLE"));
    }
  }
  if (!principal->found || principal->key.revoked_at) co_return fail(make_error("INVALID_KEY"));
  tenant_for_headers = &principal->tenant;
  const auto& key = principal->key;
  const auto& tenant = principal->tenant;
  if (key.deactivated_at) co_return fail(make_error("KEY_DEACTIVATED"));
  if (key.expires_at && *key.expires_at <= clock_.now_unix_micros()) co_return fail(make_error("KEY_EXPIRED"));
  if (tenant.disabled) co_return fail(make_error("TENANT_DISABLED"));
  if (!tenant.partner_enabled) co_return fail(make_error("NOT_FOUND"));

  // Step 7: every request past here costs one unit in all four windows, whatever its status.
  const auto decision = limiter_.decide(principal->windows, "partner");
  const RateLimitView view = decision ? view_of(*decision) : unmetered_view(&tenant);
  auto finish = [&](http::Response r) {
    apply_rate_limit_headers(r, view);
    r.log_tenant = tenant.id;
    return r;
  };
  if (decision && !decision->admitted) {
    auto e = make_error("RATE_LIMIT_EXCEEDED",
                        "Rate limit exceeded. Retry after " + std::to_string(view.retry_after_s) + "s.");
    co_return finish(render_partner_error(e));
  }

  // Step 8: route.
  const auto match = router_.match(req.method, req.path);
  if (match.outcome == http::Router<RouteInfo>::Outcome::NotFound) co_return finish(render_partner_error(make_error("NOT_FOUND")));
  if (match.outcome == http::Router<RouteInfo>::Outcome::MethodNotAllowed) {
    auto r = render_partner_error(make_error("METHOD_NOT_ALLOWED"));
    r.set_header("Allow", match.allow);
    co_return finish(std::move(r));
  }
  // Step 9: scope.
  if (!has_scope(key, match.route->payload.scope)) co_return finish(render_partner_error(make_error("INSUFFICIENT_PERMISSION")));

  http::Response response;
  try {
    response = co_await dispatch(req, body, *principal, match);
  } catch (const store::StoreUnavailable&) {
    response = render_partner_error(make_error("SERVICE_UNAVAILABLE"));
  }
  response.log_route = match.route->pattern;
  co_return finish(std::move(response));
}

Task<http::Response> PartnerApi::dispatch(http::Request& req, http::BodyReader& body_reader,
                                          const ResolvedKey& principal, const http::Router<RouteInfo>::Match& match) {
  const auto route = match.route->payload.route;
  const auto& tenant = principal.tenant;
  const bool takes_body = req.method == http::Method::Post || req.method == http::Method::Patch;

  // Step 10: size from Content-Length first, then media type, then reading the body.
  std::string body_text;
  bool body_sent = false;
  if (takes_body && req.has_body()) {
    if (req.content_length && *req.content_length > kMaxBody) co_return render_partner_error(make_error("PAYLOAD_TOO_LARGE"));
    auto type = req.header("Content-Type");
    if (!type || !is_json_media_type(*type)) co_return render_partner_error(make_error("UNSUPPORTED_MEDIA_TYPE"));
    switch (co_await body_reader.read(kMaxBody, body_text)) {
      case http::BodyStatus::TooLarge: co_return render_partner_error(make_error("PAYLOAD_TOO_LARGE"));
      case http::BodyStatus::Failed: {
        auto r = render_partner_error(validation_failed("request body could not be read"));
        r.close_connection = true;
        co_return r;
      }
      case http::BodyStatus::Ok: break;
    }
    body_sent = !body_text.empty();
  }

  // Step 11: path parameters.
  std::string account_id;
  std::int64_t user_id = 0;
  if (auto raw = match.params.get("account_id"); !raw.empty()) {
    if (!Uuid::parse(raw)) co_return render_partner_error(make_error("INVALID_ACCOUNT_ID"));
    account_id = std::string(raw);
  }
  if (auto raw = match.params.get("user_id"); !raw.empty()) {
    auto id = parse_user_id(raw);
    if (!id) co_return render_partner_error(validation_failed("user_id must be a positive integer"));
    user_id = *id;
  }

  // Step 12 starts with the body's shape: a JSON object where one is sent or required.
  std::optional<JsonValue> body;
  if (body_sent) {
    auto parsed = parse_json(body_text);
    if (auto* err = std::get_if<JsonParseError>(&parsed))
      co_return render_partner_error(validation_failed("body is not valid JSON: " + err->message));
    auto& value = std::get<JsonValue>(parsed);
    if (!value.is_object()) co_return render_partner_error(validation_failed("body must be a JSON object"));
    body = std::move(value);
  }
  const bool body_required = route == PartnerRoute::CreateUser || route == PartnerRoute::CreateAccount ||
                             route == PartnerRoute::PatchAccount;
  if (body_required && !body) co_return render_partner_error(validation_failed("body must be a JSON object"));

  // Steps 12–14: the endpoint.
  auto& svc = service_;
  auto failed = [](const PartnerError& e) {
    auto r = render_partner_error(e);
    if (e.retry_after_s > 0) r.set_header("Retry-After", std::to_string(e.retry_after_s));
    return r;
  };
  switch (route) {
    case PartnerRoute::CreateUser: {
      auto request = parse_create_user(*body);
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run([&] { return svc.create_user(tenant, std::get<CreateUserRequest>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      auto& [user, created] = std::get<0>(result);
      co_return json_response(created ? 201 : 200, user_body(user, created));
    }
    case PartnerRoute::GetUser: {
      auto result = co_await pool_.run([&] { return svc.get_user(tenant, user_id); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      co_return json_response(200, user_body(std::get<0>(result), std::nullopt));
    }
    case PartnerRoute::LoginLink: {
      auto request = parse_login_link(body ? &*body : nullptr);
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run(
          [&] { return svc.send_login_link(tenant, user_id, std::get<std::optional<std::string>>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      co_return json_response(202, R"({"status":"accepted"})");
    }
    case PartnerRoute::CreateAccount: {
      auto request = parse_create_account(*body);
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run([&] { return svc.create_account(tenant, std::get<CreateAccountRequest>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      auto& [account, created] = std::get<0>(result);
      co_return json_response(created ? 201 : 200, account_body(account, created));
    }
    case PartnerRoute::ListAccounts: {
      auto request = parse_list_accounts_query(parse_query(req.query));
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run([&] { return svc.list_accounts(tenant, std::get<ListAccountsRequest>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      const auto& page = std::get<0>(result);
      co_return json_response(200, write_json([&](JsonWriter& w) {
        w.begin_object();
        w.key("data");
        w.begin_array();
        EnvelopeOptions o;
        o.include_positions = false;
        for (const auto& a : page.rows) write_account_envelope(w, a, o);
        w.end_array();
        w.key("next_cursor");
        if (page.next_cursor) w.string(*page.next_cursor); else w.null();
        w.end_object();
      }));
    }
    case PartnerRoute::GetAccount: {
      if (auto cached = svc.cached_account(tenant, account_id); cached.entry) {
        if (cached.refresh_due) {
          pool_.post([&svc, tenant, account_id] {
            try {
              svc.get_account(tenant, account_id);
            } catch (const std::exception&) {
              // The entry expires on its own; the next read goes to the database.
            }
          });
        }
        co_return json_response(200, cached.entry->body_at(svc.now()));
      }
      auto result = co_await pool_.run([&] { return svc.get_account(tenant, account_id); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      co_return json_response(200, account_body(std::get<0>(result), std::nullopt));
    }
    case PartnerRoute::PatchAccount: {
      auto request = parse_account_patch(*body);
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run([&] { return svc.patch_account(tenant, account_id, std::get<store::AccountPatch>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      co_return json_response(200, account_body(std::get<0>(result), std::nullopt));
    }
    case PartnerRoute::CloseAccount:
    case PartnerRoute::ResetAccount: {
      const bool close = route == PartnerRoute::CloseAccount;
      auto result = co_await pool_.run([&] {
        return close ? svc.close_account(tenant, account_id) : svc.reset_account(tenant, account_id);
      });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      co_return json_response(200, account_body(std::get<0>(result), std::nullopt));
    }
    case PartnerRoute::ListTrades: {
      auto request = parse_trades_query(parse_query(req.query));
      if (auto* e = std::get_if<PartnerError>(&request)) co_return failed(*e);
      auto result = co_await pool_.run([&] { return svc.list_trades(tenant, account_id, std::get<TradesRequest>(request)); });
      if (auto* e = std::get_if<PartnerError>(&result)) co_return failed(*e);
      const auto& page = std::get<0>(result);
      co_return json_response(200, write_json([&](JsonWriter& w) {
        w.begin_object();
        w.key("data");
        w.begin_array();
        for (const auto& f : page.rows) write_trade(w, f);
        w.end_array();
        w.key("next_cursor");
        if (page.next_cursor) w.string(*page.next_cursor); else w.null();
        w.end_object();
      }));
    }
  }
  co_return render_partner_error(make_error("INTERNAL_ERROR"));
}

}  // namespace polysim::partner
