#include "engine/maker_fill.hpp"

#include <algorithm>

#include "core/decimal.hpp"

namespace polysim::engine {

namespace {

constexpr std::int64_t kOne = 1'000'000;

bool reaches(Side side, std::int64_t level_price, std::int64_t limit) {
  return side == Side::Buy ? level_price <= limit : level_price >= limit;
}

// L × M rounded the way the order's cumulative notional is: up for a BUY (cost), down for a
// SELL (proceeds). Differences of these telescope, so partial fills never drift.
std::optional<std::int64_t> cumulative_notional(Side side, std::int64_t limit, std::int64_t filled) {
  return mul_div(limit, filled, kOne, side == Side::Buy ? Rounding::Up : Rounding::Down);
}

}  // namespace

std::optional<std::int64_t> buy_reservation(std::int64_t limit, std::int64_t remaining) {
  return mul_div(limit, remaining, kOne, Rounding::Up);
}

std::optional<MakerFill> fill_resting(const RestingOrder& order, std::span<const BookLevel> opposite,
                                      std::span<const std::int64_t> already_taken, std::int64_t maker_fee_bps) {
  const std::int64_t remaining = order.size - order.filled;
  if (remaining <= 0) return std::nullopt;
  std::int64_t reachable = 0;
  for (std::size_t i = 0; i < opposite.size() && reachable < remaining; ++i) {
    if (!reaches(order.side, opposite[i].price, order.limit)) break;
    const std::int64_t taken = i < already_taken.size() ? already_taken[i] : 0;
    reachable += std::max<std::int64_t>(0, opposite[i].size - taken);
  }
  const std::int64_t size = std::min(remaining, reachable);
  if (size <= 0) return std::nullopt;
  auto before = cumulative_notional(order.side, order.limit, order.filled);
  auto after = cumulative_notional(order.side, order.limit, order.filled + size);
  auto fee = fill_fee(maker_fee_bps, size, order.limit);
  if (!before || !after || !fee) return std::nullopt;
  MakerFill fill;
  fill.size = size;
  fill.notional = *after - *before;
  fill.fee = *fee;
  fill.remaining = remaining - size;
  if (order.side == Side::Buy) {
    auto reserved = buy_reservation(order.limit, fill.remaining);
    if (!reserved) return std::nullopt;
    fill.buy_reservation = *reserved;
  }
  return fill;
}

std::int64_t default_taker_fee_bps(std::string_view category) {
  if (category == "crypto") return 700;
  if (category == "finance" || category == "politics" || category == "mentions" || category == "tech") return 400;
  if (category == "sports") return 300;
  if (category == "geopolitics") return 0;
  return 500;  // economics, culture, weather, other, and anything unknown
}

}  // namespace polysim::engine
