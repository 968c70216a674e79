// One account on the Dashboard: its figures valued now and its equity over the last 30 days
// as a chart (30-partner-apps.md §9.2 Accounts).
#include "dashboard/equity_chart.hpp"
#include "dashboard/pages.hpp"
#include "engine/account_view.hpp"
#include "trader/own_accounts.hpp"

namespace polysim::dashboard {

namespace {

constexpr std::int64_t kChartSpan = 30LL * 86'400 * 1'000'000;

std::string figure_row(std::string_view label, const std::string& value) {
  return "<tr><th scope=\"row\">" + escape(label) + "</th><td class=\"num\">" + value + "</td></tr>";
}

}  // namespace

http::Response account_page(PageContext& ctx) {
  const std::string id(ctx.params.get("id"));
  auto row = ctx.deps.store.find_account(ctx.who.tenant.id, id);
  if (!row) throw PageNotFound();
  engine::AccountView view =
      ctx.deps.engine ? trader::valued_accounts(*ctx.deps.engine, {*row}).front()
                      : engine::view_without_positions(*row, ctx.deps.clock.now_unix_micros());
  const auto& a = view.account;
  std::vector<EquityPoint> points;
  if (ctx.deps.engine_store) {
    const auto now = ctx.deps.clock.now_unix_micros();
    for (const auto& s : ctx.deps.engine_store->list_snapshots(a.id, now - kChartSpan, now))
      points.push_back({s.at, s.equity});
    if (!points.empty() && points.back().at < view.as_of) points.push_back({view.as_of, view.equity});
  }
  const auto owner = ctx.deps.identity.find_user(a.user_id);
  std::string main = "<p><a href=\"/dashboard/accounts\">All accounts</a></p><h1>Account <code>" + escape(a.id) +
                     "</code></h1>";
  main += "<p>Owner " + escape(owner ? owner->email : "?") + " · stage " + escape(a.stage) + " · " +
          escape(a.status) + "</p>";
  main += "<h2>Equity, last 30 days</h2>" + equity_chart_svg(points, a.starting_balance);
  main += "<table><caption>Figures valued now</caption><tbody>";
  main += figure_row("Starting balance", money(a.starting_balance));
  main += figure_row("Cash", money(a.cash));
  main += figure_row("Positions value", money(view.positions_value));
  main += figure_row("Equity", money(view.equity));
  main += figure_row("P&L", money(view.equity - a.starting_balance));
  main += figure_row("Peak equity", money(a.peak_equity));
  main += figure_row("Drawdown from peak", money(view.drawdown));
  main += figure_row("Max drawdown", money(a.max_drawdown));
  main += figure_row("Open positions", std::to_string(view.positions.size()));
  main += "</tbody></table>";
  return html_response(200, render_page(ctx.frame("Account " + a.id.substr(0, 8), Section::Accounts), main));
}

}  // namespace polysim::dashboard
