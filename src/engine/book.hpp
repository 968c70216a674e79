// A reference order book of one outcome token (40-trading-engine.md §3.1): an immutable snapshot
// replaced whole by each update. Every account sees the same snapshot; fills never consume it.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/taker_walk.hpp"

namespace polysim::engine {

inline constexpr int kMaxBookLevels = 50;

struct Book {
  std::string token_id;
  std::string market_id;
  std::int64_t seq = 0;
  std::vector<BookLevel> bids;  // descending
  std::vector<BookLevel> asks;  // ascending
  std::int64_t received_at = 0;  // µs, receive time: staleness is judged on it

  std::optional<std::int64_t> best_bid() const;
  std::optional<std::int64_t> best_ask() const;
};

using BookPtr = std::shared_ptr<const Book>;

// nullopt when the sides form a valid book on this tick: prices on the grid inside (0, 1), sizes
// > 0, bids strictly descending, asks strictly ascending, best bid < best ask, ≤ 50 per side.
std::optional<std::string> book_problem(const std::vector<BookLevel>& bids, const std::vector<BookLevel>& asks,
                                        std::int64_t tick);

// The complementary token's side: each price p becomes 1 − p, in the same order, so the best YES
// ask becomes the best NO bid (the NO bids mirror the YES asks and vice versa).
std::vector<BookLevel> mirror_side(const std::vector<BookLevel>& side);

// `stale_after_s` 0 means never stale.
bool is_fresh(const Book& book, std::int64_t stale_after_s, std::int64_t now);

}  // namespace polysim::engine
