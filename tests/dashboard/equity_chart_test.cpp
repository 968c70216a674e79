// The Dashboard's equity chart: an SVG with a text alternative, points inside the plot, a line
// coloured by gain or loss, and a bounded number of points.
#include <gtest/gtest.h>

#include "dashboard/equity_chart.hpp"

namespace polysim::dashboard {
namespace {

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(EquityChart, DrawsAGainInGreenWithItsSummary) {
  const std::vector<EquityPoint> points = {{1'000'000, 10'000'000'000}, {2'000'000, 9'500'000'000}, {3'000'000, 11'000'000'000}};
  const auto svg = equity_chart_svg(points, 10'000'000'000);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"equity-chart-title\">"), std::string::npos);
  EXPECT_NE(svg.find("#15803d"), std::string::npos) << "a gain is green";
  EXPECT_EQ(svg.find("style="), std::string::npos) << "the Dashboard's CSP forbids inline styles";
  const auto polyline = svg.substr(svg.find("points=\""));
  EXPECT_EQ(count(polyline.substr(0, polyline.find("\"/>")), ","), 3u);
}

TEST(EquityChart, DrawsALossInRedAndSurvivesExtremeValues) {
  const std::vector<EquityPoint> points = {{0, INT64_MAX / 2}, {1, -(INT64_MAX / 2)}};
  const auto svg = equity_chart_svg(points, 0);
  EXPECT_NE(svg.find("#b91c1c"), std::string::npos);
}

TEST(EquityChart, ThinsLongSeriesAndExplainsShortOnes) {
  std::vector<EquityPoint> points;
  for (int i = 0; i < 10'000; ++i) points.push_back({i, 1'000'000 + i});
  const auto svg = equity_chart_svg(points, 1'000'000);
  const auto polyline = svg.substr(svg.find("points=\""));
  EXPECT_LE(count(polyline.substr(0, polyline.find("\"/>")), ","), kMaxChartPoints + 1);
  EXPECT_EQ(equity_chart_svg({{1, 1}}, 1).find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace polysim::dashboard
