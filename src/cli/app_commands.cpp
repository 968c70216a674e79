#include "cli/app_commands.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "apps/app_json.hpp"
#include "apps/app_registry.hpp"
#include "core/time_format.hpp"

namespace polysim::cli {

namespace {

store::AppStore& app_store(CommandContext& context) {
  if (!context.apps) throw std::logic_error("app commands need the app store");
  return *context.apps;
}

store::TenantRecord tenant_or_throw(CommandContext& context, const std::string& tenant) {
  auto found = context.store.find_tenant(tenant);
  if (!found) throw InvalidInput("no tenant " + tenant);
  return *found;
}

}  // namespace

store::AppRecord create_app(CommandContext& context, const AppCreateInput& input) {
  const auto tenant = tenant_or_throw(context, input.tenant);
  apps::AppRegistry registry(app_store(context), context.clock);
  apps::AppActor actor{.kind = "cli", .id = context.actor_id, .email = {}, .ip = {}, .request_id = {}};
  try {
    return registry.create(tenant.id, apps::AppInput{input.name, input.redirect_origins}, actor);
  } catch (const apps::AppInputError& e) {
    std::string message;
    for (const auto& [field, text] : e.problems) {
      if (!message.empty()) message += "; ";
      message += (field == "redirectOrigins" ? std::string("--redirect-origin") : "--" + field) + ": " + text;
    }
    throw InvalidInput(message);
  }
}

std::vector<store::AppRecord> list_apps(CommandContext& context, const std::string& tenant) {
  return app_store(context).list_apps(tenant_or_throw(context, tenant).id);
}

store::AppRecord show_app(CommandContext& context, const std::string& app_id) {
  auto app = apps::is_app_id(app_id) ? app_store(context).find_app(app_id) : std::nullopt;
  if (!app) throw InvalidInput("no app " + app_id);
  return *app;
}

void print_app(std::ostream& out, bool json, const store::AppRecord& app) {
  if (json) {
    out << boost::json::serialize(apps::app_json(app)) << '\n';
    return;
  }
  std::string origins;
  for (const auto& o : app.redirect_origins) origins += (origins.empty() ? "" : ", ") + o;
  out << "id:                     " << app.id << '\n'
      << "tenant_id:              " << app.tenant_id << '\n'
      << "name:                   " << app.name << '\n'
      << "mode:                   " << (app.partner_agreement_signed ? "live" : "testing") << '\n'
      << "redirect_origins:       " << (origins.empty() ? "(none)" : origins) << '\n'
      << "users:                  " << app.user_count << (app.partner_agreement_signed ? "" : " / 20") << '\n'
      << "trades:                 " << app.trade_count << (app.partner_agreement_signed ? "" : " / 100") << '\n'
      << "created_at:             " << format_rfc3339_millis(app.created_at) << '\n';
  if (app.went_live_at)
    out << "went_live_at:           " << format_rfc3339_millis(*app.went_live_at) << " by "
        << app.went_live_by.value_or("") << '\n';
}

void print_apps(std::ostream& out, bool json, const std::vector<store::AppRecord>& list) {
  if (json) {
    boost::json::array arr;
    for (const auto& a : list) arr.emplace_back(apps::app_json(a));
    out << boost::json::serialize(arr) << '\n';
    return;
  }
  if (list.empty()) {
    out << "no apps\n";
    return;
  }
  for (const auto& a : list)
    out << a.id << "  " << (a.partner_agreement_signed ? "live   " : "testing") << "  " << a.user_count << " users  "
        << a.trade_count << " trades  " << a.name << '\n';
}

}  // namespace polysim::cli
