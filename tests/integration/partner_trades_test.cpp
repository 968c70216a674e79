// GET /v1/partner/accounts/{id}/trades against the real binary (10-partner-api.md §9): row
// shape, keyset pagination over more than 10,000 fills while newer fills arrive, filters,
// validation and cursor integrity. No engine writes fills yet, so the test writes them with the
// store, into the server's database.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/time_format.hpp"
#include "integration/partner_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace partner_it;
using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 3339 with microseconds, the precision filled_at is stored and compared at.
std::string rfc3339_micros(std::int64_t micros) {
  auto text = format_rfc3339_millis(micros);
  text.pop_back();  // 'Z'
  const auto sub = std::to_string(1000 + micros % 1000);  // "1xyz"
  return text + sub.substr(1) + "Z";
}

bool newer_first(const store::FillRecord& a, const store::FillRecord& b) {
  return std::tie(a.filled_at, a.order_id, a.trade_id) > std::tie(b.filled_at, b.order_id, b.trade_id);
}

std::vector<std::string> trade_ids(std::vector<store::FillRecord> fills) {
  std::sort(fills.begin(), fills.end(), newer_first);
  std::vector<std::string> out;
  out.reserve(fills.size());
  for (const auto& f : fills) out.push_back(f.trade_id);
  return out;
}

struct TradesEnv {
  ServerProcess server{server_args()};
  PartnerTenant tenant;
  std::unique_ptr<store::sqlite::SqliteStore> store;
  UuidV7Generator ids;

  TradesEnv() : tenant(new_tenant(server, "trades")), store(open_store(server)) {}
  std::uint16_t port() const { return server.api_port(); }

  std::string new_account(std::int64_t user_id, const std::string& ext) {
    return str(create_account(port(), tenant.key, user_id, ext), "account_id");
  }

  std::string path(const std::string& account_id) const { return "/v1/partner/accounts/" + account_id + "/trades"; }

  boost::json::object page(const std::string& account_id, const Params& params) {
    const auto r = partner_get(port(), tenant.key, with_query(path(account_id), params));
    expect_ok(r);
    return obj(r);
  }

  // Follows next_cursor to the end. `between_pages` runs after each page but the last.
  std::vector<boost::json::object> walk(const std::string& account_id, Params params, int limit,
                                        const std::function<void(int)>& between_pages = {}) {
    std::vector<boost::json::object> rows;
    std::string cursor;
    for (int n = 0; n < 1000; ++n) {
      auto p = params;
      p.emplace_back("limit", std::to_string(limit));
      if (!cursor.empty()) p.emplace_back("cursor", cursor);
      const auto o = page(account_id, p);
      if (!o.contains("data") || !o.at("data").is_array()) {
        ADD_FAILURE() << "page without data";
        return rows;
      }
      const auto& data = o.at("data").as_array();
      EXPECT_LE(data.size(), static_cast<std::size_t>(limit));
      for (const auto& row : data) rows.push_back(row.as_object());
      if (o.at("next_cursor").is_null()) return rows;
      EXPECT_EQ(data.size(), static_cast<std::size_t>(limit)) << "a page with a next_cursor is full";
      EXPECT_FALSE(data.empty()) << "no empty page before the end";
      cursor = str(o, "next_cursor");
      if (between_pages) between_pages(n);
    }
    ADD_FAILURE() << "pagination did not end";
    return rows;
  }
};

std::vector<std::string> ids_of(const std::vector<boost::json::object>& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(str(r, "trade_id"));
  return out;
}

void expect_no_duplicates(const std::vector<std::string>& ids) {
  const std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size()) << "a trade was returned twice";
}

