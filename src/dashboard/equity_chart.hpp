// An account's equity over time as inline SVG (30-partner-apps.md §9: a chart where a person
// would rather look than read). Server-rendered, no script, colours as presentation attributes
// so the Dashboard's CSP (no inline styles) allows it; a text summary goes with it for screen
// readers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace polysim::dashboard {

struct EquityPoint {
  std::int64_t at = 0;      // µs
  std::int64_t equity = 0;  // USD micros
};

// At most this many points are drawn; longer series keep every n-th point and the last one.
inline constexpr std::size_t kMaxChartPoints = 400;

// `points` ascending by time; `baseline` (the starting balance) is drawn as a dashed line.
// Fewer than two points give a short sentence instead of a chart.
std::string equity_chart_svg(const std::vector<EquityPoint>& points, std::int64_t baseline);

}  // namespace polysim::dashboard
