// Partner apps as tenants' staff and operators manage them (30-partner-apps.md §1, §6):
// create, rename and re-list origins, and the one-way Go Live. Used by the CLI and the
// Dashboard alike, so both validate and audit the same way.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/app_store.hpp"
#include "store/store.hpp"

namespace polysim::apps {

inline constexpr std::size_t kMaxAppNameChars = 80;
inline constexpr std::size_t kMaxAppOrigins = 20;

// What a person typed; every problem is listed, by field, in the order of the form.
struct AppInput {
  std::string name;
  std::vector<std::string> redirect_origins;
};

struct AppInputError : std::runtime_error {
  std::vector<std::pair<std::string, std::string>> problems;  // field, message
  explicit AppInputError(std::vector<std::pair<std::string, std::string>> p);
};

struct AppNotFound : std::runtime_error {
  AppNotFound() : std::runtime_error("no such app") {}
};

// Who acts, for the audit log.
struct AppActor {
  std::string kind;  // staff | cli
  std::string id;    // staff id or operator name
  std::string email;  // staff only: went_live_by
  std::string ip;
  std::string request_id;
};

// app_ + 24 lowercase hex characters (96 random bits).
std::string new_app_id();
bool is_app_id(std::string_view text);

// Trims the name, normalises and deduplicates the origins; throws AppInputError.
AppInput checked_app_input(const AppInput& input);

class AppRegistry {
 public:
  AppRegistry(store::AppStore& apps, const Clock& clock) : apps_(apps), clock_(clock) {}

  store::AppRecord create(std::string_view tenant_id, const AppInput& input, const AppActor& actor);
  store::AppRecord update(std::string_view tenant_id, std::string_view app_id, const AppInput& input,
                          const AppActor& actor);
  // WentLive, or AlreadyLive changing nothing; throws AppNotFound for another tenant's app.
  store::GoLiveOutcome go_live(std::string_view tenant_id, std::string_view app_id, const AppActor& actor);
  // The tenant's app, or AppNotFound.
  store::AppRecord find(std::string_view tenant_id, std::string_view app_id);

 private:
  store::AppStore& apps_;
  const Clock& clock_;
};

}  // namespace polysim::apps
