#include "engine/engine_code.hpp"

namespace polysim::engine {

std::string_view code_name(EngineCode code) {
  switch (code) {
    case EngineCode::ValidationFailed: return "VALIDATION_FAILED";
    case EngineCode::AccountNotFound: return "ACCOUNT_NOT_FOUND";
    case EngineCode::DuplicateClientOrderId: return "DUPLICATE_CLIENT_ORDER_ID";
    case EngineCode::AccountClosed: return "ACCOUNT_CLOSED";
    case EngineCode::AccountBusy: return "ACCOUNT_BUSY";
    case EngineCode::MarketNotFound: return "MARKET_NOT_FOUND";
    case EngineCode::MarketClosed: return "MARKET_CLOSED";
    case EngineCode::PriceRequired: return "PRICE_REQUIRED";
    case EngineCode::InvalidPrice: return "INVALID_PRICE";
    case EngineCode::InvalidTickSize: return "INVALID_ORDER_MIN_TICK_SIZE";
    case EngineCode::InvalidMinSize: return "INVALID_ORDER_MIN_SIZE";
    case EngineCode::AmountOutOfRange: return "AMOUNT_OUT_OF_RANGE";
    case EngineCode::InvalidExpiration: return "INVALID_EXPIRATION";
    case EngineCode::InsufficientPosition: return "INSUFFICIENT_POSITION";
    case EngineCode::StaleQuote: return "STALE_QUOTE";
    case EngineCode::PostOnlyWouldCross: return "POST_ONLY_WOULD_CROSS";
    case EngineCode::NoExecutableDepth: return "NO_EXECUTABLE_DEPTH";
    case EngineCode::FokNotFilled: return "FOK_ORDER_NOT_FILLED_ERROR";
    case EngineCode::InsufficientBalance: return "INSUFFICIENT_BALANCE";
    case EngineCode::OrderNotFound: return "ORDER_NOT_FOUND";
    case EngineCode::OrderNotCancellable: return "ORDER_NOT_CANCELLABLE";
    case EngineCode::OrdersNotCancelled: return "ORDERS_NOT_CANCELLED";
    case EngineCode::TradeInProgress: return "TRADE_IN_PROGRESS";
    case EngineCode::EngineUnavailable: return "ENGINE_UNAVAILABLE";
  }
  return "ENGINE_UNAVAILABLE";
}

int default_status(EngineCode code) {
  switch (code) {
    case EngineCode::ValidationFailed: return 422;
    case EngineCode::AccountNotFound:
    case EngineCode::MarketNotFound:
    case EngineCode::OrderNotFound: return 404;
    case EngineCode::DuplicateClientOrderId:
    case EngineCode::AccountClosed:
    case EngineCode::AccountBusy:
    case EngineCode::OrdersNotCancelled:
    case EngineCode::TradeInProgress: return 409;
    case EngineCode::StaleQuote:
    case EngineCode::EngineUnavailable: return 503;
    default: return 400;
  }
}

bool is_business_rejection(EngineCode code) {
  switch (code) {
    case EngineCode::InsufficientBalance:
    case EngineCode::InsufficientPosition:
    case EngineCode::MarketClosed:
    case EngineCode::NoExecutableDepth:
    case EngineCode::FokNotFilled:
    case EngineCode::StaleQuote: return true;
    default: return false;
  }
}

bool wants_retry_after(EngineCode code) {
  return code == EngineCode::StaleQuote || code == EngineCode::EngineUnavailable ||
         code == EngineCode::TradeInProgress;
}

}  // namespace polysim::engine
