#include "cli/tenant_commands.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <charconv>
#include <variant>

#include "cli/audit_trail.hpp"
#include "core/decimal.hpp"
#include "core/json_writer.hpp"
#include "core/origin.hpp"

namespace polysim::cli {

namespace {

constexpr std::size_t kMaxTenantNameLength = 64;
constexpr std::size_t kMaxDisplayNameLength = 200;

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string_view describe(RedirectUrlError error) {
  switch (error) {
    case RedirectUrlError::Unparseable: return "not a valid URL";
    case RedirectUrlError::NotAbsolute: return "not an absolute URL";
    case RedirectUrlError::BadScheme: return "must be https (http only for localhost)";
    case RedirectUrlError::Userinfo: return "must not contain userinfo";
    case RedirectUrlError::Fragment: return "must not contain a fragment";
    case RedirectUrlError::TokenParameter: return "must not contain a 'token' query parameter";
    case RedirectUrlError::TooLong: return "longer than 2048 characters";
  }
  return "not allowed";
}

void validate_display_name(std::string_view text) {
  if (text.empty() || text.size() > kMaxDisplayNameLength)
    throw InvalidInput("display_name: 1 to " + std::to_string(kMaxDisplayNameLength) + " characters");
  if (!is_valid_utf8(text)) throw InvalidInput("display_name: not valid UTF-8");
  for (const unsigned char c : text)
    if (c < 0x20 || c == 0x7f) throw InvalidInput("display_name: control characters are not allowed");
}

void validate_balance_bounds(std::int64_t min, std::int64_t max) {
  if (min < kMinStartingBalanceFloor)
    throw InvalidInput("min_starting_balance: must be at least " + format_decimal(kMinStartingBalanceFloor, 2));
  if (max > kMaxStartingBalanceCeiling)
    throw InvalidInput("max_starting_balance: must be at most " + format_decimal(kMaxStartingBalanceCeiling, 2));
  if (min > max)
    throw InvalidInput("min_starting_balance (" + format_decimal(min, 2) + ") must not exceed max_starting_balance (" +
                       format_decimal(max, 2) + ")");
}

// The origin rule default_login_url shares with the partner API's redirect_url.
void validate_default_login_url(std::string_view url, const store::TenantRecord& tenant,
                                const std::string& trader_app_url) {
  auto checked = check_redirect_url(url);
  if (const auto* error = std::get_if<RedirectUrlError>(&checked))
    throw InvalidInput("default_login_url: " + std::string(describe(*error)));
  const auto& origin = std::get<Origin>(checked);
  const auto& listed = tenant.redirect_origins;
  if (std::find(listed.begin(), listed.end(), origin.str()) != listed.end()) return;
  if (auto app = origin_of_url(trader_app_url); app && *app == origin) return;
  throw InvalidInput("default_login_url: origin " + origin.str() +
                     " is neither one of the tenant's redirect origins nor the trader_app_url origin");
}

bool is_trader_app_origin(std::string_view origin, const std::string& trader_app_url) {
  auto app = origin_of_url(trader_app_url);
  return app && app->str() == origin;
}

std::string tenant_target(const store::TenantRecord& tenant) { return "tenant:" + tenant.id; }

}  // namespace

bool TenantSetInput::empty() const {
  return !display_name && !partner_enabled && !min_balance && !max_balance && !default_login_url &&
         !tenant_per_second && !tenant_per_minute && !key_per_second && !key_per_minute && !demo_starting_balance;
}

std::int64_t parse_usd_2dp(std::string_view field, std::string_view text) {
  const auto parsed = parse_decimal_or_error(text, 2);
  if (!parsed.ok()) {
    if (parsed.error == DecimalParseError::NegativeNotAllowed)
      throw InvalidInput(std::string(field) + ": must be positive");
    if (parsed.error == DecimalParseError::TooManyDecimals)
      throw InvalidInput(std::string(field) + ": at most 2 decimal places");
    throw InvalidInput(std::string(field) + ": " + quoted(text) + " is not an amount such as 100.00 (" +
                       std::string(polysim::describe(*parsed.error)) + ")");
  }
  if (parsed.scaled <= 0) throw InvalidInput(std::string(field) + ": must be greater than 0");
  return parsed.scaled;
}

std::int64_t parse_rate_limit(std::string_view field, std::string_view text) {
  std::int64_t value = 0;
  const bool digits_only =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!digits_only || error != std::errc() || end != text.data() + text.size() || value < kRateLimitMin ||
      value > kRateLimitMax)
    throw InvalidInput(std::string(field) + ": " + quoted(text) + " must be a whole number from " +
                       std::to_string(kRateLimitMin) + " to " + std::to_string(kRateLimitMax));
  return value;
}

