// The Dashboard's objects, built together so the composition root adds one line for them:
// its app registry, id generator, staff sign-in, the site and its HTTP entry.
#pragma once
#include <functional>
#include <string_view>

#include "apps/app_registry.hpp"
#include "auth/password_hashing.hpp"
#include "core/uuid.hpp"
#include "dashboard/dashboard_api.hpp"
#include "dashboard/dashboard_site.hpp"
#include "dashboard/staff_auth.hpp"

namespace polysim::dashboard {

struct DashboardStores {
  store::Store& store;
  store::StaffStore& staff;
  store::IdentityStore& identity;
  store::AppStore& apps;
  store::EngineStore& engine_store;
};

class Dashboard {
 public:
  Dashboard(DashboardStores stores, auth::PasswordHashing& hashing, const Clock& clock, limit::FailOpenGuard* limiter,
            engine::Engine* engine, partner::KeyAuthenticator* keys, http::BlockingPool& pool,
            http::BlockingPool& auth_pool, DashboardSettings settings,
            std::function<void(std::string_view)> on_refusal = {})
      : apps_(stores.apps, clock),
        auth_(stores.store, stores.staff, hashing, clock),
        site_(DashboardDeps{stores.store, stores.staff, stores.identity, stores.apps, apps_, auth_, clock, ids_, limiter,
                            engine, &stores.engine_store, keys},
              std::move(settings), std::move(on_refusal)),
        api_(site_, pool, auth_pool) {}

  DashboardApi& api() { return api_; }
  DashboardSite& site() { return site_; }

 private:
  apps::AppRegistry apps_;
  UuidV7Generator ids_;
  StaffAuth auth_;
  DashboardSite site_;
  DashboardApi api_;
};

}  // namespace polysim::dashboard
