#include "engine/book.hpp"

#include <algorithm>

namespace polysim::engine {

namespace {
constexpr std::int64_t kOne = 1'000'000;

std::optional<std::string> side_problem(const std::vector<BookLevel>& side, std::int64_t tick, bool descending,
                                        const char* name) {
  if (side.size() > static_cast<std::size_t>(kMaxBookLevels)) return std::string(name) + " has more than 50 levels";
  for (std::size_t i = 0; i < side.size(); ++i) {
    const auto& level = side[i];
    if (level.price <= 0 || level.price >= kOne) return std::string(name) + " price outside (0, 1)";
    if (level.price % tick != 0) return std::string(name) + " price off the tick grid";
    if (level.size <= 0) return std::string(name) + " size must be positive";
    if (i > 0) {
      const bool ordered = descending ? side[i - 1].price > level.price : side[i - 1].price < level.price;
      if (!ordered) return std::string(name) + " must be sorted best first without duplicates";
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::int64_t> Book::best_bid() const {
  if (bids.empty()) return std::nullopt;
  return bids.front().price;
}

std::optional<std::int64_t> Book::best_ask() const {
  if (asks.empty()) return std::nullopt;
  return asks.front().price;
}

std::optional<std::string> book_problem(const std::vector<BookLevel>& bids, const std::vector<BookLevel>& asks,
                                        std::int64_t tick) {
  if (tick <= 0) return "invalid tick";
  if (auto p = side_problem(bids, tick, true, "bids")) return p;
  if (auto p = side_problem(asks, tick, false, "asks")) return p;
  if (!bids.empty() && !asks.empty() && bids.front().price >= asks.front().price)
    return "best bid must be below best ask";
  return std::nullopt;
}

std::vector<BookLevel> mirror_side(const std::vector<BookLevel>& side) {
  std::vector<BookLevel> out;
  out.reserve(side.size());
  for (const auto& level : side) out.push_back(BookLevel{kOne - level.price, level.size});
  return out;
}

bool is_fresh(const Book& book, std::int64_t stale_after_s, std::int64_t now) {
  if (stale_after_s <= 0) return true;
  return now - book.received_at <= stale_after_s * 1'000'000;
}

}  // namespace polysim::engine