bool parse_true_false(std::string_view field, std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  throw InvalidInput(std::string(field) + ": expected true or false, got " + quoted(text));
}

std::string normalise_origin(std::string_view text) {
  auto origin = Origin::parse(text);
  if (!origin)
    throw InvalidInput("redirect origin " + quoted(text) +
                       " is not an origin: expected scheme://host[:port] without path, query or userinfo; https, "
                       "or http for localhost, 127.0.0.1 and [::1]");
  return origin->str();
}

void validate_tenant_name(std::string_view name) {
  // Names are typed on command lines and looked up next to ids, so they stay plain and can
  // never be mistaken for a tenant id; lowercase only, so "Acme" and "acme" cannot coexist.
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  };
  const bool well_formed = !name.empty() && name.size() <= kMaxTenantNameLength &&
                           std::all_of(name.begin(), name.end(), allowed) && allowed(name.front()) &&
                           name.front() != '-' && name.front() != '.' && name.front() != '_';
  if (!well_formed)
    throw InvalidInput("name: " + quoted(name) + " must be 1 to " + std::to_string(kMaxTenantNameLength) +
                       " characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit");
  if (Uuid::parse(name)) throw InvalidInput("name: must not look like a tenant id");
}

store::TenantRecord create_tenant(CommandContext& context, const TenantCreateInput& input) {
  validate_tenant_name(input.name);
  store::TenantRecord tenant;
  tenant.name = input.name;
  tenant.display_name = input.display_name.value_or(input.name);
  validate_display_name(tenant.display_name);
  if (input.partner_enabled) tenant.partner_enabled = parse_true_false("partner_enabled", *input.partner_enabled);
  if (input.min_balance) tenant.min_starting_balance = parse_usd_2dp("min_starting_balance", *input.min_balance);
  if (input.max_balance) tenant.max_starting_balance = parse_usd_2dp("max_starting_balance", *input.max_balance);
  validate_balance_bounds(tenant.min_starting_balance, tenant.max_starting_balance);
  for (const auto& text : input.redirect_origins) {
    auto origin = normalise_origin(text);
    // Two spellings of one origin are one origin.
    if (std::find(tenant.redirect_origins.begin(), tenant.redirect_origins.end(), origin) ==
        tenant.redirect_origins.end())
      tenant.redirect_origins.push_back(std::move(origin));
  }
  if (tenant.redirect_origins.size() > kMaxRedirectOrigins)
    throw InvalidInput("redirect_origins: at most " + std::to_string(kMaxRedirectOrigins) + " origins");

  if (context.store.find_tenant(tenant.name)) throw InvalidInput("a tenant named " + quoted(tenant.name) + " exists");
  tenant.id = context.ids.next(context.clock).to_string();
  tenant.created_at = tenant.updated_at = context.clock.now_unix_micros();
  try {
    context.store.create_tenant(tenant);
  } catch (const store::UniqueViolation&) {
    // Another operator created it between our lookup and our insert.
    throw InvalidInput("a tenant named " + quoted(tenant.name) + " exists");
  }

  boost::json::array origins;
  for (const auto& o : tenant.redirect_origins) origins.emplace_back(o);
  record_audit(context, tenant.id, "tenant.create", tenant_target(tenant),
               {{"name", tenant.name},
                {"display_name", tenant.display_name},
                {"partner_enabled", tenant.partner_enabled},
                {"min_starting_balance", format_decimal(tenant.min_starting_balance, 2)},
                {"max_starting_balance", format_decimal(tenant.max_starting_balance, 2)},
                {"redirect_origins", std::move(origins)}});
  return tenant;
}

store::TenantRecord resolve_tenant(store::Store& store, std::string_view id_or_name) {
  auto tenant = store.find_tenant(id_or_name);
  if (!tenant) throw InvalidInput("no tenant with id or name " + quoted(id_or_name));
  return *tenant;
}

