// Resting (maker) execution of a limit order on a book update (40-trading-engine.md §5.4) and
// the default fee schedule (§5.6). Pure functions over int64 micros.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "engine/taker_walk.hpp"

namespace polysim::engine {

struct RestingOrder {
  Side side = Side::Buy;
  std::int64_t limit = 0;   // price micros
  std::int64_t size = 0;    // share micros ordered
  std::int64_t filled = 0;  // share micros filled so far (the cumulative maker size M)
};

struct MakerFill {
  std::int64_t size = 0;
  std::int64_t notional = 0;  // telescoping: the exact drop of a BUY's reservation
  std::int64_t fee = 0;
  std::int64_t remaining = 0;
  std::int64_t buy_reservation = 0;  // USD still reserved by a BUY after the fill; 0 for a SELL
};

// USD a resting BUY reserves for `remaining` shares at its limit: ceil(L × remaining).
std::optional<std::int64_t> buy_reservation(std::int64_t limit, std::int64_t remaining);

// One fill of the order on this update, or nullopt when the book does not reach its limit
// (touching counts) or nothing is left at or through it after this snapshot's depletion.
// `opposite` best first; `already_taken[i]` as for walk_book.
std::optional<MakerFill> fill_resting(const RestingOrder& order, std::span<const BookLevel> opposite,
                                      std::span<const std::int64_t> already_taken, std::int64_t maker_fee_bps);

// Default taker fee by market category, in bps; unknown categories pay 500.
std::int64_t default_taker_fee_bps(std::string_view category);

}  // namespace polysim::engine
