#include "trader/trader_render.hpp"

#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "engine/account_view.hpp"

namespace polysim::trader {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

void write_user(JsonWriter& w, const store::UserRecord& u) {
  w.begin_object();
  w.key("id"); w.string(u.uuid);
  w.key("userId"); w.number(u.id);
  w.key("tenantId"); w.string(u.tenant_id);
  w.key("email"); w.string(u.email);
  w.key("displayName");
  if (u.display_name) w.string(*u.display_name); else w.null();
  w.key("emailVerified"); w.boolean(u.email_verified_at.has_value());
  w.key("hasPassword"); w.boolean(u.password_hash.has_value());
  w.key("mfaEnabled"); w.boolean(u.mfa_enabled_at.has_value());
  w.key("createdAt"); w.string(format_rfc3339_millis(u.created_at));
  w.end_object();
}

void write_optional_time(JsonWriter& w, const std::optional<std::int64_t>& t) {
  if (t) w.string(format_rfc3339_millis(*t));
  else w.null();
}

void write_strings(JsonWriter& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& s : items) w.string(s);
  w.end_array();
}

void write_device(JsonWriter& w, const store::DeviceRecord& d) {
  w.begin_object();
  w.key("id"); w.string(d.id);
  w.key("kind"); w.string(d.kind);
  w.key("name"); w.string(d.name);
  w.key("platform"); w.string(d.platform);
  w.key("appVersion"); w.string(d.app_version);
  w.key("prefix"); w.string(d.prefix);
  w.key("scopes"); write_strings(w, d.scopes);
  w.key("createdAt"); w.string(format_rfc3339_millis(d.created_at));
  w.key("lastSeenAt"); write_optional_time(w, d.last_seen_at);
  w.key("lastSeenIpGroup");
  if (d.last_seen_ip_group) w.string(*d.last_seen_ip_group); else w.null();
  w.key("expiresAt"); w.string(format_rfc3339_millis(d.expires_at));
  w.key("revokedAt"); write_optional_time(w, d.revoked_at);
  w.end_object();
}

void write_api_key(JsonWriter& w, const store::PersonalApiKey& k, std::optional<std::string_view> secret) {
  w.begin_object();
  w.key("id"); w.string(k.id);
  w.key("name"); w.string(k.name);
  if (secret) {
    w.key("key");
    w.string(*secret);
  }
  w.key("prefix"); w.string(k.prefix);
  w.key("scopes"); write_strings(w, k.scopes);
  w.key("createdAt"); w.string(format_rfc3339_millis(k.created_at));
  w.key("expiresAt"); w.string(format_rfc3339_millis(k.expires_at));
  w.key("lastUsedAt"); write_optional_time(w, k.last_used_at);
  w.key("revokedAt"); write_optional_time(w, k.revoked_at);
  w.end_object();
}

template <class T, class F>
std::string list_json(const std::vector<T>& rows, F&& write_row) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("data");
  w.begin_array();
  for (const auto& r : rows) write_row(w, r);
  w.end_array();
  w.key("nextCursor");
  w.null();
  w.end_object();
  return out;
}

}  // namespace

void write_paper_account_fields(JsonWriter& w, const engine::AccountView& v) {
  const auto& a = v.account;
  w.key("accountId"); w.string(a.id);
  w.key("mode"); w.string("paper");
  w.key("stage"); w.string(a.stage);
  w.key("status"); w.string(a.status);
  w.key("currency"); w.string(a.currency);
  w.key("startingBalance"); w.string(engine::usd(a.starting_balance));
  w.key("cash"); w.string(engine::usd(a.cash));
  w.key("reserved"); w.string(engine::usd(a.reserved));
  w.key("positionsValue"); w.string(engine::usd(v.positions_value));
  w.key("equity"); w.string(engine::usd(v.equity));
  w.key("realizedPnl"); w.string(engine::usd(a.realized_pnl));
  w.key("unrealizedPnl"); w.string(engine::usd(v.unrealized_pnl));
  w.key("feesPaid"); w.string(engine::usd(a.fees_paid));
  w.key("peakEquity"); w.string(engine::usd(a.peak_equity));
  w.key("drawdown"); w.string(engine::usd(v.drawdown));
  w.key("drawdownPct"); w.string(engine::percent(v.drawdown, a.peak_equity));
  w.key("maxDrawdown"); w.string(engine::usd(a.max_drawdown));
  w.key("dayStartEquity"); w.string(engine::usd(a.day_start_equity));
  w.key("openOrdersCount"); w.number(a.open_orders_count);
  w.key("createdAt"); w.string(format_rfc3339_millis(a.created_at));
}

