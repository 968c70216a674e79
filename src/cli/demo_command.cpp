#include "cli/demo_command.hpp"

#include <algorithm>
#include <boost/json/object.hpp>

#include "cli/audit_trail.hpp"
#include "cli/tenant_commands.hpp"
#include "core/decimal.hpp"

namespace polysim::cli {

namespace {

// A demo tenant an operator disabled or narrowed is put back, since the point of the command
// is a curl line that works.
store::TenantRecord ensure_demo_tenant(CommandContext& context, bool& created) {
  created = false;
  auto existing = context.store.find_tenant(kDemoTenantName);
  if (!existing) {
    TenantCreateInput input;
    input.name = std::string(kDemoTenantName);
    input.display_name = "Demo";
    input.partner_enabled = "true";
    input.redirect_origins = {std::string(kDemoRedirectOrigin)};
    created = true;
    return create_tenant(context, input);
  }
  const auto& id = existing->id;
  if (existing->disabled) set_tenant_disabled(context, id, false);
  if (!existing->partner_enabled) {
    TenantSetInput enable;
    enable.partner_enabled = "true";
    set_tenant(context, id, enable);
  }
  const auto& origins = existing->redirect_origins;
  if (std::find(origins.begin(), origins.end(), kDemoRedirectOrigin) == origins.end())
    add_redirect_origin(context, id, kDemoRedirectOrigin);
  return resolve_tenant(context.store, id);
}

store::PartnerUserRecord ensure_demo_trader(CommandContext& context, const store::TenantRecord& tenant) {
  store::PartnerUserCreate request;
  request.tenant_id = tenant.id;
  request.external_id = std::string(kDemoTraderExternalId);
  request.email = std::string(kDemoTraderEmail);
  request.metadata_json = "{}";
  request.new_user_uuid = Uuid::v4().to_string();
  request.now = context.clock.now_unix_micros();
  // Every outcome names a usable trader of this tenant: the new one, the one already mapped
  // to the external id, or the one already holding the email.
  auto [outcome, trader] = context.store.create_partner_user(request);
  if (outcome == store::PartnerUserOutcome::Created)
    record_audit(context, tenant.id, "user.create", "user:" + trader.tenant_user_id,
                 {{"user_id", trader.user_id}, {"external_id", trader.external_id}, {"email", trader.email}});
  return trader;
}

std::pair<store::AccountRecord, bool> ensure_demo_account(CommandContext& context, const store::TenantRecord& tenant,
                                                          const store::PartnerUserRecord& trader) {
  const auto now = context.clock.now_unix_micros();
  store::AccountRecord account;
  account.id = context.ids.next(context.clock).to_string();
  account.tenant_id = tenant.id;
  account.user_id = trader.user_id;
  account.external_id = std::string(kDemoAccountExternalId);
  account.governed = true;
  account.stage = std::string(kDemoAccountStage);
  account.starting_balance = kDemoAccountStartingBalance;
  account.cash = kDemoAccountStartingBalance;
  account.peak_equity = kDemoAccountStartingBalance;
  account.min_equity = kDemoAccountStartingBalance;
  account.day_start_equity = kDemoAccountStartingBalance;
  account.day_low_equity = kDemoAccountStartingBalance;
  account.day_start_at = now;
  account.created_at = now;
  account.updated_at = now;
  auto [outcome, stored] = context.store.create_account(account);
  const bool created = outcome == store::CreateOutcome::Created;
  if (created)
    record_audit(context, tenant.id, "account.create", "account:" + stored.id,
                 {{"external_id", *stored.external_id},
                  {"user_id", stored.user_id},
                  {"stage", stored.stage},
                  {"starting_balance", format_decimal(stored.starting_balance, 2)}});
  return {stored, created};
}

}  // namespace

DemoResult seed_demo(CommandContext& context) {
  DemoResult result;
  result.tenant = ensure_demo_tenant(context, result.tenant_created);
  KeyCreateInput key;
  key.tenant = result.tenant.id;
  key.name = "demo";
  result.key = create_key(context, key);
  result.trader = ensure_demo_trader(context, result.tenant);
  std::tie(result.account, result.account_created) = ensure_demo_account(context, result.tenant, result.trader);
  return result;
}

std::string demo_curl_command(const DemoResult& result, const HostPort& listen) {
  // A server bound to every interface is still reached through loopback.
  HostPort target = listen;
  if (target.host == "0.0.0.0") target.host = "127.0.0.1";
  if (target.host == "::") target.host = "::1";
  return "curl -s -H 'X-API-Key: " + result.key.key + "' http://" + target.str() + "/v1/partner/accounts/" +
         result.account.id;
}

}  // namespace polysim::cli
