#include "dashboard/equity_chart.hpp"

#include <algorithm>

#include "core/html_escape.hpp"
#include "dashboard/html.hpp"

namespace polysim::dashboard {

namespace {

constexpr int kWidth = 720;
constexpr int kHeight = 240;
constexpr int kLeft = 88;   // room for the money labels
constexpr int kRight = 12;
constexpr int kTop = 12;
constexpr int kBottom = 36;  // room for the time labels

std::vector<EquityPoint> thinned(const std::vector<EquityPoint>& points) {
  if (points.size() <= kMaxChartPoints) return points;
  std::vector<EquityPoint> out;
  const std::size_t step = (points.size() + kMaxChartPoints - 1) / kMaxChartPoints;
  for (std::size_t i = 0; i < points.size(); i += step) out.push_back(points[i]);
  if (out.back().at != points.back().at) out.push_back(points.back());
  return out;
}

// Integer pixel arithmetic on 128-bit intermediates: money and µs times do not fit a double's
// exactness promises, and the chart must never overflow on extreme balances.
int scale(std::int64_t value, std::int64_t lo, std::int64_t hi, int from, int to) {
  if (hi <= lo) return (from + to) / 2;
  const __int128 span = static_cast<__int128>(hi) - lo;
  const __int128 offset = static_cast<__int128>(value) - lo;
  return from + static_cast<int>(offset * (to - from) / span);
}

}  // namespace

std::string equity_chart_svg(const std::vector<EquityPoint>& all_points, std::int64_t baseline) {
  if (all_points.size() < 2) return "<p>Not enough history yet to draw a chart.</p>";
  const auto points = thinned(all_points);
  std::int64_t lo = baseline, hi = baseline;
  for (const auto& p : points) {
    lo = std::min(lo, p.equity);
    hi = std::max(hi, p.equity);
  }
  if (hi == lo) {
    // A flat line still needs a band to sit in.
    lo -= 1'000'000;
    hi += 1'000'000;
  }
  const auto t0 = points.front().at, t1 = points.back().at;
  const int x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  auto x = [&](std::int64_t t) { return scale(t, t0, t1, x0, x1); };
  auto y = [&](std::int64_t v) { return scale(v, lo, hi, y0, y1); };

  const auto first = points.front().equity, last = points.back().equity;
  const std::string summary = "Equity from " + money(first) + " to " + money(last) + " between " +
                              utc_time(t0) + " and " + utc_time(t1) + "; lowest " + money(lo) + ", highest " +
                              money(hi) + ", starting balance " + money(baseline) + ".";
  std::string svg = "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    std::to_string(kWidth) + " " + std::to_string(kHeight) +
                    "\" role=\"img\" aria-labelledby=\"equity-chart-title\"><title id=\"equity-chart-title\">" +
                    html_escape(summary) + "</title>";
  // Frame and axes labels.
  svg += "<rect x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(y1) + "\" width=\"" + std::to_string(x1 - x0) +
         "\" height=\"" + std::to_string(y0 - y1) + "\" fill=\"#f8fafc\" stroke=\"#cbd5e1\"/>";
  for (const auto& [value, label_y] : {std::pair{hi, y1 + 12}, std::pair{lo, y0}}) {
    svg += "<text x=\"" + std::to_string(x0 - 6) + "\" y=\"" + std::to_string(label_y) +
           "\" text-anchor=\"end\" font-size=\"12\" fill=\"#334155\">" + money(value) + "</text>";
  }
  svg += "<text x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(kHeight - 10) +
         "\" font-size=\"12\" fill=\"#334155\">" + utc_time(t0) + "</text>";
  svg += "<text x=\"" + std::to_string(x1) + "\" y=\"" + std::to_string(kHeight - 10) +
         "\" text-anchor=\"end\" font-size=\"12\" fill=\"#334155\">" + utc_time(t1) + "</text>";
  // The starting balance, dashed, so gains and losses read at a glance.
  const int by = y(baseline);
  svg += "<line x1=\"" + std::to_string(x0) + "\" y1=\"" + std::to_string(by) + "\" x2=\"" + std::to_string(x1) +
         "\" y2=\"" + std::to_string(by) + "\" stroke=\"#64748b\" stroke-dasharray=\"6 4\"/>";
  svg += "<polyline fill=\"none\" stroke=\"" + std::string(last >= baseline ? "#15803d" : "#b91c1c") +
         "\" stroke-width=\"2\" points=\"";
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i) svg += ' ';
    svg += std::to_string(x(points[i].at)) + "," + std::to_string(y(points[i].equity));
  }
  svg += "\"/></svg><figcaption>" + html_escape(summary) + "</figcaption></figure>";
  return svg;
}

}  // namespace polysim::dashboard
