// The Trader API's trading calls, domain side (20-trader-api.md §9): ownership of accounts and
// orders, then the engine. Engine rejections become AuthFailure with the engine's code and
// status, so the surface renders every failure alike.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_failure.hpp"
#include "auth/identity_service.hpp"
#include "engine/engine.hpp"
#include "engine/position_math.hpp"
#include "store/engine_store.hpp"
#include "store/store.hpp"

namespace polysim::trader {

struct PlacedOrder {
  store::OrderRecord order;
  bool replayed = false;
};

struct OrderWithFills {
  store::OrderRecord order;
  std::vector<store::FillRecord> fills;
};

struct PositionView {
  store::PositionRecord position;
  engine::Mark mark;
  std::int64_t market_value = 0;
};

class TradingService {
 public:
  TradingService(store::Store& store, store::EngineStore& engine_store, engine::Engine& engine)
      : store_(store), engine_store_(engine_store), engine_(engine) {}

  PlacedOrder place(const auth::TraderPrincipal& who, engine::OrderRequest request);
  OrderWithFills order(const auth::TraderPrincipal& who, const std::string& order_id);
  store::OrderRecord cancel(const auth::TraderPrincipal& who, const std::string& order_id);
  std::vector<PositionView> positions(const auth::TraderPrincipal& who, const std::optional<std::string>& account_id,
                                      const std::optional<std::string>& market, bool open_only);

 private:
  store::AccountRecord owned_account(const auth::TraderPrincipal& who, const std::string& account_id);
  std::vector<std::string> own_account_ids(const auth::TraderPrincipal& who);

  store::Store& store_;
  store::EngineStore& engine_store_;
  engine::Engine& engine_;
};

// The engine's code as this surface's error: `error` is the code in lower case, except
// VALIDATION_FAILED, which is validation_error (400).
auth::AuthFailure engine_failure(const engine::EngineError& e);

}  // namespace polysim::trader