store::TenantRecord set_tenant(CommandContext& context, std::string_view id_or_name, const TenantSetInput& input) {
  if (input.empty()) throw InvalidInput("tenant set: give at least one setting to change");
  const auto before = resolve_tenant(context.store, id_or_name);
  auto tenant = before;
  boost::json::object changed;

  if (input.display_name) {
    validate_display_name(*input.display_name);
    tenant.display_name = *input.display_name;
    if (tenant.display_name != before.display_name) changed["display_name"] = tenant.display_name;
  }
  if (input.partner_enabled) {
    tenant.partner_enabled = parse_true_false("partner_enabled", *input.partner_enabled);
    if (tenant.partner_enabled != before.partner_enabled) changed["partner_enabled"] = tenant.partner_enabled;
  }
  const auto set_money = [&](const std::optional<std::string>& text, const char* field, std::int64_t& slot,
                             std::int64_t old_value) {
    if (!text) return;
    slot = parse_usd_2dp(field, *text);
    if (slot != old_value) changed[field] = format_decimal(slot, 2);
  };
  set_money(input.min_balance, "min_starting_balance", tenant.min_starting_balance, before.min_starting_balance);
  set_money(input.max_balance, "max_starting_balance", tenant.max_starting_balance, before.max_starting_balance);
  set_money(input.demo_starting_balance, "demo_starting_balance", tenant.demo_starting_balance,
            before.demo_starting_balance);
  // Checked on the combined result: setting only one bound must still respect the other.
  validate_balance_bounds(tenant.min_starting_balance, tenant.max_starting_balance);

  const auto set_limit = [&](const std::optional<std::string>& text, const char* field, std::int64_t& slot,
                             std::int64_t old_value) {
    if (!text) return;
    slot = parse_rate_limit(field, *text);
    if (slot != old_value) changed[field] = slot;
  };
  set_limit(input.tenant_per_second, "tenant_per_second", tenant.tenant_per_second, before.tenant_per_second);
  set_limit(input.tenant_per_minute, "tenant_per_minute", tenant.tenant_per_minute, before.tenant_per_minute);
  set_limit(input.key_per_second, "key_per_second", tenant.key_per_second, before.key_per_second);
  set_limit(input.key_per_minute, "key_per_minute", tenant.key_per_minute, before.key_per_minute);

  if (input.default_login_url) {
    if (input.default_login_url->empty()) {
      tenant.default_login_url.reset();
    } else {
      validate_default_login_url(*input.default_login_url, tenant, context.trader_app_url);
      tenant.default_login_url = *input.default_login_url;
    }
    if (tenant.default_login_url != before.default_login_url)
      changed["default_login_url"] =
          tenant.default_login_url ? boost::json::value(*tenant.default_login_url) : boost::json::value(nullptr);
  }

  if (changed.empty()) return before;
  tenant.updated_at = context.clock.now_unix_micros();
  context.store.update_tenant(tenant);
  record_audit(context, tenant.id, "tenant.update", tenant_target(tenant), {{"changed", std::move(changed)}});
  return tenant;
}

store::TenantRecord add_redirect_origin(CommandContext& context, std::string_view id_or_name,
                                        std::string_view origin_text) {
  auto tenant = resolve_tenant(context.store, id_or_name);
  const auto origin = normalise_origin(origin_text);
  auto& origins = tenant.redirect_origins;
  if (std::find(origins.begin(), origins.end(), origin) != origins.end()) return tenant;
  if (origins.size() >= kMaxRedirectOrigins)
    throw InvalidInput("redirect_origins: the tenant already has the maximum of " +
                       std::to_string(kMaxRedirectOrigins) + " origins");
  origins.push_back(origin);
  tenant.updated_at = context.clock.now_unix_micros();
  context.store.update_tenant(tenant);
  record_audit(context, tenant.id, "tenant.redirect_origin.add", tenant_target(tenant), {{"origin", origin}});
  return tenant;
}

store::TenantRecord remove_redirect_origin(CommandContext& context, std::string_view id_or_name,
                                           std::string_view origin_text) {
  auto tenant = resolve_tenant(context.store, id_or_name);
  const auto origin = normalise_origin(origin_text);
  auto& origins = tenant.redirect_origins;
  const auto it = std::find(origins.begin(), origins.end(), origin);
  if (it == origins.end()) throw InvalidInput("origin " + origin + " is not one of the tenant's redirect origins");
  if (tenant.default_login_url) {
    // Removing the origin would leave a landing URL that login links may no longer use.
    const auto landing = origin_of_url(*tenant.default_login_url);
    if (landing && landing->str() == origin && !is_trader_app_origin(origin, context.trader_app_url))
      throw InvalidInput("default_login_url " + *tenant.default_login_url +
                         " uses this origin; change or clear it first (tenant set --default-login-url)");
  }
  origins.erase(it);
  tenant.updated_at = context.clock.now_unix_micros();
  context.store.update_tenant(tenant);
  record_audit(context, tenant.id, "tenant.redirect_origin.remove", tenant_target(tenant), {{"origin", origin}});
  return tenant;
}

store::TenantRecord set_tenant_disabled(CommandContext& context, std::string_view id_or_name, bool disabled) {
  auto tenant = resolve_tenant(context.store, id_or_name);
  if (tenant.disabled == disabled) return tenant;
  tenant.disabled = disabled;
  tenant.updated_at = context.clock.now_unix_micros();
  context.store.update_tenant(tenant);
  record_audit(context, tenant.id, disabled ? "tenant.disable" : "tenant.enable", tenant_target(tenant), {});
  return tenant;
}

}  // namespace polysim::cli
