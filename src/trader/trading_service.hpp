// The Trader API's trading calls, domain side (20-trader-api.md §9): ownership of accounts and
// orders, then the engine. Engine rejections become AuthFailure with the engine's code and
// status, so the surface renders every failure alike.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/auth_failure.hpp"
#include "auth/identity_service.hpp"
#include "core/cursor_codec.hpp"
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

// A position with its mark now (OPEN) or as it ended (mark at close or reset).
PositionView position_view(store::PositionRecord position, const engine::MarketBoard& board, std::int64_t now);

template <class Row>
struct TraderPage {
  std::vector<Row> rows;
  std::optional<std::string> next_cursor;
};

struct OrderListRequest {
  std::optional<std::string> account_id;
  std::optional<std::string> status = "OPEN";  // nullopt: all
  std::optional<std::string> market;           // id or slug
  std::optional<std::string> client_order_id;
  int limit = 100;
  std::string cursor;
};

struct FillListRequest {
  std::optional<std::string> account_id;
  std::optional<std::string> market;
  std::optional<std::int64_t> since;
  std::optional<std::int64_t> until;
  int limit = 100;
  std::string cursor;
};

struct MarketListRequest {
  std::optional<std::string> status = "open";  // nullopt: all
  std::optional<std::string> q;                // in the question or slug, any case
  std::optional<std::string> category;
  int limit = 50;
  std::string cursor;
};

struct EquityRequest {
  std::int64_t from = 0;  // µs, first boundary at or after it
  std::int64_t to = 0;
  std::int64_t interval = 0;  // µs: an hour or a day
};

struct EquityPoint {
  std::int64_t at = 0;  // the boundary
  store::SnapshotRecord snapshot;
};

struct AccountDetail {
  engine::AccountView view;
};

class TradingService {
 public:
  TradingService(store::Store& store, store::EngineStore& engine_store, engine::Engine& engine, CursorCodec cursors)
      : store_(store), engine_store_(engine_store), engine_(engine), cursors_(std::move(cursors)) {}

  // Never blocks: `done` hears the order, or the failure to render, from the engine's writer
  // thread once the order is durable. The engine checks that the account is the trader's.
  void place_async(const auth::TraderPrincipal& who, engine::OrderRequest request,
                   std::function<void(std::variant<PlacedOrder, auth::AuthFailure>)> done);
  OrderWithFills order(const auth::TraderPrincipal& who, const std::string& order_id);
  store::OrderRecord cancel(const auth::TraderPrincipal& who, const std::string& order_id);
  std::vector<PositionView> positions(const auth::TraderPrincipal& who, const std::optional<std::string>& account_id,
                                      const std::optional<std::string>& market, bool open_only);

  // status: active | closed | all.
  std::vector<engine::AccountView> accounts(const auth::TraderPrincipal& who, std::string_view status);
  engine::AccountView account(const auth::TraderPrincipal& who, const std::string& account_id);
  std::vector<EquityPoint> equity(const auth::TraderPrincipal& who, const std::string& account_id,
                                  const EquityRequest& request);
  TraderPage<store::OrderRecord> orders(const auth::TraderPrincipal& who, const OrderListRequest& request);
  TraderPage<store::FillRecord> fills(const auth::TraderPrincipal& who, const FillListRequest& request);
  TraderPage<engine::MarketPtr> markets(const MarketListRequest& request);
  engine::MarketPtr market(const std::string& id_or_slug);
  engine::MarketBoard& board() { return engine_.board(); }
  std::int64_t now() const { return engine_.now(); }

 private:
  store::AccountRecord owned_account(const auth::TraderPrincipal& who, const std::string& account_id);
  std::vector<std::string> own_account_ids(const auth::TraderPrincipal& who);

  store::Store& store_;
  store::EngineStore& engine_store_;
  engine::Engine& engine_;
  CursorCodec cursors_;
};

// The engine's code as this surface's error: `error` is the code in lower case, except
// VALIDATION_FAILED, which is validation_error (400).
auth::AuthFailure engine_failure(const engine::EngineError& e);

}  // namespace polysim::trader
