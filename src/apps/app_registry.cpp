#include "apps/app_registry.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "core/origin.hpp"

namespace polysim::apps {

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

bool has_control_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto ch = decode_utf8_char(s, i);
    if (ch.code_point < 0x20 || ch.code_point == 0x7f || (ch.code_point >= 0x80 && ch.code_point < 0xa0)) return true;
    i += ch.length > 0 ? ch.length : 1;
  }
  return false;
}

std::string origins_list(const std::vector<std::string>& origins) {
  boost::json::array a;
  for (const auto& o : origins) a.emplace_back(o);
  return boost::json::serialize(a);
}

store::AuditEntry audit_entry(std::string_view tenant_id, const AppActor& actor, std::string action,
                              std::string_view app_id, boost::json::object details, std::int64_t now) {
  store::AuditEntry e;
  e.tenant_id = std::string(tenant_id);
  e.actor_kind = actor.kind;
  e.actor_id = actor.email.empty() ? actor.id : actor.id + " " + actor.email;
  e.action = std::move(action);
  e.target = "app:" + std::string(app_id);
  if (!actor.ip.empty()) details["ip"] = actor.ip;
  if (!actor.request_id.empty()) details["requestId"] = actor.request_id;
  e.details_json = boost::json::serialize(details);
  e.at = now;
  return e;
}

AppInputError name_taken();

}  // namespace

AppInputError::AppInputError(std::vector<std::pair<std::string, std::string>> p)
    : std::runtime_error(p.empty() ? "invalid input" : p.front().first + ": " + p.front().second),
      problems(std::move(p)) {}

namespace {
AppInputError name_taken() {
  std::vector<std::pair<std::string, std::string>> problems;
  problems.emplace_back("name", "Another app of this tenant already has this name.");
  return AppInputError(std::move(problems));
}
}  // namespace

std::string new_app_id() {
  std::array<std::uint8_t, 12> bytes{};
  random_bytes(bytes);
  return "app_" + hex_encode(bytes);
}

bool is_app_id(std::string_view text) {
  if (text.size() != 28 || text.substr(0, 4) != "app_") return false;
  for (char c : text.substr(4))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

AppInput checked_app_input(const AppInput& input) {
  std::vector<std::pair<std::string, std::string>> problems;
  AppInput out;
  out.name = trimmed(input.name);
  if (!is_valid_utf8(out.name)) problems.emplace_back("name", "Name must be valid UTF-8.");
  else if (out.name.empty()) problems.emplace_back("name", "Enter a name.");
  else if (utf8_code_points(out.name) > kMaxAppNameChars)
    problems.emplace_back("name", "Name must be at most 80 characters.");
  else if (has_control_chars(out.name)) problems.emplace_back("name", "Name must not contain control characters.");
  for (const auto& raw : input.redirect_origins) {
    const auto text = trimmed(raw);
    if (text.empty()) continue;
    auto origin = Origin::parse(text);
    if (!origin) {
      problems.emplace_back("redirectOrigins", "\"" + json_escape(text) +
                                                   "\" is not a valid origin (https://host[:port], or http for "
                                                   "localhost).");
      continue;
    }
    if (std::find(out.redirect_origins.begin(), out.redirect_origins.end(), origin->str()) ==
        out.redirect_origins.end())
      out.redirect_origins.push_back(origin->str());
  }
  if (out.redirect_origins.size() > kMaxAppOrigins)
    problems.emplace_back("redirectOrigins", "At most 20 origins are allowed.");
  if (!problems.empty()) throw AppInputError(std::move(problems));
  return out;
}

store::AppRecord AppRegistry::create(std::string_view tenant_id, const AppInput& input, const AppActor& actor) {
  auto checked = checked_app_input(input);
  store::AppRecord app;
  app.id = new_app_id();
  app.tenant_id = std::string(tenant_id);
  app.name = std::move(checked.name);
  app.redirect_origins = std::move(checked.redirect_origins);
  app.created_at = app.updated_at = clock_.now_unix_micros();
  boost::json::object details{{"name", app.name}};
  details["redirectOrigins"] = boost::json::parse(origins_list(app.redirect_origins));
  const auto outcome = apps_.create_app(app, audit_entry(tenant_id, actor, "app.create", app.id, details, app.created_at));
  if (outcome == store::AppWriteOutcome::NameTaken)
    throw name_taken();
  return app;
}

store::AppRecord AppRegistry::update(std::string_view tenant_id, std::string_view app_id, const AppInput& input,
                                     const AppActor& actor) {
  auto before = find(tenant_id, app_id);
  auto checked = checked_app_input(input);
  const auto now = clock_.now_unix_micros();
  boost::json::object details{{"name", checked.name}};
  details["redirectOrigins"] = boost::json::parse(origins_list(checked.redirect_origins));
  if (before.name != checked.name) details["previousName"] = before.name;
  const auto outcome = apps_.update_app(tenant_id, app_id, checked.name, checked.redirect_origins, now,
                                        audit_entry(tenant_id, actor, "app.update", app_id, details, now));
  if (outcome == store::AppWriteOutcome::NameTaken)
    throw name_taken();
  if (outcome == store::AppWriteOutcome::NotFound) throw AppNotFound();
  return find(tenant_id, app_id);
}

store::GoLiveOutcome AppRegistry::go_live(std::string_view tenant_id, std::string_view app_id, const AppActor& actor) {
  const auto now = clock_.now_unix_micros();
  boost::json::object details;
  if (!actor.email.empty()) details["staffEmail"] = actor.email;
  const auto outcome = apps_.go_live(tenant_id, app_id, actor.email.empty() ? actor.id : actor.email, now,
                                     audit_entry(tenant_id, actor, "app.go_live", app_id, details, now));
  if (outcome == store::GoLiveOutcome::NotFound) throw AppNotFound();
  return outcome;
}

store::AppRecord AppRegistry::find(std::string_view tenant_id, std::string_view app_id) {
  auto app = apps_.find_app(app_id);
  if (!app || app->tenant_id != tenant_id) throw AppNotFound();
  return *app;
}

}  // namespace polysim::apps
