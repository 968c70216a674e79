// What every operator command needs besides its own input: the store it writes, the clock
// that stamps records, the id generator, and who to name in the audit log. The CLI wiring
// builds one per process; tests build one around a temporary database and a ManualClock.
#pragma once
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/app_store.hpp"
#include "store/engine_command_store.hpp"
#include "store/engine_store.hpp"
#include "store/identity_store.hpp"
#include "store/store.hpp"

namespace polysim::cli {

// The operator's input is wrong (bad value, unknown tenant or key, forbidden transition).
// The CLI prints the message and exits 2, so scripts can tell it from an outage.
struct InvalidInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the store or the system failed; retrying may help
inline constexpr int kExitInvalid = 2;

struct CommandContext {
  store::Store& store;
  const Clock& clock;
  UuidV7Generator& ids;
  std::string actor_id;  // audit actor (actor_kind is always "cli")
  // default_login_url may also point at the trader front end, so validation needs it.
  std::string trader_app_url;
  // Users' credentials and state; null where a command does not need them.
  store::IdentityStore* identity = nullptr;
  // The market list and the engine_commands queue (`polysim market`); null where not needed.
  store::EngineStore* engine = nullptr;
  store::EngineCommandStore* engine_commands = nullptr;
  // Partner apps (`polysim app`); null where not needed.
  store::AppStore* apps = nullptr;
};

}  // namespace polysim::cli
