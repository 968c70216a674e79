// The engine's failure codes (40-trading-engine.md §4.2) with their default HTTP statuses. The
// surfaces render them; the engine itself knows nothing of HTTP beyond the status number.
#pragma once
#include <string_view>

namespace polysim::engine {

enum class EngineCode {
  ValidationFailed,
  AccountNotFound,
  DuplicateClientOrderId,
  AccountClosed,
  AccountBusy,
  MarketNotFound,
  MarketClosed,
  PriceRequired,
  InvalidPrice,
  InvalidTickSize,
  InvalidMinSize,
  AmountOutOfRange,
  InvalidExpiration,
  InsufficientPosition,
  StaleQuote,
  PostOnlyWouldCross,
  NoExecutableDepth,
  FokNotFilled,
  InsufficientBalance,
  OrderNotFound,
  OrderNotCancellable,
  OrdersNotCancelled,
  TradeInProgress,
  EngineUnavailable,
};

std::string_view code_name(EngineCode code);  // "INSUFFICIENT_BALANCE"
int default_status(EngineCode code);          // 400, 404, 409, 422, 503
// Business rejections that callers asking for `record_rejection` store as REJECTED orders.
bool is_business_rejection(EngineCode code);
// 503s that tell the client to retry after a second.
bool wants_retry_after(EngineCode code);

}  // namespace polysim::engine
