// Immediate (taker) execution against one side of a book snapshot (40-trading-engine.md §5.3,
// §5.6): best level first while within the order's bound, one fill per level at the level's
// price, fees per fill, FOK / FAK outcomes. A pure function of its inputs, so replaying the same
// book and orders yields the same fills. All quantities are int64 micros.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace polysim::engine {

enum class Side { Buy, Sell };

struct BookLevel {
  std::int64_t price = 0;  // price micros, on the market's tick grid
  std::int64_t size = 0;   // share micros displayed
};

struct TakerOrder {
  Side side = Side::Buy;
  std::optional<std::int64_t> size;      // share micros; or
  std::optional<std::int64_t> notional;  // USD micros to spend, market BUY only
  std::int64_t bound = 0;                // worst (market) or limit price micros
  bool fill_or_kill = true;              // else fill-and-kill
  std::int64_t fee_bps = 0;
};

struct TakerFill {
  std::int64_t price = 0;
  std::int64_t size = 0;
  std::int64_t notional = 0;  // BUY rounded up (cost), SELL down (proceeds)
  std::int64_t fee = 0;       // rounded up
};

enum class WalkOutcome {
  Filled,             // the whole size (or the budget, to within a cent) was taken
  PartiallyFilled,    // FAK: the rest ends fak_remainder
  FokNotFilled,       // FOK_ORDER_NOT_FILLED_ERROR: nothing happens
  NoExecutableDepth,  // NO_EXECUTABLE_DEPTH
  AmountOutOfRange,   // AMOUNT_OUT_OF_RANGE
};

struct TakerWalk {
  WalkOutcome outcome = WalkOutcome::NoExecutableDepth;
  std::vector<TakerFill> fills;  // in walk order; empty unless Filled or PartiallyFilled
  std::int64_t filled_size = 0;
  std::int64_t notional = 0;
  std::int64_t fees = 0;
};

// `opposite`: asks ascending for a BUY, bids descending for a SELL. `already_taken[i]`: what this
// account took from level i on this snapshot already (§5.2); may be shorter than `opposite`.
TakerWalk walk_book(const TakerOrder& order, std::span<const BookLevel> opposite,
                    std::span<const std::int64_t> already_taken = {});

// fee = ceil(rate × size × p × (1 − p)) in one rounding (§5.6). nullopt on overflow.
std::optional<std::int64_t> fill_fee(std::int64_t fee_bps, std::int64_t size, std::int64_t price);

}  // namespace polysim::engine
