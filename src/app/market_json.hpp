// The admin listener's rendering of markets and books: engine names in snake_case, decimals as
// strings, times in RFC 3339.
#pragma once
#include "core/json_writer.hpp"
#include "engine/market_board.hpp"

namespace polysim::app {

void write_admin_market(JsonWriter& w, const store::MarketRecord& m);
// {"YES": {"token_id","seq","stale","bids","asks"}, "NO": {…}} for the market's two tokens.
void write_admin_books(JsonWriter& w, const engine::MarketBoard& board, const store::MarketRecord& m, std::int64_t now);

}  // namespace polysim::app