void write_paper_account(JsonWriter& w, const engine::AccountView& v) {
  w.begin_object();
  write_paper_account_fields(w, v);
  w.end_object();
}

std::string device_issued_json(const auth::DeviceIssued& issued) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("deviceToken"); w.string(issued.token);
  w.key("device"); write_device(w, issued.device);
  w.key("user"); write_user(w, issued.user);
  w.end_object();
  return out;
}

std::string device_list_json(const std::vector<store::DeviceRecord>& devices) {
  return list_json(devices, [](JsonWriter& w, const store::DeviceRecord& d) { write_device(w, d); });
}

std::string device_request_json(const store::DeviceAuthorization& a) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("userCode"); w.string(a.user_code.substr(0, 4) + "-" + a.user_code.substr(4));
  w.key("deviceName"); w.string(a.name);
  w.key("platform"); w.string(a.platform);
  w.key("appVersion"); w.string(a.app_version);
  w.key("scopes"); write_strings(w, a.scopes);
  w.key("requestedFromIpGroup"); w.string(a.requested_ip_group);
  w.key("expiresAt"); w.string(format_rfc3339_millis(a.expires_at));
  w.end_object();
  return out;
}

std::string api_key_json(const store::PersonalApiKey& key, std::optional<std::string_view> secret) {
  std::string out;
  JsonWriter w(out);
  write_api_key(w, key, secret);
  return out;
}

std::string api_key_list_json(const std::vector<store::PersonalApiKey>& keys) {
  return list_json(keys, [](JsonWriter& w, const store::PersonalApiKey& k) { write_api_key(w, k, std::nullopt); });
}

http::Response error_response(const auth::AuthFailure& f) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.key("error"); w.string(f.error);
  w.key("message"); w.string(f.message);
  w.key("code"); w.string(upper(f.error));
  if (!f.details.empty()) {
    w.key("details");
    w.begin_array();
    for (const auto& [field, message] : f.details) {
      w.begin_object();
      w.key("field"); w.string(field);
      w.key("message"); w.string(message);
      w.end_object();
    }
    w.end_array();
  }
  if (f.retry_after_s) {
    w.key("retryAfter");
    w.number(*f.retry_after_s);
  }
  w.end_object();
  auto r = json_response(f.status, std::move(body));
  if (f.status == 401) r.set_header("WWW-Authenticate", "Bearer");
  if (f.retry_after_s) r.set_header("Retry-After", std::to_string(*f.retry_after_s));
  return r;
}

http::Response error_response(int status, std::string_view error, std::string_view message) {
  return error_response(auth::AuthFailure(status, std::string(error), std::string(message)));
}

std::string user_json(const store::UserRecord& user) {
  std::string out;
  JsonWriter w(out);
  write_user(w, user);
  return out;
}

std::string token_pair_json(const auth::SignedIn& s) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("tokenType"); w.string("Bearer");
  w.key("accessToken"); w.string(s.tokens.access_token);
  w.key("expiresIn"); w.number(auth::kAccessTokenSeconds);
  w.key("refreshToken"); w.string(s.tokens.refresh_token);
  w.key("refreshExpiresAt"); w.string(format_rfc3339_millis(s.tokens.refresh_expires_at));
  w.key("sessionId"); w.string(s.tokens.session_id);
  w.key("user"); write_user(w, s.user);
  if (s.redirect_url) {
    w.key("redirectUrl");
    w.string(*s.redirect_url);
  }
  w.end_object();
  return out;
}

std::string sign_in_json(const auth::SignInOutcome& outcome) {
  if (outcome.signed_in) return token_pair_json(*outcome.signed_in);
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("mfaRequired"); w.boolean(true);
  w.key("mfaToken"); w.string(outcome.challenge->token);
  w.key("expiresIn"); w.number(outcome.challenge->expires_in);
  w.key("methods");
  w.begin_array();
  w.string("totp");
  w.string("backup_code");
  w.end_array();
  w.end_object();
  return out;
}

std::string backup_codes_json(std::string_view key_before, const std::vector<std::string>& codes) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (!key_before.empty()) {
    w.key(key_before);
    w.boolean(true);
  }
  w.key("backupCodes");
  w.begin_array();
  for (const auto& c : codes) w.string(c);
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace polysim::trader