TEST(PartnerTrades, RowShapeDefaultsAndValidation) {
  TradesEnv env;
  const auto uid = create_user(env.port(), env.tenant.key, "t-u1", "t1@example.com");
  const auto account = env.new_account(uid, "t-acc");
  const auto other = env.new_account(uid, "t-other");
  const auto market = make_market(*env.store, env.ids, "fed-cut");

  // Empty account: an empty last page.
  const auto empty = env.page(account, {});
  EXPECT_EQ(empty.at("data"), boost::json::array{});
  EXPECT_TRUE(empty.at("next_cursor").is_null());

  const std::int64_t t0 = now_micros() - 3'600'000'000LL;
  std::vector<store::FillRecord> fills;
  for (int i = 0; i < 150; ++i) {
    auto f = make_fill(env.ids.next(t0 / 1000 + i).to_string(), env.ids.next(t0 / 1000 + i).to_string(), account,
                       market, i % 2 ? "SELL" : "BUY", t0 + i * 1000 + 123);
    fills.push_back(f);
  }
  auto foreign = make_fill(env.ids.next(t0 / 1000).to_string(), env.ids.next(t0 / 1000).to_string(), other, market,
                           "BUY", t0 + 999'000'000);
  env.store->insert_fills(fills);
  env.store->insert_fills({foreign});

  // Default limit 100, newest first, exact row shape.
  const auto first = env.page(account, {});
  ASSERT_EQ(first.at("data").as_array().size(), 100u);
  EXPECT_TRUE(first.at("next_cursor").is_string());
  const auto newest = fills.back();
  const auto row = first.at("data").as_array()[0].as_object();
  const auto expected = boost::json::object{{"trade_id", newest.trade_id},
                                            {"order_id", newest.order_id},
                                            {"account_id", account},
                                            {"epoch", 0},
                                            {"market_id", market.id},
                                            {"market_slug", market.slug},
                                            {"outcome", "YES"},
                                            {"side", newest.side},
                                            {"order_type", "limit"},
                                            {"price", "0.5550"},
                                            {"size", "400"},
                                            {"notional", "222.00"},
                                            {"fee", "0.00"},
                                            {"fee_rate_bps", 0},
                                            {"liquidity", "maker"},
                                            {"filled_at", format_rfc3339_millis(newest.filled_at)}};
  EXPECT_EQ(row, expected);
  const auto all = env.walk(account, {}, 100);
  EXPECT_EQ(ids_of(all), trade_ids(fills)) << "the other account's fill must not appear";
  // limit bounds, an empty cursor is no cursor.
  EXPECT_EQ(env.page(account, {{"limit", "1"}}).at("data").as_array().size(), 1u);
  EXPECT_EQ(env.page(account, {{"limit", "500"}}).at("data").as_array().size(), 150u);
  EXPECT_TRUE(env.page(account, {{"limit", "500"}}).at("next_cursor").is_null());
  EXPECT_EQ(env.page(account, {{"cursor", ""}}).at("data").as_array().size(), 100u);
  // Unknown market: no fills, not an error. Unknown parameters are ignored.
  EXPECT_EQ(env.page(account, {{"market", "no-such-market"}}).at("data"), boost::json::array{});
  EXPECT_EQ(env.page(account, {{"colour", "red"}, {"limit", "3"}}).at("data").as_array().size(), 3u);

  const std::string path = env.path(account);
  const Params bad[] = {
      {{"limit", "0"}},     {{"limit", "501"}},  {{"limit", "-1"}},         {{"limit", "abc"}},
      {{"limit", ""}},      {{"limit", "1.5"}},  {{"limit", "1000000"}},   {{"side", "HOLD"}},
      {{"side", ""}},       {{"side", "BUYS"}},  {{"since", "yesterday"}}, {{"since", "2026-13-01T00:00:00Z"}},
      {{"until", "2026-01-01"}},
      {{"since", "2026-01-02T00:00:00Z"}, {"until", "2026-01-01T00:00:00Z"}},
      {{"since", "2026-01-01T00:00:00Z"}, {"until", "2026-01-01T00:00:00Z"}},
  };
  for (const auto& params : bad) {
    SCOPED_TRACE(with_query(path, params));
    expect_error(partner_get(env.port(), env.tenant.key, with_query(path, params)), 422, "VALIDATION_FAILED");
  }
  expect_error(partner_get(env.port(), env.tenant.key, path + "?side=BUY&side=SELL&_=0"), 422, "VALIDATION_FAILED");

  // Error order: INVALID_ACCOUNT_ID → VALIDATION_FAILED → ACCOUNT_NOT_FOUND → INVALID_CURSOR.
  const std::string unknown = env.path(Uuid::v4().to_string());
  expect_error(partner_get(env.port(), env.tenant.key, with_query("/v1/partner/accounts/NOPE/trades", {{"limit", "0"}})),
               422, "INVALID_ACCOUNT_ID");
  expect_error(partner_get(env.port(), env.tenant.key, with_query(unknown, {{"limit", "0"}, {"cursor", "x"}})), 422,
               "VALIDATION_FAILED");
  expect_error(partner_get(env.port(), env.tenant.key, with_query(unknown, {{"cursor", "forged"}})), 404,
               "ACCOUNT_NOT_FOUND");
  expect_error(partner_get(env.port(), env.tenant.key, with_query(path, {{"cursor", "forged"}})), 400, "INVALID_CURSOR");
}

