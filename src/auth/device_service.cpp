#include "auth/device_service.hpp"

#include <algorithm>

#include "auth/auth_failure.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/token.hpp"

namespace polysim::auth {

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kDay = 86'400 * kSecond;
constexpr std::int64_t kDeviceLifetime = 365 * kDay;
constexpr std::int64_t kDeviceCodeLifetime = 600 * kSecond;
constexpr std::int64_t kApiKeyDefaultLifetime = 365 * kDay;
constexpr std::int64_t kApiKeyMinLifetime = 3600 * kSecond;
constexpr std::int64_t kApiKeyMaxLifetime = 730 * kDay;
constexpr int kMaxActiveApiKeys = 10;
// Twenty consonants: no vowels (no words), none that read alike.
constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

std::string format_user_code(std::string_view code) {
  return std::string(code.substr(0, 4)) + "-" + std::string(code.substr(4));
}

}  // namespace

DeviceService::DeviceService(store::IdentityStore& identity, store::DeviceStore& devices, Mailer& mailer,
                             const Clock& clock, std::string trader_app_url)
    : identity_(identity), devices_(devices), mailer_(mailer), clock_(clock), trader_app_url_(std::move(trader_app_url)) {}

DeviceFields DeviceService::checked_fields(std::optional<std::string> name, std::optional<std::string> platform,
                                           std::optional<std::string> app_version,
                                           std::optional<std::string> installation_id) {
  static const std::vector<std::string> platforms = {"windows", "macos", "linux", "ios", "android", "other"};
  if (!name || utf8_code_points(*name) < 1 || utf8_code_points(*name) > 80)
    throw validation_failure("deviceName", "must be 1 to 80 characters");
  if (!platform || std::find(platforms.begin(), platforms.end(), *platform) == platforms.end())
    throw validation_failure("platform", "must be one of windows, macos, linux, ios, android, other");
  if (!app_version || app_version->empty() || app_version->size() > 32)
    throw validation_failure("appVersion", "must be 1 to 32 characters");
  if (installation_id && !Uuid::parse(*installation_id))
    throw validation_failure("installationId", "must be a UUID");
  return DeviceFields{std::move(*name), std::move(*platform), std::move(*app_version), std::move(installation_id)};
}

store::DeviceRecord DeviceService::new_device(const DeviceFields& fields, std::string kind,
                                              std::vector<std::string> scopes, const std::string& token) {
  store::DeviceRecord d;
  d.id = ids_.next(clock_).to_string();
  d.kind = std::move(kind);
  d.name = fields.name;
  d.platform = fields.platform;
  d.app_version = fields.app_version;
  d.installation_id = fields.installation_id;
  d.prefix = token_prefix(token, "dt_");
  d.scopes = std::move(scopes);
  d.created_at = clock_.now_unix_micros();
  d.expires_at = d.created_at + kDeviceLifetime;
  return d;
}

DeviceIssued DeviceService::issue_desktop(const store::UserRecord& user, const DeviceFields& fields,
                                          std::string_view ip_group) {
  const auto token = generate_token("dt_");
  auto d = new_device(fields, "desktop", kDeviceScopes, token);
  d.tenant_id = user.tenant_id;
  d.user_id = user.id;
  auto mail = mailer_.compose(user, "new_device", "A desktop app was signed in",
                              "The desktop app \"" + fields.name + "\" was just signed in to your account. If this "
                              "was not you, revoke it in your device list and reset your password.");
  auto stored = devices_.upsert_device(d, token_hash_bytes(token), mail);
  identity_.remember_ip_group(user.id, ip_group, clock_.now_unix_micros());
  return DeviceIssued{token, std::move(stored), user};
}

std::optional<std::string> DeviceService::normalize_user_code(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (kUserCodeAlphabet.find(upper) == std::string_view::npos) return std::nullopt;
    out.push_back(upper);
  }
  if (out.size() != 8) return std::nullopt;
  return out;
}

DeviceCodeIssued DeviceService::start_device_login(const DeviceFields& fields, std::vector<std::string> scopes,
                                                   std::string_view ip_group) {
  for (const auto& s : scopes)
    if (std::find(kDeviceScopes.begin(), kDeviceScopes.end(), s) == kDeviceScopes.end())
      throw validation_failure("scopes", "unknown scope " + s);
  if (scopes.empty()) scopes = kDeviceScopes;
  store::DeviceAuthorization a;
  const auto device_code = generate_token("dc_");
  a.device_code_hash = token_hash_bytes(device_code);
  for (int i = 0; i < 8; ++i) a.user_code.push_back(kUserCodeAlphabet[random_u64() % kUserCodeAlphabet.size()]);
  a.name = fields.name;
  a.platform = fields.platform;
  a.app_version = fields.app_version;
  a.installation_id = fields.installation_id;
  a.scopes = std::move(scopes);
  a.requested_ip_group = std::string(ip_group);
  a.created_at = clock_.now_unix_micros();
  a.expires_at = a.created_at + kDeviceCodeLifetime;
  devices_.create_device_authorization(a);
  DeviceCodeIssued out;
  out.device_code = device_code;
  out.user_code = format_user_code(a.user_code);
  out.verification_uri = trader_app_url_ + "/device";
  out.verification_uri_complete = out.verification_uri + "?code=" + out.user_code;
  out.interval = a.interval_s;
  return out;
}

