// Trading through an app (30-partner-apps.md §5.3, §7, §8): which account an end user trades,
// the trade-cap slot around each fill, and the engine's answers in this surface's terms. The
// engine never runs inside the cap transaction: prepare() reserves a slot, the engine places
// the order under the slot's id, finish() counts or releases it. Calls other than place_async
// block.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "apps/app_failure.hpp"
#include "apps/app_fill_body.hpp"
#include "apps/app_sign_in.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "engine/engine.hpp"
#include "store/app_store.hpp"
#include "store/engine_store.hpp"
#include "store/store.hpp"

namespace polysim::apps {

struct PreparedFill {
  engine::OrderRequest request;
  std::optional<std::string> slot;  // the reserved slot; also the order's id
  bool live = false;                // the app is live: count an accepted order without a slot
  bool replay = false;              // the clientOrderId was used before: nothing to count
};

// The §8 table: engine code → status, x-error-code, message.
AppFailure app_engine_failure(const engine::EngineError& error);

class AppTrading {
 public:
  AppTrading(store::Store& store, store::AppStore& apps, store::EngineStore& engine_store, engine::Engine& engine,
             const Clock& clock, std::function<void(std::string_view cap)> on_cap_refusal = {});

  // The account named (it must be the user's) or the user's app demo account, made on first use.
  store::AccountRecord account_for(const AppPrincipal& who, const std::optional<std::string>& account_id);
  PreparedFill prepare(const store::AppRecord& app, const AppPrincipal& who, FillInput input);
  void place_async(const PreparedFill& fill, std::function<void(engine::PlaceResult)> done);
  // §7 quote: the request bound to the user's account, then the engine's dry run. No cap, no slot.
  engine::OrderRequest quote_request(const AppPrincipal& who, FillInput input);
  void quote_async(const engine::OrderRequest& request, std::function<void(engine::PlaceResult)> done);
  // Counts the order toward the app's trades when the engine accepted it, else releases the slot.
  void finish(const PreparedFill& fill, const engine::PlaceResult& result);

 private:
  store::Store& store_;
  store::AppStore& apps_;
  store::EngineStore& engine_store_;
  engine::Engine& engine_;
  const Clock& clock_;
  std::function<void(std::string_view)> on_cap_refusal_;
  UuidV7Generator ids_;
};

}  // namespace polysim::apps
