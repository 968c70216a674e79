#include "engine/account_figures.hpp"

#include <algorithm>

#include "core/decimal.hpp"

namespace polysim::engine {

AccountFigures figures_of(const store::AccountRecord& a) {
  AccountFigures f;
  f.equity = a.cash + a.reserved + f.positions_value;
  f.peak_equity = std::max(a.peak_equity, f.equity);
  f.min_equity = std::min(a.min_equity, f.equity);
  f.drawdown = f.peak_equity - f.equity;
  f.max_drawdown = std::max(a.max_drawdown, f.drawdown);
  f.day_low_equity = std::min(a.day_low_equity, f.equity);
  return f;
}

std::string usd(std::int64_t micros) { return format_decimal(micros, 2); }

std::string percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0 || part <= 0) return "0.0000";
  auto ten_thousandths = mul_div(part, 100 * 10'000, whole, Rounding::HalfUp).value_or(0);
  return format_fixed(ten_thousandths * 100, 4, Rounding::HalfUp);
}

}  // namespace polysim::engine
