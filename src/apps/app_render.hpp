// The App API's JSON (30-partner-apps.md §4.1, §7, §8): token bodies, the user, markets with
// renamed fields, order books, §8 orders, positions and balances, and the error body.
#pragma once
#include <string>
#include <vector>

#include "apps/app_sign_in.hpp"
#include "auth/identity_service.hpp"
#include "core/json_writer.hpp"
#include "engine/account_view.hpp"
#include "engine/account_executor.hpp"
#include "engine/market_board.hpp"
#include "store/engine_records.hpp"
#include "store/records.hpp"
#include "trader/trading_service.hpp"

namespace polysim::apps {

// {"statusCode":n,"message":"…"}, keys in that order and nothing else.
std::string error_body(int status, std::string_view message);
std::string token_body(const AppTokens& tokens);
std::string challenge_body(const auth::MfaChallenge& challenge);

struct MeView {
  store::UserRecord user;
  std::optional<std::string> external_id;
  std::vector<engine::AccountView> accounts;
  std::string demo_account_id;  // the app demo account, if it exists
};
std::string me_body(const MeView& me);

void write_app_market(JsonWriter& w, const store::MarketRecord& m, const engine::MarketBoard& board);
std::string orderbook_body(const store::MarketRecord& m, bool yes, int depth, const engine::MarketBoard& board,
                           std::int64_t now);

struct AppOrderView {
  store::OrderRecord order;
  std::vector<store::FillRecord> fills;
  std::string market_question;
};
void write_app_order(JsonWriter& w, const AppOrderView& view);
std::string app_order_body(const AppOrderView& view);

std::string sign_in_body(const AppSignInResult& result);
std::string positions_body(const std::vector<trader::PositionView>& rows, const engine::MarketBoard& board);
std::string balances_body(const engine::AccountView& v);
std::string markets_body(const std::vector<engine::MarketPtr>& rows, const std::optional<std::string>& next,
                         const engine::MarketBoard& board);
std::string market_body(const store::MarketRecord& m, const engine::MarketBoard& board);
std::string orders_body(const std::vector<AppOrderView>& rows, const std::optional<std::string>& next);
std::string oidc_start_body(const std::string& url);
// §7 quote: what placing the request now would do. Throws AppFailure for an unknown market or
// account; every other engine refusal is canExecute:false with its reason.
std::string quote_body(const engine::OrderRequest& request, const engine::PlaceResult& result,
                       const engine::MarketBoard& board, std::int64_t now);

}  // namespace polysim::apps
