#include "engine/taker_walk.hpp"

#include <algorithm>

#include "core/decimal.hpp"

namespace polysim::engine {

namespace {

constexpr std::int64_t kOne = 1'000'000;              // 1.0 in micros
constexpr std::int64_t kBpsScale = 10'000;
constexpr std::int64_t kBudgetSlack = 2;              // §5.3: the 0.000002 kept back per level
constexpr std::int64_t kNotionalTolerance = 10'000;   // $0.01 left unspent still counts as filled

bool within_bound(Side side, std::int64_t price, std::int64_t bound) {
  return side == Side::Buy ? price <= bound : price >= bound;
}

std::optional<std::int64_t> fill_notional(Side side, std::int64_t price, std::int64_t size) {
  return mul_div(price, size, kOne, side == Side::Buy ? Rounding::Up : Rounding::Down);
}

// Shares a budget buys at one level's all-in price p + r·p·(1 − p), rounded down, computed as
// one quotient: (budget − slack) · 10^16 / (p · 10^10 + bps · p · (1 − p)).
std::optional<std::int64_t> shares_for_budget(std::int64_t budget, std::int64_t price, std::int64_t fee_bps) {
  if (budget <= kBudgetSlack) return 0;
  auto fee_part = product_div({fee_bps, price, kOne - price}, 1, Rounding::Down);
  auto price_part = mul_div(price, kBpsScale * kOne, 1, Rounding::Down);
  if (!fee_part || !price_part) return std::nullopt;
  auto denominator = add(*price_part, *fee_part);
  if (!denominator || *denominator <= 0) return std::nullopt;
  return product_div({budget - kBudgetSlack, kBpsScale * kOne * kOne}, *denominator, Rounding::Down);
}

}  // namespace

std::optional<std::int64_t> fill_fee(std::int64_t fee_bps, std::int64_t size, std::int64_t price) {
  if (fee_bps == 0) return 0;
  return product_div({fee_bps, size, price, kOne - price}, kBpsScale * kOne * kOne, Rounding::Up);
}

TakerWalk walk_book(const TakerOrder& order, std::span<const BookLevel> opposite,
                    std::span<const std::int64_t> already_taken) {
  TakerWalk walk;
  const bool by_budget = order.side == Side::Buy && order.notional && !order.size;
  std::int64_t wanted = order.size.value_or(0);
  std::int64_t budget = order.notional.value_or(0);
  if ((!by_budget && wanted <= 0) || (by_budget && budget <= 0)) {
    walk.outcome = WalkOutcome::AmountOutOfRange;
    return walk;
  }
  for (std::size_t i = 0; i < opposite.size(); ++i) {
    const auto& level = opposite[i];
    if (!within_bound(order.side, level.price, order.bound)) break;
    const std::int64_t taken = i < already_taken.size() ? already_taken[i] : 0;
    const std::int64_t available = level.size - taken;
    if (available <= 0) continue;
    std::int64_t size = 0;
    if (by_budget) {
      auto affordable = shares_for_budget(budget, level.price, order.fee_bps);
      if (!affordable) {
        walk.outcome = WalkOutcome::AmountOutOfRange;
        return walk;
      }
      size = std::min(*affordable, available);
    } else {
      size = std::min(wanted - walk.filled_size, available);
    }
    if (size <= 0) break;
    auto notional = fill_notional(order.side, level.price, size);
    auto fee = fill_fee(order.fee_bps, size, level.price);
    if (!notional || !fee) {
      walk.outcome = WalkOutcome::AmountOutOfRange;
      return walk;
    }
    walk.fills.push_back(TakerFill{level.price, size, *notional, *fee});
    walk.filled_size += size;
    walk.notional += *notional;
    walk.fees += *fee;
    if (by_budget) {
      budget -= *notional + *fee;
    } else if (walk.filled_size == wanted) {
      break;
    }
  }
  const bool complete = by_budget ? budget <= kNotionalTolerance : walk.filled_size == wanted;
  if (walk.fills.empty()) {
    walk = TakerWalk{};
    walk.outcome = WalkOutcome::NoExecutableDepth;
  } else if (complete) {
    walk.outcome = WalkOutcome::Filled;
  } else if (order.fill_or_kill) {
    walk = TakerWalk{};
    walk.outcome = WalkOutcome::FokNotFilled;
  } else {
    walk.outcome = WalkOutcome::PartiallyFilled;
  }
  return walk;
}

}  // namespace polysim::engine
