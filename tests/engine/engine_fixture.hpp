// A market board and an account state to drive the account executor directly, with the
// market of the spec's worked examples (40-trading-engine.md §5.7): tick 0.01, weather (500 bps).
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "core/decimal.hpp"
#include "engine/account_executor.hpp"
#include "engine/market_board.hpp"
#include "engine/valuation.hpp"

namespace polysim::engine::testing {

inline std::int64_t usd(std::string_view text) { return parse_decimal(text, 6, 6, NegativeValues::Allow).value(); }
inline std::int64_t px(std::string_view text) { return usd(text); }
inline std::int64_t shares(std::string_view text) { return usd(text); }

inline std::vector<BookLevel> levels(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<BookLevel> out;
  for (const auto& [p, s] : list) out.push_back(BookLevel{px(p), shares(s)});
  return out;
}

struct EngineFixture {
  MarketBoard board;
  store::MarketRecord market;
  AccountState state;
  std::int64_t now = 1'795'000'000'000'000;
  int next_id = 0;

  EngineFixture() {
    market.id = "m-rain";
    market.slug = "rain-london-2026-12-01";
    market.question = "Rain in London on 1 Dec?";
    market.category = "weather";
    market.yes_token_id = "t-yes";
    market.no_token_id = "t-no";
    market.tick_size = 10'000;
    market.taker_fee_bps = 500;
    market.feed = "manual";
    market.stale_after_s = 0;
    board.put_market(market);
    state.account.id = "acct-a";
    state.account.tenant_id = "tenant";
    state.account.starting_balance = usd("10000");
    state.account.cash = state.account.starting_balance;
    state.account.peak_equity = state.account.min_equity = state.account.starting_balance;
    state.account.day_start_equity = state.account.day_low_equity = state.account.starting_balance;
    state.ledger_seq = 1;
  }

  ExecContext ctx() {
    ExecContext c{board, now, [this] {
                    char buf[32];
                    std::snprintf(buf, sizeof buf, "id-%08d", ++next_id);
                    return std::string(buf);
                  }, {}, {}};
    return c;
  }

  // Publishes a YES book and its NO mirror, then lets resting orders react as the shard would.
  BookPtr push_yes(std::vector<BookLevel> bids, std::vector<BookLevel> asks, store::WriteSet* out = nullptr) {
    std::vector<BookUpdate> updates{{market.yes_token_id, bids, asks, std::nullopt},
                                    {market.no_token_id, mirror_side(asks), mirror_side(bids), std::nullopt}};
    auto published = board.publish(updates, now);
    EXPECT_TRUE(std::holds_alternative<std::vector<BookPtr>>(published));
    auto books = std::get<std::vector<BookPtr>>(published);
    store::WriteSet scratch;
    for (const auto& b : books) evaluate_resting(state, *b, ctx(), out ? *out : scratch);
    return books.front();
  }

  void push_example_book() {
    push_yes(levels({{"0.55", "300"}, {"0.54", "400"}, {"0.53", "500"}}),
             levels({{"0.56", "100"}, {"0.57", "200"}, {"0.58", "500"}}));
  }

  OrderRequest market_order(Side side, const char* size, std::optional<const char*> worst = std::nullopt) {
    OrderRequest r;
    r.account_id = state.account.id;
    r.market = market.id;
    r.side = side;
    r.type = OrderType::Market;
    r.size = shares(size);
    if (worst) r.worst_price = px(*worst);
    return r;
  }

  OrderRequest limit_order(Side side, const char* size, const char* price) {
    OrderRequest r;
    r.account_id = state.account.id;
    r.market = market.id;
    r.side = side;
    r.type = OrderType::Limit;
    r.size = shares(size);
    r.limit_price = px(price);
    return r;
  }

  PlaceResult place(const OrderRequest& r, store::WriteSet* out = nullptr) {
    store::WriteSet scratch;
    return place_order(state, r, ctx(), out ? *out : scratch);
  }

  Valuation value() { return value_account(state, board, now); }
};

inline std::string text(std::int64_t micros) { return format_decimal(micros, 0); }

// A random order of every shape the executor takes: market (FOK or FAK, by size or, for a BUY,
// notional) or limit (maybe post-only), either side and outcome, sometimes selling exactly the
// available position, sometimes a client id that may repeat. Random sessions build on it.
inline OrderRequest random_order(EngineFixture& f, std::mt19937_64& rng) {
  OrderRequest r;
  r.account_id = f.state.account.id;
  r.market = f.market.id;
  r.outcome = rng() % 4 == 0 ? Outcome::No : Outcome::Yes;
  r.side = rng() % 3 == 0 ? Side::Sell : Side::Buy;
  const bool market = rng() % 2 == 0;
  r.type = market ? OrderType::Market : OrderType::Limit;
  r.size = static_cast<std::int64_t>(5 + rng() % 300) * 1'000'000 + static_cast<std::int64_t>(rng() % 2) * 123'456;
  if (r.side == Side::Sell) {
    const auto& token = r.outcome == Outcome::Yes ? f.market.yes_token_id : f.market.no_token_id;
    if (auto p = f.state.positions.find(token); p != f.state.positions.end() && rng() % 2 == 0)
      r.size = p->second.size - p->second.reserved_size;
  }
  if (market) {
    if (rng() % 3 == 0) r.time_in_force = TimeInForce::Fak;
    if (r.side == Side::Buy && rng() % 4 == 0) {
      r.size.reset();
      r.notional = static_cast<std::int64_t>(1 + rng() % 500) * 1'000'000;
    }
  } else {
    r.limit_price = 10'000 * static_cast<std::int64_t>(1 + rng() % 99);
    r.post_only = rng() % 5 == 0;
  }
  if (rng() % 4 == 0) r.client_order_id = "c" + std::to_string(rng() % 20);
  return r;
}

}  // namespace polysim::engine::testing
