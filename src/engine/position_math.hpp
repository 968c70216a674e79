// Average-cost positions and THE mark rule (40-trading-engine.md §6). Pure int64 micros:
// fills and settlements change a position; marks value it for every figure on every surface.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace polysim::engine {

struct PositionState {
  std::int64_t size = 0;        // share micros
  std::int64_t cost_basis = 0;  // USD micros, fees excluded
  std::int64_t realized_pnl = 0;
};

struct PositionChange {
  PositionState after;
  std::int64_t realized_pnl = 0;  // of this fill or settlement, net of fees
  std::int64_t released = 0;      // cost basis released by a sell or settlement
};

// A BUY adds size and notional to the cost basis; its realized P&L is −fee.
std::optional<PositionChange> apply_buy(const PositionState& position, std::int64_t size, std::int64_t notional,
                                        std::int64_t fee);
// A SELL of q out of Q releases ceil(cost_basis × q / Q), all of it when q = Q; realized P&L is
// notional − released − fee. nullopt when q exceeds the holding (no naked shorts) or on overflow.
std::optional<PositionChange> apply_sell(const PositionState& position, std::int64_t size, std::int64_t notional,
                                         std::int64_t fee);
// Settlement pays `payout` for the whole holding; realized P&L is payout − cost basis.
std::optional<PositionChange> apply_settlement(const PositionState& position, std::int64_t payout);

enum class MarkSource { Resolution, BestBid, LastBid, Entry };
std::string_view mark_source_name(MarkSource source);  // resolution, best_bid, last_bid, entry
MarkSource mark_source_from(std::string_view name);     // unknown → entry

struct Mark {
  std::int64_t price = 0;
  MarkSource source = MarkSource::Entry;
};

// First of: the resolution value (resolved, not yet settled), the fresh best bid, the last bid,
// the position's average entry price. Never mid, last trade or ask.
Mark mark_of(std::optional<std::int64_t> resolution_value, std::optional<std::int64_t> fresh_best_bid,
             std::optional<std::int64_t> last_bid, const PositionState& position);

// cost_basis / size in price micros, half-up (display); 0 for an empty position.
std::int64_t average_entry_price(const PositionState& position);
// size × mark, half-even.
std::optional<std::int64_t> market_value(std::int64_t size, std::int64_t mark);

}  // namespace polysim::engine
