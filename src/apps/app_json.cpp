#include "apps/app_json.hpp"

#include <boost/json/array.hpp>

#include "core/time_format.hpp"

namespace polysim::apps {

boost::json::object app_json(const store::AppRecord& app) {
  boost::json::array origins;
  for (const auto& o : app.redirect_origins) origins.emplace_back(o);
  boost::json::object out;
  out["id"] = app.id;
  out["tenantId"] = app.tenant_id;
  out["name"] = app.name;
  out["allowedRedirectOrigins"] = std::move(origins);
  out["partnerAgreementSigned"] = app.partner_agreement_signed;
  out["mode"] = app.partner_agreement_signed ? "live" : "testing";
  out["createdAt"] = format_rfc3339_millis(app.created_at);
  if (app.went_live_at) out["wentLiveAt"] = format_rfc3339_millis(*app.went_live_at);
  else out["wentLiveAt"] = nullptr;
  if (app.went_live_by) out["wentLiveBy"] = *app.went_live_by;
  else out["wentLiveBy"] = nullptr;
  out["userCount"] = app.user_count;
  out["tradeCount"] = app.trade_count;
  return out;
}

}  // namespace polysim::apps
