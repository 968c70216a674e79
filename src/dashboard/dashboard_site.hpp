// The tenant Dashboard (30-partner-apps.md §9) as one blocking call per request: route, the
// form checks every POST meets (Origin, Sec-Fetch-Site, CSRF), the staff session, then one page.
// No HTTP machinery here: DashboardApi turns a request into a DashRequest and runs serve() on a
// pool thread, so every page is plain synchronous code.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "apps/app_registry.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "dashboard/staff_auth.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "limit/fail_open_guard.hpp"
#include "store/app_store.hpp"
#include "store/engine_store.hpp"
#include "store/identity_store.hpp"
#include "store/staff_store.hpp"
#include "store/store.hpp"

namespace polysim::engine {
class Engine;
}
namespace polysim::partner {
class KeyAuthenticator;
}

namespace polysim::dashboard {

struct DashRequest {
  http::Method method = http::Method::Get;
  std::string path;
  std::string query;
  std::string cookies;  // every Cookie header, joined with "; "
  std::optional<std::string> origin;
  std::optional<std::string> sec_fetch_site;
  std::string host;
  std::string content_type;
  std::string body;
  std::string ip;
  std::string request_id;
};

struct DashboardDeps {
  store::Store& store;
  store::StaffStore& staff;
  store::IdentityStore& identity;
  store::AppStore& app_store;
  apps::AppRegistry& apps;
  StaffAuth& auth;
  const Clock& clock;
  UuidV7Generator& ids;
  limit::FailOpenGuard* limiter = nullptr;     // login POSTs per IP; null: unlimited (tests)
  engine::Engine* engine = nullptr;            // equity at render; null: stored figures
  store::EngineStore* engine_store = nullptr;  // equity snapshots for the account chart
  partner::KeyAuthenticator* keys = nullptr;   // forgotten after a key changes here
};

struct DashboardSettings {
  std::string public_base_url;
  std::string partner_agreement_url;  // empty: no link on the Go Live page
};

enum class DashRoute {
  Home,
  Stylesheet,
  LoginForm,
  Login,
  Logout,
  Apps,
  NewApp,
  CreateApp,
  AppDetail,
  UpdateApp,
  GoLiveForm,
  GoLive,
  ApiKeys,
  CreateApiKey,
  DeactivateApiKey,
  ReactivateApiKey,
  RevokeApiKeyForm,
  RevokeApiKey,
  Users,
  DisableUser,
  EnableUser,
  Accounts,
  AccountDetail,
  Audit,
};

class DashboardSite {
 public:
  // `on_refusal` hears of each refused form (CSRF, Origin), for the log.
  DashboardSite(DashboardDeps deps, DashboardSettings settings,
                std::function<void(std::string_view why)> on_refusal = {});

  http::Response serve(const DashRequest& request);
  // Whether the request may hash a password (login POST), so it belongs on the auth pool.
  bool hashes_password(const DashRequest& request) const;
  std::uint64_t refused_forms() const { return refused_forms_.load(std::memory_order_relaxed); }

 private:
  http::Response route(const DashRequest& request);
  http::Response refuse_form(const DashRequest& request, std::string_view why);
  // The request's Origin and Sec-Fetch-Site allow a state change.
  bool same_origin(const DashRequest& request) const;
  http::Response login_form(const DashRequest& request);
  http::Response login(const DashRequest& request);

  DashboardDeps deps_;
  DashboardSettings settings_;
  std::function<void(std::string_view)> on_refusal_;
  bool secure_cookies_ = false;
  std::string public_origin_;
  http::Router<DashRoute> router_;
  std::atomic<std::uint64_t> refused_forms_{0};
};

bool is_dashboard_path(std::string_view path);

}  // namespace polysim::dashboard
