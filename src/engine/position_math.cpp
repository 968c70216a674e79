#include "engine/position_math.hpp"

#include "core/decimal.hpp"

namespace polysim::engine {

namespace {
constexpr std::int64_t kOne = 1'000'000;
}  // namespace

std::optional<PositionChange> apply_buy(const PositionState& p, std::int64_t size, std::int64_t notional,
                                        std::int64_t fee) {
  auto new_size = add(p.size, size);
  auto new_cost = add(p.cost_basis, notional);
  auto new_realized = sub(p.realized_pnl, fee);
  if (!new_size || !new_cost || !new_realized || size <= 0) return std::nullopt;
  return PositionChange{PositionState{*new_size, *new_cost, *new_realized}, -fee, 0};
}

std::optional<PositionChange> apply_sell(const PositionState& p, std::int64_t size, std::int64_t notional,
                                         std::int64_t fee) {
  if (size <= 0 || size > p.size) return std::nullopt;
  auto released = size == p.size ? std::optional<std::int64_t>(p.cost_basis)
                                 : mul_div(p.cost_basis, size, p.size, Rounding::Up);
  if (!released) return std::nullopt;
  auto pnl = sub(notional, *released);
  if (!pnl) return std::nullopt;
  auto net = sub(*pnl, fee);
  auto total = net ? add(p.realized_pnl, *net) : std::nullopt;
  if (!net || !total) return std::nullopt;
  return PositionChange{PositionState{p.size - size, p.cost_basis - *released, *total}, *net, *released};
}

std::optional<PositionChange> apply_settlement(const PositionState& p, std::int64_t payout) {
  auto pnl = sub(payout, p.cost_basis);
  auto total = pnl ? add(p.realized_pnl, *pnl) : std::nullopt;
  if (!pnl || !total) return std::nullopt;
  return PositionChange{PositionState{0, 0, *total}, *pnl, p.cost_basis};
}

MarkSource mark_source_from(std::string_view name) {
  if (name == "resolution") return MarkSource::Resolution;
  if (name == "best_bid") return MarkSource::BestBid;
  if (name == "last_bid") return MarkSource::LastBid;
  return MarkSource::Entry;
}

std::string_view mark_source_name(MarkSource source) {
  switch (source) {
    case MarkSource::Resolution: return "resolution";
    case MarkSource::BestBid: return "best_bid";
    case MarkSource::LastBid: return "last_bid";
    case MarkSource::Entry: return "entry";
  }
  return "entry";
}

Mark mark_of(std::optional<std::int64_t> resolution_value, std::optional<std::int64_t> fresh_best_bid,
             std::optional<std::int64_t> last_bid, const PositionState& position) {
  if (resolution_value) return {*resolution_value, MarkSource::Resolution};
  if (fresh_best_bid) return {*fresh_best_bid, MarkSource::BestBid};
  if (last_bid) return {*last_bid, MarkSource::LastBid};
  return {average_entry_price(position), MarkSource::Entry};
}

std::int64_t average_entry_price(const PositionState& p) {
  if (p.size <= 0) return 0;
  return mul_div(p.cost_basis, kOne, p.size, Rounding::HalfUp).value_or(0);
}

std::optional<std::int64_t> market_value(std::int64_t size, std::int64_t mark) {
  return mul_div(size, mark, kOne, Rounding::HalfEven);
}

}  // namespace polysim::engine
