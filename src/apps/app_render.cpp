#include "apps/app_render.hpp"

#include "apps/app_trading.hpp"
#include "core/decimal.hpp"
#include "core/time_format.hpp"
#include "engine/account_view.hpp"

namespace polysim::apps {

namespace {

std::string price(std::int64_t v) { return format_decimal(v, 0); }
std::string shares(std::int64_t v) { return format_decimal(v, 0); }

void opt_price(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  w.key(key);
  if (v) w.string(price(*v));
  else w.null();
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// The engine's status in this surface's words (§8).
std::string order_status(const store::OrderRecord& o) {
  if (o.status == "OPEN") return o.filled_size > 0 ? "partially_filled" : "open";
  if (o.status == "FILLED") return "filled";
  if (o.status == "CANCELLED") return o.filled_size == 0 && o.order_type == "market" ? "rejected" : "cancelled";
  if (o.status == "EXPIRED") return "expired";
  return "rejected";
}

// The reason a rejected order was recorded with, as this surface's x-error-code.
std::string rejection_reason(const std::string& engine_code) {
  if (engine_code == "INSUFFICIENT_BALANCE") return "insufficient_funds";
  if (engine_code == "INSUFFICIENT_POSITION") return "insufficient_position";
  if (engine_code == "MARKET_CLOSED") return "market_closed";
  if (engine_code == "NO_EXECUTABLE_DEPTH") return "no_liquidity";
  if (engine_code == "FOK_ORDER_NOT_FILLED_ERROR") return "fok_not_filled";
  if (engine_code == "STALE_QUOTE") return "stale_quote";
  return lower(engine_code);
}

void write_outcome(JsonWriter& w, const char* outcome, const std::string& token, const engine::MarketBoard& board) {
  auto book = board.book(token);
  const auto bid = book ? book->best_bid() : std::nullopt;
  const auto ask = book ? book->best_ask() : std::nullopt;
  w.begin_object();
  w.key("outcome"); w.string(outcome);
  w.key("tokenId"); w.string(token);
  opt_price(w, "bestBid", bid);
  opt_price(w, "bestAsk", ask);
  w.key("midpoint");
  if (bid && ask) w.string(price(mul_div(*bid + *ask, 1, 2, Rounding::HalfEven).value_or(0)));
  else w.null();
  w.key("lastPrice"); w.null();
  w.end_object();
}

}  // namespace

std::string error_body(int status, std::string_view message) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("statusCode"); w.number(status);
  w.key("message"); w.string(message);
  w.end_object();
  return out;
}

std::string token_body(const AppTokens& t) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("accessToken"); w.string(t.tokens.access_token);
  w.key("refreshToken"); w.string(t.tokens.refresh_token);
  w.key("expiresIn"); w.number(900);
  w.key("user");
  w.begin_object();
  w.key("id"); w.string(t.user.uuid);
  w.key("userId"); w.number(t.user.id);
  w.end_object();
  w.end_object();
  return out;
}

std::string challenge_body(const auth::MfaChallenge& c) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("mfaRequired"); w.boolean(true);
  w.key("mfaToken"); w.string(c.token);
  w.key("expiresIn"); w.number(c.expires_in);
  w.key("methods");
  w.begin_array();
  w.string("totp");
  w.string("backup_code");
  w.end_array();
  w.end_object();
  return out;
}

std::string me_body(const MeView& me) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("id"); w.string(me.user.uuid);
  w.key("userId"); w.number(me.user.id);
  w.key("email"); w.string(me.user.email);
  w.key("externalId");
  if (me.external_id) w.string(*me.external_id);
  else w.null();
  w.key("createdAt"); w.string(format_rfc3339_millis(me.user.created_at));
  w.key("accounts");
  w.begin_array();
  w.begin_object();
  w.key("type"); w.string("email");
  w.key("provider"); w.string("email");
  w.key("providerAccountId"); w.string(me.user.email);
  w.end_object();
  w.end_array();
  w.key("paperAccounts");
  w.begin_array();
  for (const auto& v : me.accounts) {
    w.begin_object();
    w.key("id"); w.string(v.account.id);
    w.key("stage"); w.string(v.account.stage);
    w.key("status"); w.string(v.account.status);
    w.key("isDefault"); w.boolean(v.account.id == me.demo_account_id);
    w.key("startingBalance"); w.string(engine::usd(v.account.starting_balance));
    w.key("cash"); w.string(engine::usd(v.account.cash));
    w.key("equity"); w.string(engine::usd(v.equity));
    w.end_object();
  }
  w.end_array();
  w.key("username"); w.null();
  w.key("avatarUrl"); w.null();
  w.key("wallets"); w.begin_array(); w.end_array();
  w.end_object();
  return out;
}

