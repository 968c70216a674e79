// The App API's market and execution routes (30-partner-apps.md §7, §8): markets and books,
// fills with the trade cap, the user's orders, positions and balances.
#include "apps/app_api.hpp"
#include "apps/app_http.hpp"
#include "apps/app_render.hpp"
#include "http/callback_await.hpp"

namespace polysim::apps {

Task<http::Response> AppApi::execution_route(AppRoute route, AppContext& ctx) {
  auto& req = ctx.request;
  switch (route) {
    case AppRoute::Markets: {
      const auto query = http::parse_query(req.query);
      trader::MarketListRequest r;
      if (auto status = param(query, "status")) {
        if (*status == "all") r.status = std::nullopt;
        else if (*status == "open" || *status == "closed" || *status == "resolved") r.status = std::string(*status);
        else throw validation_failed("status must be open, closed, resolved or all.");
      }
      if (auto q = param(query, "q")) r.q = std::string(*q);
      r.limit = list_limit(query);
      if (auto cursor = param(query, "cursor")) r.cursor = std::string(*cursor);
      auto page = co_await pool_.run([&] { return reads_.markets(r); });
      co_return ok(200, markets_body(page.rows, page.next_cursor, reads_.board()));
    }
    case AppRoute::Market:
    case AppRoute::Orderbook: {
      const std::string id(ctx.params.get("market_id"));
      auto market = reads_.board().market(id);
      if (!market) throw AppFailure(404, "market_not_found", "Market not found.");
      if (route == AppRoute::Market) co_return ok(200, market_body(*market, reads_.board()));
      const auto query = http::parse_query(req.query);
      bool yes = true;
      if (auto o = param(query, "outcome")) {
        if (*o == "YES" || *o == "yes") yes = true;
        else if (*o == "NO" || *o == "no") yes = false;
        else throw validation_failed("outcome must be YES or NO.");
      }
      int depth = 10;
      if (auto d = param(query, "depth")) {
        depth = 0;
        for (char c : *d) {
          if (c < '0' || c > '9' || depth > 100) throw validation_failed("depth must be an integer from 1 to 50.");
          depth = depth * 10 + (c - '0');
        }
        if (depth < 1 || depth > 50) throw validation_failed("depth must be an integer from 1 to 50.");
      }
      co_return ok(200, orderbook_body(*market, yes, depth, reads_.board(), reads_.now()));
    }
    case AppRoute::Quote: {
      auto input = parse_fill_body(ctx.body ? &*ctx.body : nullptr, true);
      const auto principal = *ctx.principal;
      auto request = co_await pool_.run([&] { return trading_.quote_request(principal, std::move(input)); });
      auto start = [&](std::function<void(engine::PlaceResult)> done) {
        trading_.quote_async(request, std::move(done));
      };
      auto quoting = http::await_callback<engine::PlaceResult>(std::move(start));
      auto result = co_await std::move(quoting);
      co_return ok(200, quote_body(request, result, reads_.board(), reads_.now()));
    }
    case AppRoute::Fill: co_return co_await fill(ctx);
    case AppRoute::Cancel:
    case AppRoute::Order: {
      const auto who = as_trader(*ctx.principal);
      const std::string order_id(ctx.params.get("order_id"));
      auto view = co_await pool_.run([&] {
        trader::OrderWithFills found;
        try {
          found = reads_.order(who, order_id);
        } catch (const auth::AuthFailure&) {
          throw AppFailure(404, "order_not_found", "Order not found.");
        }
        if (route == AppRoute::Cancel) {
          if (found.order.status != "OPEN") throw AppFailure(409, "order_not_open", "Order is not open.");
          try {
            found.order = reads_.cancel(who, order_id);
          } catch (const auth::AuthFailure& f) {
            if (f.status == 404) throw AppFailure(404, "order_not_found", "Order not found.");
            throw AppFailure(409, "order_not_open", "Order is not open.");
          }
        }
        auto market = reads_.board().market(found.order.market_id);
        return AppOrderView{found.order, found.fills, market ? market->question : ""};
      });
      co_return ok(200, app_order_body(view));
    }
    case AppRoute::Orders: {
      const auto who = as_trader(*ctx.principal);
      const auto query = http::parse_query(req.query);
      std::optional<std::string> account_id;
      if (auto a = param(query, "accountId")) account_id = std::string(*a);
      std::optional<std::string> status;
      if (auto s = param(query, "status")) status = std::string(*s);
      const int limit = list_limit(query);
      std::string cursor;
      if (auto c = param(query, "cursor")) cursor = std::string(*c);
      const auto principal = *ctx.principal;
      auto page = co_await pool_.run([&] {
        const auto account = trading_.account_for(principal, account_id);
        trader::OrderListRequest r;
        r.account_id = account.id;
        r.status = std::nullopt;
        r.limit = 100;
        r.cursor = cursor;
        std::vector<AppOrderView> rows;
        std::optional<std::string> next;
        // Status filters are this surface's words; filtering after the engine's page keeps the
        // cursor the engine's own.
        for (int round = 0; round < 20 && static_cast<int>(rows.size()) < limit; ++round) {
          auto got = reads_.orders(who, r);
          for (auto& o : got.rows) {
            AppOrderView v{o, {}, ""};
            std::string mine = o.status == "OPEN" ? (o.filled_size > 0 ? "partially_filled" : "open")
                               : o.status == "FILLED" ? "filled"
                               : o.status == "CANCELLED" ? "cancelled"
                               : o.status == "EXPIRED" ? "expired"
                                                       : "rejected";
            bool keep = !status;
            if (status) {
              std::string_view list = *status;
              while (!list.empty() && !keep) {
                const auto comma = list.find(',');
                auto item = list.substr(0, comma);
                keep = item == mine || (item == "open" && mine == "partially_filled");
                if (comma == std::string_view::npos) break;
                list.remove_prefix(comma + 1);
              }
            }
            if (!keep) continue;
            auto market = reads_.board().market(o.market_id);
            v.market_question = market ? market->question : "";
            rows.push_back(std::move(v));
            if (static_cast<int>(rows.size()) >= limit) break;
          }
          next = got.next_cursor;
          if (!got.next_cursor) break;
          r.cursor = *got.next_cursor;
        }
        return std::pair{std::move(rows), next};
      });
      co_return ok(200, orders_body(page.first, page.second));
    }
    case AppRoute::Positions: {
      const auto who = as_trader(*ctx.principal);
      const auto query = http::parse_query(req.query);
      std::optional<std::string> account_id;
      if (auto a = param(query, "accountId")) account_id = std::string(*a);
      const auto principal = *ctx.principal;
      auto rows = co_await pool_.run([&] {
        const auto account = trading_.account_for(principal, account_id);
        return reads_.positions(who, account.id, std::nullopt, true);
      });
      co_return ok(200, positions_body(rows, reads_.board()));
    }
    case AppRoute::Balances: {
      const auto who = as_trader(*ctx.principal);
      const auto query = http::parse_query(req.query);
      std::optional<std::string> account_id;
      if (auto a = param(query, "accountId")) account_id = std::string(*a);
      const auto principal = *ctx.principal;
      auto view = co_await pool_.run([&] {
        const auto account = trading_.account_for(principal, account_id);
        return reads_.account(who, account.id);
      });
      co_return ok(200, balances_body(view));
    }
    default: break;
  }
  co_return failure_response(404, "not_found", "Not found.");
}

Task<http::Response> AppApi::fill(AppContext& ctx) {
  auto input = parse_fill_body(ctx.body ? &*ctx.body : nullptr, false);
  const auto& app = *ctx.app;
  const auto principal = *ctx.principal;
  auto prepared = co_await pool_.run([&] { return trading_.prepare(app, principal, std::move(input)); });
  // Awaited, not run on the pool: no thread waits while the engine commits the order.
  auto start = [&](std::function<void(engine::PlaceResult)> done) { trading_.place_async(prepared, std::move(done)); };
  auto placing = http::await_callback<engine::PlaceResult>(std::move(start));
  auto result = co_await std::move(placing);
  co_await pool_.run([&] { trading_.finish(prepared, result); });
  if (result.order) {
    auto market = reads_.board().market(result.order->market_id);
    AppOrderView view{*result.order, result.fills, market ? market->question : ""};
    if (result.replayed) {
      const auto& order_id = result.order->order_id;
      auto fills = co_await pool_.run([&] { return reads_.order(as_trader(principal), order_id).fills; });
      view.fills = std::move(fills);
    }
    if (result.order->status == "REJECTED") {
      // A recorded rejection: 422 with the engine's sentence, the stored order named in x-order-id.
      auto failure = result.error ? app_engine_failure(*result.error)
                                  : AppFailure(422, "rejected", result.order->end_reason.value_or("REJECTED"));
      auto r = failure_response(failure);
      r.set_header("x-order-id", result.order->order_id);
      co_return r;
    }
    co_return ok(result.replayed ? 200 : 201, app_order_body(view));
  }
  if (result.error) throw app_engine_failure(*result.error);
  co_return failure_response(500, "internal_error", "Internal error.");
}

}  // namespace polysim::apps
