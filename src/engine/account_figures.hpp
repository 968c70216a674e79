// An account's derived figures (equity, peak, drawdown, …) from its stored state, in micros, so
// every surface that shows an account shows the same numbers. Until the trading engine lands
// no account holds positions: the mark-dependent figures are zero and equity is the ledger
// balance.
#pragma once
#include <cstdint>
#include <string>

#include "store/records.hpp"

namespace polysim::engine {

struct AccountFigures {
  std::int64_t positions_value = 0;
  std::int64_t unrealized_pnl = 0;
  std::int64_t equity = 0;
  std::int64_t peak_equity = 0;
  std::int64_t min_equity = 0;
  std::int64_t drawdown = 0;
  std::int64_t max_drawdown = 0;
  std::int64_t day_low_equity = 0;
};

AccountFigures figures_of(const store::AccountRecord& account);

// "10000.00": USD micros rendered with two decimals.
std::string usd(std::int64_t micros);
// Percentage points of `part` over `whole`, half-up to 4 decimals, in one rounding ("0.4906").
std::string percent(std::int64_t part, std::int64_t whole);

}  // namespace polysim::engine
