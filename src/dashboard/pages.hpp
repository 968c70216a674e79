// What a page of a signed-in staff member receives, and the pages themselves, one file per
// group (apps, API keys, users, accounts, audit). Pages validate input, call domain code
// (AppRegistry, key administration, stores) and render; they never see HTTP beyond this.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include "apps/app_registry.hpp"
#include "dashboard/dashboard_site.hpp"
#include "dashboard/form.hpp"
#include "dashboard/html.hpp"
#include "dashboard/respond.hpp"
#include "dashboard/staff_auth.hpp"
#include "partner/key_admin.hpp"

namespace polysim::dashboard {

// Thrown by a page for an id that is not the tenant's (or does not exist): 404.
struct PageNotFound : std::runtime_error {
  PageNotFound() : std::runtime_error("not found") {}
};

struct PageContext {
  const DashRequest& req;
  const http::PathParams& params;
  const StaffSession& who;
  DashboardDeps& deps;
  const DashboardSettings& settings;
  FormFields form;   // the POST body
  FormFields query;  // the query string
  std::string notice;  // the one-time notice, taken for this page

  Frame frame(std::string title, Section section) const;
  // 303 to `location`, with `notice` shown once there.
  http::Response redirect_with(const std::string& notice, std::string_view location) const;
  RequestOrigin request_origin() const { return {req.ip, req.request_id}; }
  apps::AppActor app_actor() const;
  partner::KeyActor key_actor() const;
};

http::Response apps_page(PageContext& ctx);
http::Response new_app_page(PageContext& ctx);
http::Response create_app(PageContext& ctx);
http::Response app_page(PageContext& ctx);
http::Response update_app(PageContext& ctx);
http::Response go_live_page(PageContext& ctx);
http::Response go_live(PageContext& ctx);

http::Response api_keys_page(PageContext& ctx);
http::Response create_api_key(PageContext& ctx);
http::Response change_api_key(PageContext& ctx, partner::KeyStateChange change);
http::Response revoke_api_key_page(PageContext& ctx);

http::Response users_page(PageContext& ctx);
http::Response set_user_disabled(PageContext& ctx, bool disabled);

http::Response accounts_page(PageContext& ctx);
http::Response account_page(PageContext& ctx);

http::Response audit_page(PageContext& ctx);

// The built-in stylesheet (≤ 8 KiB).
std::string_view stylesheet();

}  // namespace polysim::dashboard