void write_app_market(JsonWriter& w, const store::MarketRecord& m, const engine::MarketBoard& board) {
  w.begin_object();
  w.key("id"); w.string(m.id);
  w.key("slug"); w.string(m.slug);
  w.key("question"); w.string(m.question);
  w.key("category"); w.string(m.category);
  w.key("status"); w.string(m.status);
  w.key("closesAt");
  if (m.end_date) w.string(format_rfc3339_millis(*m.end_date));
  else w.null();
  w.key("tickSize"); w.string(price(m.tick_size));
  w.key("minOrderSize"); w.string(shares(m.min_order_size));
  w.key("outcomes");
  w.begin_array();
  write_outcome(w, "YES", m.yes_token_id, board);
  write_outcome(w, "NO", m.no_token_id, board);
  w.end_array();
  w.end_object();
}

std::string orderbook_body(const store::MarketRecord& m, bool yes, int depth, const engine::MarketBoard& board,
                           std::int64_t now) {
  auto book = board.book(yes ? m.yes_token_id : m.no_token_id);
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("marketId"); w.string(m.id);
  w.key("outcome"); w.string(yes ? "YES" : "NO");
  auto side = [&](const char* name, const std::vector<engine::BookLevel>* levels) {
    w.key(name);
    w.begin_array();
    if (levels) {
      int n = 0;
      for (const auto& l : *levels) {
        if (n++ >= depth) break;
        w.begin_object();
        w.key("price"); w.string(price(l.price));
        w.key("size"); w.string(shares(l.size));
        w.end_object();
      }
    }
    w.end_array();
  };
  side("bids", book ? &book->bids : nullptr);
  side("asks", book ? &book->asks : nullptr);
  w.key("asOf"); w.string(format_rfc3339_millis(book ? book->received_at : now));
  w.end_object();
  return out;
}

void write_app_order(JsonWriter& w, const AppOrderView& v) {
  const auto& o = v.order;
  w.begin_object();
  w.key("id"); w.string(o.order_id);
  w.key("clientOrderId");
  if (o.client_order_id) w.string(*o.client_order_id);
  else w.null();
  w.key("accountId"); w.string(o.account_id);
  w.key("appId");
  if (o.app_id) w.string(*o.app_id);
  else w.null();
  w.key("marketId"); w.string(o.market_id);
  w.key("marketQuestion"); w.string(v.market_question);
  w.key("outcome"); w.string(o.outcome);
  w.key("side"); w.string(lower(o.side));
  w.key("type"); w.string(o.order_type);
  w.key("timeInForce"); w.string(o.time_in_force);
  w.key("status"); w.string(order_status(o));
  opt_price(w, "limitPrice", o.limit_price);
  w.key("slippageBps"); w.null();
  w.key("requestedSize");
  if (o.notional) w.null();
  else w.string(shares(o.size));
  w.key("requestedAmount");
  if (o.notional) w.string(engine::usd(*o.notional));
  else w.null();
  w.key("filledSize"); w.string(shares(o.filled_size));
  w.key("avgPrice");
  if (o.filled_size > 0)
    w.string(format_fixed(mul_div(o.filled_notional, 1'000'000, o.filled_size, Rounding::HalfUp).value_or(0), 6,
                          Rounding::HalfUp));
  else w.null();
  w.key("notional"); w.string(format_decimal(o.filled_notional, 2));
  w.key("fees"); w.string(format_decimal(o.fees, 2));
  if (o.status == "REJECTED") {
    const auto code = o.end_reason.value_or("REJECTED");
    w.key("reason"); w.string(rejection_reason(code));
    w.key("errorMessage"); w.string(code);
  }
  w.key("createdAt"); w.string(format_rfc3339_millis(o.created_at));
  w.key("updatedAt"); w.string(format_rfc3339_millis(o.updated_at));
  w.key("fills");
  w.begin_array();
  for (const auto& f : v.fills) {
    w.begin_object();
    w.key("id"); w.string(f.trade_id);
    w.key("price"); w.string(price(f.price));
    w.key("size"); w.string(shares(f.size));
    w.key("fee"); w.string(format_decimal(f.fee, 2));
    w.key("createdAt"); w.string(format_rfc3339_millis(f.filled_at));
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string app_order_body(const AppOrderView& view) {
  std::string out;
  JsonWriter w(out);
  write_app_order(w, view);
  return out;
}

std::string sign_in_body(const AppSignInResult& result) {
  return result.tokens ? token_body(*result.tokens) : challenge_body(*result.challenge);
}

std::string positions_body(const std::vector<trader::PositionView>& rows, const engine::MarketBoard& board) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("data");
  w.begin_array();
  for (const auto& row : rows) {
    const auto& p = row.position;
    auto market = board.market(p.market_id);
    w.begin_object();
    w.key("accountId"); w.string(p.account_id);
    w.key("marketId"); w.string(p.market_id);
    w.key("marketQuestion"); w.string(market ? market->question : "");
    w.key("outcome"); w.string(p.outcome);
    w.key("size"); w.string(format_decimal(p.size, 0));
    w.key("avgEntryPrice");
    if (p.size > 0)
      w.string(format_fixed(mul_div(p.cost_basis, 1'000'000, p.size, Rounding::HalfUp).value_or(0), 6, Rounding::HalfUp));
    else w.null();
    w.key("currentPrice"); w.string(format_decimal(row.mark.price, 0));
    w.key("marketValue"); w.string(engine::usd(row.market_value));
    w.key("unrealizedPnl"); w.string(engine::usd(row.market_value - p.cost_basis));
    w.key("realizedPnl"); w.string(engine::usd(p.realized_pnl));
    w.key("updatedAt"); w.string(format_rfc3339_millis(p.updated_at));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

std::string balances_body(const engine::AccountView& v) {
  const auto& a = v.account;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("accountId"); w.string(a.id);
  w.key("currency"); w.string("USD");
  w.key("startingBalance"); w.string(engine::usd(a.starting_balance));
  w.key("cash"); w.string(engine::usd(a.cash));
  w.key("reserved"); w.string(engine::usd(a.reserved));
  w.key("available"); w.string(engine::usd(a.cash - a.reserved));
  w.key("positionsValue"); w.string(engine::usd(v.positions_value));
  w.key("equity"); w.string(engine::usd(v.equity));
  w.key("realizedPnl"); w.string(engine::usd(a.realized_pnl));
  w.key("unrealizedPnl"); w.string(engine::usd(v.unrealized_pnl));
  w.key("asOf"); w.string(format_rfc3339_millis(v.as_of));
  w.end_object();
  return out;
}

std::string markets_body(const std::vector<engine::MarketPtr>& rows, const std::optional<std::string>& next,
                         const engine::MarketBoard& board) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("data");
  w.begin_array();
  for (const auto& m : rows) write_app_market(w, *m, board);
  w.end_array();
  w.key("nextCursor");
  if (next) w.string(*next);
  else w.null();
  w.key("hasMore"); w.boolean(next.has_value());
  w.end_object();
  return out;
}

std::string market_body(const store::MarketRecord& m, const engine::MarketBoard& board) {
  std::string out;
  JsonWriter w(out);
  write_app_market(w, m, board);
  return out;
}

std::string orders_body(const std::vector<AppOrderView>& rows, const std::optional<std::string>& next) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("data");
  w.begin_array();
  for (const auto& o : rows) write_app_order(w, o);
  w.end_array();
  w.key("nextCursor");
  if (next) w.string(*next);
  else w.null();
  w.key("hasMore"); w.boolean(next.has_value());
  w.end_object();
  return out;
}

std::string oidc_start_body(const std::string& url) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("type");
  w.string("redirect");
  w.key("url");
  w.string(url);
  w.end_object();
  return out;
}

