#include "cli/key_commands.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "cli/audit_trail.hpp"
#include "cli/tenant_commands.hpp"
#include "core/crypto.hpp"
#include "core/time_format.hpp"
#include "core/token.hpp"

namespace polysim::cli {

namespace {

constexpr std::int64_t kMicrosPerMinute = 60'000'000;
constexpr std::int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr std::int64_t kMicrosPerYear = 365 * kMicrosPerDay;
// 9999-12-31T23:59:59.999999Z: timestamps past it cannot be written as RFC 3339.
constexpr std::int64_t kLatestTimestamp = 253'402'300'799'999'999;

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

boost::json::array scopes_json(const std::vector<std::string>& scopes) {
  boost::json::array out;
  for (const auto& s : scopes) out.emplace_back(s);
  return out;
}

void validate_key_name(std::string_view name) {
  if (name.size() > kMaxKeyNameLength)
    throw InvalidInput("key name: at most " + std::to_string(kMaxKeyNameLength) + " characters");
  for (const unsigned char c : name)
    if (c < 0x20 || c == 0x7f) throw InvalidInput("key name: control characters are not allowed");
}

}  // namespace

const std::vector<std::string>& all_key_scopes() {
  static const std::vector<std::string> scopes = {"users:write", "accounts:write", "accounts:read"};
  return scopes;
}

std::vector<std::string> parse_scopes(std::string_view text) {
  std::vector<bool> wanted(all_key_scopes().size(), false);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = std::min(text.find(',', pos), text.size());
    const auto item = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) continue;
    const auto& known = all_key_scopes();
    const auto it = std::find(known.begin(), known.end(), item);
    if (it == known.end())
      throw InvalidInput("scopes: unknown scope '" + item + "' (known: users:write, accounts:write, accounts:read)");
    wanted[static_cast<std::size_t>(it - known.begin())] = true;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i]) out.push_back(all_key_scopes()[i]);
  if (out.empty()) throw InvalidInput("scopes: give at least one of users:write, accounts:write, accounts:read");
  return out;
}

std::int64_t parse_expires_in(std::string_view text) {
  const auto fail = [&]() -> InvalidInput {
    return InvalidInput("expires-in: '" + std::string(text) +
                        "' must be a positive whole number followed by m (minutes), h, d or y, such as 90d");
  };
  if (text.size() < 2) throw fail();
  std::int64_t unit = 0;
  switch (text.back()) {
    case 'm': unit = kMicrosPerMinute; break;
    case 'h': unit = kMicrosPerHour; break;
    case 'd': unit = kMicrosPerDay; break;
    case 'y': unit = kMicrosPerYear; break;
    default: throw fail();
  }
  const auto digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) throw fail();
  std::int64_t count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  std::int64_t micros = 0;
  if (error != std::errc() || end != digits.data() + digits.size() || count < 1 ||
      __builtin_mul_overflow(count, unit, &micros))
    throw fail();
  return micros;
}

CreatedKey create_key(CommandContext& context, const KeyCreateInput& input) {
  const auto tenant = resolve_tenant(context.store, input.tenant);
  validate_key_name(input.name);
  const auto scopes = input.scopes ? parse_scopes(*input.scopes) : all_key_scopes();
  const auto now = context.clock.now_unix_micros();
  std::optional<std::int64_t> expires_at;
  if (input.expires_in) {
    const auto lifetime = parse_expires_in(*input.expires_in);
    if (lifetime > kLatestTimestamp - now) throw InvalidInput("expires-in: too far in the future");
    expires_at = now + lifetime;
  }

  CreatedKey created;
  created.key = generate_token(kTenantKeyTag);
  auto& record = created.record;
  record.id = context.ids.next(context.clock).to_string();
  record.tenant_id = tenant.id;
  record.name = input.name;
  record.prefix = created.key.substr(0, kKeyPrefixLength);
  record.scopes = scopes;
  record.created_at = now;
  record.expires_at = expires_at;

  const auto digest = sha256(created.key);
  const std::string key_hash(reinterpret_cast<const char*>(digest.data()), digest.size());
  context.store.create_api_key(record, key_hash);

  boost::json::object details{{"name", record.name}, {"prefix", record.prefix}, {"scopes", scopes_json(scopes)}};
  details["expires_at"] = expires_at ? boost::json::value(format_rfc3339_millis(*expires_at)) : nullptr;
  record_audit(context, tenant.id, "api_key.create", "api_key:" + record.id, details);
  return created;
}

std::vector<store::ApiKeyRecord> list_keys(store::Store& store, std::string_view tenant_id_or_name) {
  const auto tenant = resolve_tenant(store, tenant_id_or_name);
  return store.list_api_keys(tenant.id);
}

store::ApiKeyRecord change_key_state(CommandContext& context, std::string_view key_id, KeyStateChange change) {
  if (!Uuid::parse(key_id)) throw InvalidInput("'" + std::string(key_id) + "' is not a key id (a lowercase UUID)");
  auto found = context.store.find_api_key(key_id);
  if (!found) throw InvalidInput("no key with id " + std::string(key_id));
  auto key = *found;
  const auto now = context.clock.now_unix_micros();
  std::string action;
  switch (change) {
    case KeyStateChange::Deactivate:
      if (key.revoked_at) throw InvalidInput("key " + key.id + " is revoked; revocation is permanent");
      if (key.deactivated_at) return key;
      key.deactivated_at = now;
      action = "api_key.deactivate";
      break;
    case KeyStateChange::Reactivate:
      if (key.revoked_at)
        throw InvalidInput("key " + key.id + " is revoked and cannot be reactivated; create a new key");
      if (!key.deactivated_at) return key;
      key.deactivated_at.reset();
      action = "api_key.reactivate";
      break;
    case KeyStateChange::Revoke:
      if (key.revoked_at) return key;
      key.revoked_at = now;
      action = "api_key.revoke";
      break;
  }
  context.store.update_api_key_state(key);
  record_audit(context, key.tenant_id, action, "api_key:" + key.id, {{"prefix", key.prefix}});
  return key;
}

std::string key_status(const store::ApiKeyRecord& key, std::int64_t now_micros) {
  if (key.revoked_at) return "revoked";
  if (key.deactivated_at) return "deactivated";
  if (key.expires_at && *key.expires_at <= now_micros) return "expired";
  return "active";
}

}  // namespace polysim::cli
