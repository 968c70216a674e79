#include "partner/key_admin.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "core/crypto.hpp"
#include "core/time_format.hpp"
#include "core/token.hpp"

namespace polysim::partner {

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
    throw KeyInputError("key name: at most " + std::to_string(kMaxKeyNameLength) + " characters");
  for (const unsigned char c : name)
    if (c < 0x20 || c == 0x7f) throw KeyInputError("key name: control characters are not allowed");
}

void audit(store::Store& store, const Clock& clock, const KeyActor& actor, const std::string& tenant_id,
           std::string action, const std::string& key_id, boost::json::object details) {
  store::AuditEntry entry;
  entry.tenant_id = tenant_id;
  entry.actor_kind = actor.kind;
  entry.actor_id = actor.id;
  entry.action = std::move(action);
  entry.target = "api_key:" + key_id;
  if (!actor.ip.empty()) details["ip"] = actor.ip;
  if (!actor.request_id.empty()) details["requestId"] = actor.request_id;
  entry.details_json = boost::json::serialize(details);
  entry.at = clock.now_unix_micros();
  store.append_audit(entry);
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
      throw KeyInputError("scopes: unknown scope '" + item + "' (known: users:write, accounts:write, accounts:read)");
    wanted[static_cast<std::size_t>(it - known.begin())] = true;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i]) out.push_back(all_key_scopes()[i]);
  if (out.empty()) throw KeyInputError("scopes: give at least one of users:write, accounts:write, accounts:read");
  return out;
}

std::int64_t parse_expires_in(std::string_view text) {
  const auto fail = [&]() -> KeyInputError {
    return KeyInputError("expires-in: '" + std::string(text) +
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

CreatedKey create_tenant_key(store::Store& store, const Clock& clock, UuidV7Generator& ids, const NewKey& input,
                             const KeyActor& actor) {
  validate_key_name(input.name);
  std::vector<std::string> scopes;
  for (const auto& known : all_key_scopes())
    if (input.scopes.empty() || std::find(input.scopes.begin(), input.scopes.end(), known) != input.scopes.end())
      scopes.push_back(known);
  for (const auto& s : input.scopes)
    if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) throw KeyInputError("scopes: unknown scope '" + s + "'");
  const auto now = clock.now_unix_micros();
  std::optional<std::int64_t> expires_at;
  if (input.lifetime) {
    if (*input.lifetime < 1) throw KeyInputError("expires-in: must be positive");
    if (*input.lifetime > kLatestTimestamp - now) throw KeyInputError("expires-in: too far in the future");
    expires_at = now + *input.lifetime;
  }

  CreatedKey created;
  created.key = generate_token(kTenantKeyTag);
  auto& record = created.record;
  record.id = ids.next(clock).to_string();
  record.tenant_id = input.tenant_id;
  record.name = input.name;
  record.prefix = created.key.substr(0, kKeyPrefixLength);
  record.scopes = scopes;
  record.created_at = now;
  record.expires_at = expires_at;

  const auto digest = sha256(created.key);
  const std::string key_hash(reinterpret_cast<const char*>(digest.data()), digest.size());
  store.create_api_key(record, key_hash);

  boost::json::object details{{"name", record.name}, {"prefix", record.prefix}, {"scopes", scopes_json(scopes)}};
  details["expires_at"] = expires_at ? boost::json::value(format_rfc3339_millis(*expires_at)) : nullptr;
  audit(store, clock, actor, record.tenant_id, "api_key.create", record.id, std::move(details));
  return created;
}

store::ApiKeyRecord change_tenant_key_state(store::Store& store, const Clock& clock, store::ApiKeyRecord key,
                                            KeyStateChange change, const KeyActor& actor) {
  const auto now = clock.now_unix_micros();
  std::string action;
  switch (change) {
    case KeyStateChange::Deactivate:
      if (key.revoked_at) throw KeyInputError("key " + key.id + " is revoked; revocation is permanent");
      if (key.deactivated_at) return key;
      key.deactivated_at = now;
      action = "api_key.deactivate";
      break;
    case KeyStateChange::Reactivate:
      if (key.revoked_at)
        throw KeyInputError("key " + key.id + " is revoked and cannot be reactivated; create a new key");
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
  store.update_api_key_state(key);
  audit(store, clock, actor, key.tenant_id, std::move(action), key.id, {{"prefix", key.prefix}});
  return key;
}

std::string key_status(const store::ApiKeyRecord& key, std::int64_t now_micros) {
  if (key.revoked_at) return "revoked";
  if (key.deactivated_at) return "deactivated";
  if (key.expires_at && *key.expires_at <= now_micros) return "expired";
  return "active";
}

}  // namespace polysim::partner