store::DeviceAuthorization DeviceService::describe(std::string_view user_code) {
  auto code = normalize_user_code(user_code);
  auto found = code ? devices_.find_device_authorization(*code, clock_.now_unix_micros()) : std::nullopt;
  if (!found) throw AuthFailure(404, "not_found", "No such device request, or it has expired.");
  return *found;
}

void DeviceService::decide(const store::UserRecord& user, std::string_view user_code, bool approve) {
  auto code = normalize_user_code(user_code);
  if (!code) throw AuthFailure(404, "not_found", "No such device request, or it has expired.");
  auto mail = mailer_.compose(user, "new_device", "A device was paired",
                              "A device was just paired with your account. If this was not you, revoke it in your "
                              "device list and reset your password.");
  switch (devices_.decide_device_authorization(*code, user.id, approve, clock_.now_unix_micros(), mail)) {
    case store::DecisionOutcome::Decided: return;
    case store::DecisionOutcome::NotFound: throw AuthFailure(404, "not_found", "No such device request, or it has expired.");
    case store::DecisionOutcome::AlreadyDecided:
      throw AuthFailure(409, "already_decided", "This device request was already approved or denied.");
  }
}

DeviceIssued DeviceService::poll(std::string_view device_code) {
  if (!is_well_formed_token(device_code, "dc_")) throw invalid_or_expired_token();
  const auto token = generate_token("dt_");
  const auto device = new_device(DeviceFields{}, "device", {}, token);
  auto poll = devices_.poll_device_authorization(token_hash_bytes(device_code), clock_.now_unix_micros(), device,
                                                 token_hash_bytes(token));
  using Kind = store::DevicePoll::Kind;
  switch (poll.kind) {
    case Kind::Invalid: throw invalid_or_expired_token();
    case Kind::Pending:
      throw AuthFailure(400, "authorization_pending", "The request has not been approved yet; keep polling.");
    case Kind::SlowDown: throw AuthFailure(400, "slow_down", "Polling too fast; wait five more seconds between polls.");
    case Kind::Denied: throw AuthFailure(403, "access_denied", "The request was denied.");
    case Kind::Approved: break;
  }
  auto user = identity_.find_user(*poll.authorization->decided_by);
  if (!user) throw invalid_or_expired_token();
  auto devices = devices_.list_devices(user->id, false);
  auto it = std::find_if(devices.begin(), devices.end(),
                         [&](const store::DeviceRecord& d) { return d.id == poll.authorization->device_id; });
  if (it == devices.end()) throw invalid_or_expired_token();
  return DeviceIssued{token, *it, *user};
}

std::vector<store::DeviceRecord> DeviceService::list(std::int64_t user_id, bool include_revoked) {
  return devices_.list_devices(user_id, include_revoked);
}

void DeviceService::revoke(std::int64_t user_id, std::string_view device_id) {
  if (!devices_.revoke_device(user_id, device_id, clock_.now_unix_micros()))
    throw AuthFailure(404, "not_found", "No such device.");
}

int DeviceService::revoke_all(std::int64_t user_id) {
  return devices_.revoke_user_devices(user_id, clock_.now_unix_micros());
}

ApiKeyIssued DeviceService::create_api_key(const store::UserRecord& user, std::string name,
                                           std::vector<std::string> scopes, std::optional<std::int64_t> expires_at) {
  if (utf8_code_points(name) < 1 || utf8_code_points(name) > 80) throw validation_failure("name", "must be 1 to 80 characters");
  if (scopes.empty()) throw validation_failure("scopes", "must name at least one scope");
  for (const auto& s : scopes)
    if (std::find(kApiKeyScopes.begin(), kApiKeyScopes.end(), s) == kApiKeyScopes.end())
      throw validation_failure("scopes", "unknown scope " + s);
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  const auto now = clock_.now_unix_micros();
  const auto until = expires_at.value_or(now + kApiKeyDefaultLifetime);
  if (until < now + kApiKeyMinLifetime || until > now + kApiKeyMaxLifetime)
    throw validation_failure("expiresAt", "must be between 1 hour and 730 days ahead");
  if (!user.email_verified_at) throw AuthFailure(403, "email_not_verified", "Verify your email address first.");
  if (devices_.count_active_api_keys(user.id, now) >= kMaxActiveApiKeys)
    throw AuthFailure(409, "api_key_limit_reached", "At most 10 active API keys; revoke one first.");
  ApiKeyIssued out;
  out.key = generate_token("ak_");
  auto& k = out.record;
  k.id = ids_.next(clock_).to_string();
  k.tenant_id = user.tenant_id;
  k.user_id = user.id;
  k.name = std::move(name);
  k.prefix = token_prefix(out.key, "ak_");
  k.scopes = std::move(scopes);
  k.created_at = now;
  k.expires_at = until;
  devices_.create_personal_api_key(k, token_hash_bytes(out.key));
  return out;
}

std::vector<store::PersonalApiKey> DeviceService::list_api_keys(std::int64_t user_id) {
  return devices_.list_personal_api_keys(user_id);
}

void DeviceService::revoke_api_key(std::int64_t user_id, std::string_view key_id) {
  if (!devices_.revoke_personal_api_key(user_id, key_id, clock_.now_unix_micros()))
    throw AuthFailure(404, "not_found", "No such API key.");
}

}  // namespace polysim::auth
