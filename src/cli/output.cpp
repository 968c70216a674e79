#include "cli/output.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <iomanip>

#include "core/decimal.hpp"
#include "core/time_format.hpp"

namespace polysim::cli {

namespace {

std::string usd(std::int64_t micros) { return format_decimal(micros, 2); }

boost::json::value time_or_null(const std::optional<std::int64_t>& micros) {
  if (!micros) return nullptr;
  return boost::json::value(format_rfc3339_millis(*micros));
}

std::string time_or(const std::optional<std::int64_t>& micros, const char* absent) {
  return micros ? format_rfc3339_millis(*micros) : std::string(absent);
}

boost::json::array string_array(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// One "label: value" line with values aligned, for the detail views.
void field(std::ostream& out, std::string_view label, std::string_view value) {
  out << std::left << std::setw(24) << (std::string(label) + ":") << value << '\n';
}

}  // namespace

boost::json::object tenant_json(const store::TenantRecord& tenant) {
  boost::json::object o;
  o["id"] = tenant.id;
  o["name"] = tenant.name;
  o["display_name"] = tenant.display_name;
  o["disabled"] = tenant.disabled;
  o["partner_enabled"] = tenant.partner_enabled;
  o["min_starting_balance"] = usd(tenant.min_starting_balance);
  o["max_starting_balance"] = usd(tenant.max_starting_balance);
  o["redirect_origins"] = string_array(tenant.redirect_origins);
  o["default_login_url"] =
      tenant.default_login_url ? boost::json::value(*tenant.default_login_url) : boost::json::value(nullptr);
  o["tenant_per_second"] = tenant.tenant_per_second;
  o["tenant_per_minute"] = tenant.tenant_per_minute;
  o["key_per_second"] = tenant.key_per_second;
  o["key_per_minute"] = tenant.key_per_minute;
  o["demo_starting_balance"] = usd(tenant.demo_starting_balance);
  o["created_at"] = format_rfc3339_millis(tenant.created_at);
  o["updated_at"] = format_rfc3339_millis(tenant.updated_at);
  return o;
}

boost::json::object key_json(const store::ApiKeyRecord& key, std::int64_t now_micros) {
  boost::json::object o;
  o["id"] = key.id;
  o["tenant_id"] = key.tenant_id;
  o["name"] = key.name;
  o["prefix"] = key.prefix;
  o["scopes"] = string_array(key.scopes);
  o["status"] = key_status(key, now_micros);
  o["created_at"] = format_rfc3339_millis(key.created_at);
  o["expires_at"] = time_or_null(key.expires_at);
  o["deactivated_at"] = time_or_null(key.deactivated_at);
  o["revoked_at"] = time_or_null(key.revoked_at);
  o["last_used_at"] = time_or_null(key.last_used_at);
  return o;
}

boost::json::object created_key_json(const CreatedKey& created) {
  const auto& record = created.record;
  boost::json::object o;
  o["id"] = record.id;
  o["key"] = created.key;
  o["prefix"] = record.prefix;
  o["scopes"] = string_array(record.scopes);
  o["expires_at"] = time_or_null(record.expires_at);
  o["tenant_id"] = record.tenant_id;
  o["name"] = record.name;
  o["created_at"] = format_rfc3339_millis(record.created_at);
  return o;
}

boost::json::object demo_json(const DemoResult& result, const std::string& curl_command) {
  boost::json::object o;
  o["tenant_id"] = result.tenant.id;
  o["tenant_name"] = result.tenant.name;
  o["tenant_created"] = result.tenant_created;
  o["key"] = created_key_json(result.key);
  o["user_id"] = result.trader.user_id;
  o["tenant_user_id"] = result.trader.tenant_user_id;
  o["account_id"] = result.account.id;
  o["account_created"] = result.account_created;
  o["curl"] = curl_command;
  return o;
}

void CommandOutput::emit(const boost::json::value& value) { out_ << boost::json::serialize(value) << '\n'; }

void CommandOutput::tenant(const store::TenantRecord& t) {
  if (json_) return emit(tenant_json(t));
  field(out_, "id", t.id);
  field(out_, "name", t.name);
  field(out_, "display_name", t.display_name);
  field(out_, "disabled", t.disabled ? "true" : "false");
  field(out_, "partner_enabled", t.partner_enabled ? "true" : "false");
  field(out_, "min_starting_balance", usd(t.min_starting_balance));
  field(out_, "max_starting_balance", usd(t.max_starting_balance));
  field(out_, "redirect_origins", t.redirect_origins.empty() ? "(none)" : joined(t.redirect_origins, ", "));
  field(out_, "default_login_url", t.default_login_url.value_or("(none)"));
  field(out_, "tenant_per_second", std::to_string(t.tenant_per_second));
  field(out_, "tenant_per_minute", std::to_string(t.tenant_per_minute));
  field(out_, "key_per_second", std::to_string(t.key_per_second));
  field(out_, "key_per_minute", std::to_string(t.key_per_minute));
  field(out_, "demo_starting_balance", usd(t.demo_starting_balance));
  field(out_, "created_at", format_rfc3339_millis(t.created_at));
  field(out_, "updated_at", format_rfc3339_millis(t.updated_at));
}

void CommandOutput::user(const store::UserRecord& u) {
  if (json_)
    return emit(boost::json::object{{"user_id", u.id},
                                    {"tenant_user_id", u.uuid},
                                    {"tenant_id", u.tenant_id},
                                    {"email", u.email},
                                    {"disabled", u.disabled},
                                    {"updated_at", format_rfc3339_millis(u.updated_at)}});
  field(out_, "user_id", std::to_string(u.id));
  field(out_, "tenant_user_id", u.uuid);
  field(out_, "tenant_id", u.tenant_id);
  field(out_, "email", u.email);
  field(out_, "disabled", u.disabled ? "true" : "false");
  field(out_, "updated_at", format_rfc3339_millis(u.updated_at));
}

void CommandOutput::tenants(const std::vector<store::TenantRecord>& list) {
  if (json_) {
    boost::json::array arr;
    for (const auto& t : list) arr.emplace_back(tenant_json(t));
    return emit(arr);
  }
  if (list.empty()) {
    out_ << "no tenants\n";
    return;
  }
  out_ << std::left << std::setw(38) << "ID" << std::setw(24) << "NAME" << std::setw(10) << "STATE"
       << std::setw(9) << "PARTNER" << "DISPLAY NAME\n";
  for (const auto& t : list)
    out_ << std::setw(38) << t.id << std::setw(24) << t.name << std::setw(10) << (t.disabled ? "disabled" : "enabled")
         << std::setw(9) << (t.partner_enabled ? "on" : "off") << t.display_name << '\n';
}

void CommandOutput::key(const store::ApiKeyRecord& k, std::int64_t now_micros) {
  if (json_) return emit(key_json(k, now_micros));
  field(out_, "id", k.id);
  field(out_, "tenant_id", k.tenant_id);
  field(out_, "name", k.name);
  field(out_, "prefix", k.prefix);
  field(out_, "scopes", joined(k.scopes, ","));
  field(out_, "status", key_status(k, now_micros));
  field(out_, "created_at", format_rfc3339_millis(k.created_at));
  field(out_, "expires_at", time_or(k.expires_at, "never"));
  field(out_, "deactivated_at", time_or(k.deactivated_at, "-"));
  field(out_, "revoked_at", time_or(k.revoked_at, "-"));
  field(out_, "last_used_at", time_or(k.last_used_at, "never"));
}

void CommandOutput::keys(const std::vector<store::ApiKeyRecord>& list, std::int64_t now_micros) {
  if (json_) {
    boost::json::array arr;
    for (const auto& k : list) arr.emplace_back(key_json(k, now_micros));
    return emit(arr);
  }
  if (list.empty()) {
    out_ << "no keys\n";
    return;
  }
  out_ << std::left << std::setw(38) << "ID" << std::setw(16) << "PREFIX" << std::setw(13) << "STATUS"
       << std::setw(26) << "EXPIRES_AT" << std::setw(44) << "SCOPES" << "NAME\n";
  for (const auto& k : list)
    out_ << std::setw(38) << k.id << std::setw(16) << k.prefix << std::setw(13) << key_status(k, now_micros)
         << std::setw(26) << time_or(k.expires_at, "never") << std::setw(44) << joined(k.scopes, ",") << k.name
         << '\n';
}

void CommandOutput::created_key(const CreatedKey& created) {
  if (json_) return emit(created_key_json(created));
  const auto& k = created.record;
  field(out_, "id", k.id);
  field(out_, "key", created.key);
  field(out_, "prefix", k.prefix);
  field(out_, "scopes", joined(k.scopes, ","));
  field(out_, "expires_at", time_or(k.expires_at, "never"));
  out_ << "The key is shown only now; store it safely.\n";
}

void CommandOutput::demo(const DemoResult& result, const std::string& curl_command) {
  if (json_) return emit(demo_json(result, curl_command));
  field(out_, "tenant", result.tenant.name + " (" + result.tenant.id + ")" + (result.tenant_created ? ", created" : ""));
  field(out_, "key", result.key.key);
  field(out_, "key_id", result.key.record.id);
  field(out_, "trader", result.trader.email + " (user_id " + std::to_string(result.trader.user_id) + ")");
  field(out_, "account_id", result.account.id + (result.account_created ? ", created" : ""));
  out_ << "The key is shown only now. With the server running (polysim serve), try:\n" << curl_command << '\n';
}

void CommandOutput::migrations(const std::vector<int>& applied) {
  if (json_) {
    boost::json::array versions;
    for (const int v : applied) versions.emplace_back(v);
    return emit(boost::json::object{{"applied", std::move(versions)}});
  }
  if (applied.empty()) {
    out_ << "database is up to date; no migrations applied\n";
    return;
  }
  out_ << "applied migrations:";
  for (const int v : applied) out_ << ' ' << v;
  out_ << '\n';
}

}  // namespace polysim::cli
