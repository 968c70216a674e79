// The feeds through the real binary: a fresh install's simulated markets move on their own and
// continue their walk after a restart; a JSON-Lines replay creates, moves and resolves a market
// at max speed; a bad line stops the replay and GET /admin/feed names the line.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/time_format.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

std::int64_t yes_seq(const ServerProcess& server, const std::string& market) {
  auto r = admin(server, "GET", "/admin/markets/" + market + "/book");
  EXPECT_EQ(r.status, 200) << r.summary();
  if (r.status != 200) return -1;
  const auto json = r.json();
  return json.at("YES").at("seq").as_int64();
}

// Polls until `done` holds, at most `limit`.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

boost::json::object feed_state(const ServerProcess& server) {
  auto r = admin(server, "GET", "/admin/feed");
  EXPECT_EQ(r.status, 200) << r.summary();
  const auto json = r.json();
  return json.at("replay").as_object();
}

TEST(Feeds, FreshInstallHasSimulatedMarketsMovingAcrossRestarts) {
  ServerProcess server(server_args());
  auto listed = admin(server, "GET", "/admin/markets");
  ASSERT_EQ(listed.status, 200) << listed.summary();
  const auto markets = listed.json().at("data").as_array();
  ASSERT_EQ(markets.size(), 3u);
  const std::string slug(markets[0].at("slug").as_string());
  EXPECT_EQ(markets[0].at("feed").as_string(), "sim");

  std::int64_t first = 0;
  ASSERT_TRUE(eventually([&] { return (first = yes_seq(server, slug)) >= 1; }));
  ASSERT_TRUE(eventually([&] { return yes_seq(server, slug) > first; }, std::chrono::seconds(5)));
  auto book = admin(server, "GET", "/admin/markets/" + slug + "/book").json();
  EXPECT_FALSE(book.at("YES").at("bids").as_array().empty());
  EXPECT_FALSE(book.at("YES").at("stale").as_bool());

  const auto before_restart = yes_seq(server, slug);
  server.restart();
  EXPECT_EQ(admin(server, "GET", "/admin/markets").json().at("data").as_array().size(), 3u);  // not seeded twice
  ASSERT_TRUE(eventually([&] { return yes_seq(server, slug) > before_restart; }, std::chrono::seconds(5)));
}

TEST(Feeds, ReplayCreatesMovesAndResolvesAMarket) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  const auto file = server.data_dir() + "/replay.jsonl";
  {
    std::ofstream out(file);
    out << R"({"ts":"2026-11-23T12:00:00.000Z","type":"market","slug":"rain-replay","question":"Rain?","category":"weather","tick_size":"0.01"})"
        << "\n\n"
        << R"({"ts":"2026-11-23T12:00:00.500Z","market":"rain-replay","outcome":"YES","bids":[["0.55","300"]],"asks":[["0.56","100"]]})"
        << "\n"
        << R"({"ts":"2026-11-23T12:00:01.000Z","type":"status","market":"rain-replay","status":"closed"})" << "\n"
        << R"({"ts":"2026-11-23T12:00:01.000Z","type":"resolve","market":"rain-replay","outcome":"NO"})" << "\n";
  }
  auto started = admin(server, "POST", "/admin/feed/replay", {{"file", file}, {"speed", "max"}});
  ASSERT_EQ(started.status, 202) << started.summary();
  ASSERT_TRUE(eventually([&] { return feed_state(server).at("state").as_string() == "finished"; }));
  EXPECT_EQ(feed_state(server).at("lines_applied").as_int64(), 4);

  auto market = admin(server, "GET", "/admin/markets/rain-replay");
  ASSERT_EQ(market.status, 200) << market.summary();
  const auto m = market.json();
  EXPECT_EQ(m.at("status").as_string(), "resolved");
  EXPECT_EQ(m.at("resolution").as_string(), "NO");
  EXPECT_EQ(m.at("feed").as_string(), "replay");
  const auto book = admin(server, "GET", "/admin/markets/rain-replay/book").json();
  EXPECT_EQ(book.at("YES").at("bids").as_array().at(0).as_array().at(0).as_string(), "0.55");
  EXPECT_EQ(book.at("NO").at("bids").as_array().at(0).as_array().at(0).as_string(), "0.44");  // the mirror
}

TEST(Feeds, ABadLineStopsTheReplayAndIsNamed) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  const auto file = server.data_dir() + "/bad.jsonl";
  {
    std::ofstream out(file);
    out << R"({"ts":"2026-11-23T12:00:00.000Z","type":"market","slug":"wind-replay","question":"Wind?"})" << "\n"
        << R"({"ts":"2026-11-23T12:00:02.000Z","market":"wind-replay","outcome":"YES","bids":[["0.40","10"]]})" << "\n"
        << R"({"ts":"2026-11-23T12:00:01.000Z","market":"wind-replay","outcome":"YES","bids":[["0.41","10"]]})" << "\n";
  }
  ASSERT_EQ(admin(server, "POST", "/admin/feed/replay", {{"file", file}, {"speed", "max"}}).status, 202);
  ASSERT_TRUE(eventually([&] { return feed_state(server).at("state").as_string() == "stopped"; }));
  const auto state = feed_state(server);
  EXPECT_EQ(state.at("stopped_at_line").as_int64(), 3);
  EXPECT_EQ(state.at("lines_applied").as_int64(), 2);  // earlier lines stay applied
  const auto book = admin(server, "GET", "/admin/markets/wind-replay/book").json();
  EXPECT_EQ(book.at("YES").at("bids").as_array().at(0).as_array().at(0).as_string(), "0.4");

  auto missing = admin(server, "POST", "/admin/feed/replay", {{"file", server.data_dir() + "/nope.jsonl"}});
  EXPECT_EQ(missing.status, 422) << missing.summary();
  auto bad_speed = admin(server, "POST", "/admin/feed/replay", {{"file", file}, {"speed", "0"}});
  EXPECT_EQ(bad_speed.status, 422) << bad_speed.summary();
}

TEST(Feeds, AMarketClosesAtItsEndDate) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto created = admin(server, "POST", "/admin/markets",
                       {{"slug", "ends-soon"},
                        {"question", "Ends soon?"},
                        {"feed", "manual"},
                        {"end_date", format_rfc3339_millis(now_us + 1'500'000)}});
  ASSERT_EQ(created.status, 201) << created.summary();
  EXPECT_EQ(created.json().at("status").as_string(), "open");
  ASSERT_TRUE(eventually([&] {
    return admin(server, "GET", "/admin/markets/ends-soon").json().at("status").as_string() == "closed";
  }));
  // Past its end_date it cannot reopen.
  EXPECT_EQ(admin(server, "POST", "/admin/markets/ends-soon/open").status, 422);
}

}  // namespace
}  // namespace polysim::testing::trader_it