std::string quote_body(const engine::OrderRequest& request, const engine::PlaceResult& result,
                       const engine::MarketBoard& board, std::int64_t now) {
  if (result.error && (result.error->code == engine::EngineCode::MarketNotFound ||
                       result.error->code == engine::EngineCode::AccountNotFound))
    throw app_engine_failure(*result.error);
  auto market = board.market(request.market);
  engine::BookPtr book;
  if (market) book = board.book(request.outcome == engine::Outcome::Yes ? market->yes_token_id : market->no_token_id);
  std::int64_t size = 0, notional = 0, fees = 0;
  for (const auto& f : result.fills) {
    size += f.size;
    notional += f.notional;
    fees += f.fee;
  }
  const bool buy = request.side == engine::Side::Buy;
  std::optional<std::int64_t> bound = request.limit_price ? request.limit_price : request.worst_price;
  if (!bound && result.order) bound = result.order->limit_price ? result.order->limit_price : result.order->worst_price;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("canExecute"); w.boolean(!result.error);
  w.key("reason");
  if (result.error) w.string(app_engine_failure(*result.error).code);
  else w.null();
  opt_price(w, "limitPrice", bound);
  w.key("estimatedSize"); w.string(shares(size));
  w.key("estimatedAvgPrice");
  if (size > 0)
    w.string(format_fixed(mul_div(notional, 1'000'000, size, Rounding::HalfUp).value_or(0), 6, Rounding::HalfUp));
  else w.null();
  w.key("estimatedFees"); w.string(format_decimal(fees, 2));
  // A buy costs its notional plus fees; a sell's figure is what it would bring in after fees.
  w.key("estimatedCost"); w.string(format_decimal(buy ? notional + fees : notional - fees, 2));
  opt_price(w, "bestBid", book ? book->best_bid() : std::nullopt);
  opt_price(w, "bestAsk", book ? book->best_ask() : std::nullopt);
  w.key("asOf"); w.string(format_rfc3339_millis(book ? book->received_at : now));
  w.end_object();
  return out;
}

}  // namespace polysim::apps