TEST(PartnerTrades, KeysetPaginationOverTenThousandFillsWhileFillsArrive) {
  TradesEnv env;
  const auto uid = create_user(env.port(), env.tenant.key, "k-u1", "k1@example.com");
  const auto account = env.new_account(uid, "k-acc");
  const auto other_account = env.new_account(uid, "k-other");
  const std::vector<store::MarketRecord> markets = {make_market(*env.store, env.ids, "mkt-a"),
                                                    make_market(*env.store, env.ids, "mkt-b"),
                                                    make_market(*env.store, env.ids, "mkt-c")};

  // 4,200 orders with 1 to 4 fills each over 2,500 instants 700 µs apart (so several instants
  // share a millisecond): many orders share an instant, many orders have several fills at one
  // instant. Ids are shuffled so neither order_id nor trade_id follows insertion or time order.
  std::mt19937_64 rng(20261123);
  const std::int64_t t0 = now_micros() - 7LL * 24 * 3'600'000'000LL;
  constexpr int kOrders = 4200;
  constexpr int kInstants = 2500;
  std::vector<std::string> order_ids, trade_pool;
  for (int i = 0; i < kOrders; ++i) order_ids.push_back(env.ids.next(t0 / 1000 + i).to_string());
  for (int i = 0; i < kOrders * 4; ++i) trade_pool.push_back(env.ids.next(t0 / 1000 + i).to_string());
  std::shuffle(order_ids.begin(), order_ids.end(), rng);
  std::shuffle(trade_pool.begin(), trade_pool.end(), rng);
  auto instant = [&](std::int64_t k) { return t0 + k * 700; };

  std::vector<store::FillRecord> initial;
  std::size_t next_trade = 0;
  for (int o = 0; o < kOrders; ++o) {
    const auto& market = markets[rng() % markets.size()];
    const char* side = rng() % 2 ? "BUY" : "SELL";
    const int fills_of_order = 1 + static_cast<int>(rng() % 4);
    const std::int64_t base = static_cast<std::int64_t>(rng() % kInstants);
    for (int j = 0; j < fills_of_order; ++j) {
      const std::int64_t k = j == 0 || rng() % 2 ? base : std::min<std::int64_t>(kInstants - 1, base + rng() % 3);
      initial.push_back(make_fill(trade_pool[next_trade++], order_ids[o], account, market, side, instant(k)));
    }
  }
  ASSERT_GE(initial.size(), 10'000u);
  auto shuffled = initial;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (std::size_t i = 0; i < shuffled.size(); i += 1000) {
    env.store->insert_fills(std::vector<store::FillRecord>(
        shuffled.begin() + static_cast<std::ptrdiff_t>(i),
        shuffled.begin() + static_cast<std::ptrdiff_t>(std::min(shuffled.size(), i + 1000))));
  }
  // Another account's fills, interleaved in time, must never show.
  std::vector<store::FillRecord> foreign;
  for (int i = 0; i < 300; ++i)
    foreign.push_back(make_fill(env.ids.next(t0 / 1000).to_string(), env.ids.next(t0 / 1000).to_string(),
                                other_account, markets[0], "BUY", instant(i * 7)));
  env.store->insert_fills(foreign);

  std::map<std::string, store::FillRecord> by_trade;
  for (const auto& f : initial) by_trade[f.trade_id] = f;

  // Newer fills land between pages: several per page, some sharing one instant.
  std::vector<store::FillRecord> arrived;
  auto insert_newer = [&](int page) {
    std::vector<store::FillRecord> batch;
    const std::int64_t at = instant(kInstants + 10 + page);
    const auto order = env.ids.next(now_micros() / 1000).to_string();
    for (int i = 0; i < 7; ++i) {
      batch.push_back(make_fill(env.ids.next(now_micros() / 1000).to_string(),
                                i < 4 ? order : env.ids.next(now_micros() / 1000).to_string(), account,
                                markets[i % 3], i % 2 ? "SELL" : "BUY", at + (i % 2)));
    }
    env.store->insert_fills(batch);
    arrived.insert(arrived.end(), batch.begin(), batch.end());
  };

  const auto rows = env.walk(account, {}, 500, insert_newer);
  const auto got = ids_of(rows);
  expect_no_duplicates(got);
  EXPECT_EQ(got.size(), initial.size());
  EXPECT_TRUE(got == trade_ids(initial)) << "pages must concatenate to the set present at the start, in "
                                            "filled_at DESC, order_id DESC, trade_id DESC order";
  EXPECT_GT(arrived.size(), 100u);
  // Every row is the stored fill.
  std::size_t mismatches = 0;
  for (const auto& r : rows) {
    const auto it = by_trade.find(str(r, "trade_id"));
    if (it == by_trade.end()) {
      ++mismatches;
      continue;
    }
    const auto& f = it->second;
    const auto& m = *std::find_if(markets.begin(), markets.end(), [&](const auto& x) { return x.id == f.market_id; });
    if (str(r, "order_id") != f.order_id || str(r, "account_id") != account || str(r, "market_id") != f.market_id ||
        str(r, "market_slug") != m.slug || str(r, "side") != f.side ||
        str(r, "filled_at") != format_rfc3339_millis(f.filled_at))
      ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);

  // The new fills are on top of a fresh walk, which now holds everything exactly once.
  auto everything = initial;
  everything.insert(everything.end(), arrived.begin(), arrived.end());
  const auto fresh = ids_of(env.walk(account, {}, 500));
  expect_no_duplicates(fresh);
  EXPECT_TRUE(fresh == trade_ids(everything));

  // Filters paginate over the same keyset.
  auto expect_walk = [&](const Params& filters, int limit, auto keep) {
    SCOPED_TRACE(with_query("", filters) + " limit " + std::to_string(limit));
    std::vector<store::FillRecord> subset;
    for (const auto& f : everything)
      if (keep(f)) subset.push_back(f);
    ASSERT_FALSE(subset.empty());
    const auto walked = ids_of(env.walk(account, filters, limit));
    expect_no_duplicates(walked);
    EXPECT_EQ(walked.size(), subset.size());
    EXPECT_TRUE(walked == trade_ids(subset));
  };
  expect_walk({{"side", "buy"}}, 500, [](const auto& f) { return f.side == "BUY"; });
  expect_walk({{"side", "SELL"}}, 500, [](const auto& f) { return f.side == "SELL"; });
  expect_walk({{"market", markets[1].id}}, 500, [&](const auto& f) { return f.market_id == markets[1].id; });
  expect_walk({{"market", markets[2].slug}}, 333, [&](const auto& f) { return f.market_id == markets[2].id; });
  const std::int64_t since = instant(500) + 0;
  const std::int64_t until = instant(1500) + 1;  // an instant that no fill has: strictly before
  expect_walk({{"since", rfc3339_micros(since)}, {"until", rfc3339_micros(until)}}, 500,
              [&](const auto& f) { return f.filled_at >= since && f.filled_at < until; });
  expect_walk({{"since", rfc3339_micros(instant(700))}, {"until", rfc3339_micros(instant(900))}}, 250,
              [&](const auto& f) { return f.filled_at >= instant(700) && f.filled_at < instant(900); });
  expect_walk({{"side", "Buy"}, {"market", markets[0].slug}, {"since", rfc3339_micros(instant(2000))}}, 500,
              [&](const auto& f) {
                return f.side == "BUY" && f.market_id == markets[0].id && f.filled_at >= instant(2000);
              });
  // Time zone offsets mean the same instant.
  expect_walk({{"until", url_encode(format_rfc3339_millis(instant(2400) - 3'600'000'000LL).substr(0, 19) + "-01:00")}},
              500, [&](const auto& f) { return f.filled_at < (instant(2400) / 1'000'000) * 1'000'000; });
}

TEST(PartnerTrades, CursorsAreBoundToAccountAndFilters) {
  TradesEnv env;
  const auto uid = create_user(env.port(), env.tenant.key, "c-u1", "c1@example.com");
  const auto account = env.new_account(uid, "c-acc");
  const auto second = env.new_account(uid, "c-acc2");
  const auto market = make_market(*env.store, env.ids, "cur");
  const auto market2 = make_market(*env.store, env.ids, "cur2");
  const std::int64_t t0 = now_micros() - 3'600'000'000LL;
  std::vector<store::FillRecord> fills;
  for (int i = 0; i < 40; ++i) {
    for (const auto& acc : {account, second}) {
      fills.push_back(make_fill(env.ids.next(t0 / 1000).to_string(), env.ids.next(t0 / 1000).to_string(), acc,
                                i % 3 ? market : market2, i % 2 ? "BUY" : "SELL", t0 + i * 10'000));
    }
  }
  env.store->insert_fills(fills);

  auto cursor_of = [&](const Params& params) {
    const auto o = env.page(account, params);
    EXPECT_TRUE(o.at("next_cursor").is_string()) << boost::json::serialize(o);
    return str(o, "next_cursor");
  };
  const auto plain = cursor_of({{"limit", "5"}});
  const auto buys = cursor_of({{"limit", "5"}, {"side", "buy"}});
  const auto in_market = cursor_of({{"limit", "5"}, {"market", market.id}});

  auto status_of = [&](const std::string& acc, Params params) {
    const auto r = partner_get(env.port(), env.tenant.key, with_query(env.path(acc), params));
    if (r.status != 200) expect_error(r, 400, "INVALID_CURSOR");
    return r.status;
  };
  // Valid uses: same account and filters; the limit is not part of the filters; side is
  // case-insensitive.
  EXPECT_EQ(status_of(account, {{"cursor", plain}}), 200);
  EXPECT_EQ(status_of(account, {{"cursor", plain}, {"limit", "17"}}), 200);
  EXPECT_EQ(status_of(account, {{"cursor", buys}, {"side", "BUY"}}), 200);
  EXPECT_EQ(status_of(account, {{"cursor", in_market}, {"market", market.id}}), 200);

  // Another account, other filters.
  EXPECT_EQ(status_of(second, {{"cursor", plain}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", plain}, {"side", "BUY"}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", buys}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", buys}, {"side", "SELL"}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", in_market}, {"market", market2.id}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", in_market}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", plain}, {"since", "2020-01-01T00:00:00Z"}}), 400);
  EXPECT_EQ(status_of(account, {{"cursor", plain}, {"until", "2099-01-01T00:00:00Z"}}), 400);

  // Altered cursors: every single-character change, truncation, extension, garbage, length.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int altered = 0;
  for (std::size_t pos = 0; pos + 1 < plain.size(); pos += 3) {
    std::string forged = plain;
    forged[pos] = alphabet[(alphabet.find(forged[pos]) + 1) % alphabet.size()];
    SCOPED_TRACE("flipped position " + std::to_string(pos));
    EXPECT_EQ(status_of(account, {{"cursor", forged}}), 400);
    ++altered;
  }
  EXPECT_GT(altered, 10);
  for (const auto& bad : {plain.substr(0, plain.size() - 2), plain + "A", plain + "AAAA", std::string("garbage"),
                                std::string("!!!!"), std::string(""), std::string(513, 'A'),
                                plain.substr(0, 4) + plain}) {
    if (bad.empty()) continue;  // empty = absent, covered elsewhere
    SCOPED_TRACE(bad.substr(0, 40));
    EXPECT_EQ(status_of(account, {{"cursor", url_encode(bad)}}), 400);
  }
  // A cursor of another kind: the account list's.
  const auto list = obj(partner_get(env.port(), env.tenant.key, with_query("/v1/partner/accounts", {{"limit", "1"}})));
  ASSERT_TRUE(list.at("next_cursor").is_string());
  EXPECT_EQ(status_of(account, {{"cursor", str(list, "next_cursor")}}), 400);
  // And the other way round.
  expect_error(partner_get(env.port(), env.tenant.key, with_query("/v1/partner/accounts", {{"cursor", plain}})), 400,
               "INVALID_CURSOR");
  // Another tenant, on its own account.
  const auto other_tenant = new_tenant(env.server, "cur-other");
  const auto other_uid = create_user(env.port(), other_tenant.key, "o-u1", "o1@example.com");
  const auto other_account = str(create_account(env.port(), other_tenant.key, other_uid, "o-acc"), "account_id");
  const auto r = partner_get(env.port(), other_tenant.key, with_query(env.path(other_account), {{"cursor", plain}}));
  expect_error(r, 400, "INVALID_CURSOR");
}

TEST(PartnerTrades, ResetKeepsFillsAndTheirEpochs) {
  TradesEnv env;
  const auto uid = create_user(env.port(), env.tenant.key, "e-u1", "e1@example.com");
  const auto account = env.new_account(uid, "e-acc");
  const auto market = make_market(*env.store, env.ids, "epoch");
  const std::int64_t t0 = now_micros() - 3'600'000'000LL;
  std::vector<store::FillRecord> epoch0;
  for (int i = 0; i < 5; ++i)
    epoch0.push_back(make_fill(env.ids.next(t0 / 1000).to_string(), env.ids.next(t0 / 1000).to_string(), account,
                               market, "BUY", t0 + i));
  env.store->insert_fills(epoch0);
  expect_ok(partner_post(env.port(), env.tenant.key, "/v1/partner/accounts/" + account + "/reset"));
  std::vector<store::FillRecord> epoch1;
  for (int i = 0; i < 3; ++i)
    epoch1.push_back(make_fill(env.ids.next(t0 / 1000).to_string(), env.ids.next(t0 / 1000).to_string(), account,
                               market, "SELL", t0 + 100 + i, 1));
  env.store->insert_fills(epoch1);
  expect_ok(partner_post(env.port(), env.tenant.key, "/v1/partner/accounts/" + account + "/close"));

  const auto rows = env.walk(account, {}, 2);
  ASSERT_EQ(rows.size(), 8u) << "resets and closes create no rows and remove none";
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(int_field(rows[i], "epoch"), i < 3 ? 1 : 0) << i;
  EXPECT_EQ(db_count(env.server, "SELECT COUNT(*) FROM fills WHERE account_id = ?1", {account}), 8);
}

}  // namespace
}  // namespace polysim::testing
