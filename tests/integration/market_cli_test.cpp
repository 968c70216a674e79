// `polysim market …` against the real server (40-trading-engine.md §2): mutating commands go
// through the engine_commands queue and the running engine executes them; the market is then
// what GET /admin/markets/{m} shows. A command queued while no server runs is executed when the
// server starts, before it answers.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace polysim::testing {
namespace {

std::vector<std::string> quiet_server() { return {"--feed-sim-markets", "0"}; }

boost::json::value admin_get(const ServerProcess& server, const std::string& target) {
  auto r = http_request(server.admin_port(), "GET", target);
  EXPECT_EQ(r.status, 200) << r.summary();
  return r.json();
}

boost::json::value levels(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  boost::json::array out;
  for (const auto& [price, size] : pairs) out.push_back(boost::json::array{price, size});
  return out;
}

TEST(MarketCli, CreateBookAndResolveRunInTheServersEngine) {
  ServerProcess server(quiet_server());

  auto created = server.run_cli({"market", "create", "--slug", "cli-rain", "--question", "Rain from the CLI?",
                                 "--category", "weather", "--tick", "0.01", "--feed", "manual", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto market = created.json().as_object();
  EXPECT_EQ(market.at("slug").as_string(), "cli-rain");
  EXPECT_EQ(market.at("status").as_string(), "open");
  EXPECT_EQ(market.at("feed").as_string(), "manual");
  EXPECT_EQ(market.at("stale_after").as_int64(), 0);
  const std::string market_id(market.at("market_id").as_string());
  EXPECT_EQ(admin_get(server, "/admin/markets/cli-rain").at("market_id").as_string(), market_id);

  auto book = server.run_cli({"market", "book", "cli-rain", "--outcome", "YES", "--bids", "0.55:300,0.54:400",
                              "--asks", "0.56:100", "--json"});
  ASSERT_EQ(book.exit_code, 0) << book.err;
  EXPECT_EQ(book.json().at("YES").at("bids"), levels({{"0.55", "300"}, {"0.54", "400"}}));
  const auto books = admin_get(server, "/admin/markets/cli-rain/book");
  EXPECT_EQ(books.at("YES").at("seq").as_int64(), 1);
  EXPECT_EQ(books.at("YES").at("bids"), levels({{"0.55", "300"}, {"0.54", "400"}}));
  EXPECT_EQ(books.at("YES").at("asks"), levels({{"0.56", "100"}}));
  // Mirrored by default: the NO book is the YES complement.
  EXPECT_EQ(books.at("NO").at("bids"), levels({{"0.44", "100"}}));
  EXPECT_EQ(books.at("NO").at("asks"), levels({{"0.45", "300"}, {"0.46", "400"}}));

  auto resolved = server.run_cli({"market", "resolve", market_id, "--outcome", "YES"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_NE(resolved.out.find("resolution:     YES\n"), std::string::npos) << resolved.out;
  const auto shown = admin_get(server, "/admin/markets/cli-rain");
  EXPECT_EQ(shown.at("status").as_string(), "resolved");
  EXPECT_EQ(shown.at("resolution").as_string(), "YES");

  // The engine's refusal reaches the operator as an error and a non-zero exit.
  auto reopened = server.run_cli({"market", "open", "cli-rain"});
  EXPECT_EQ(reopened.exit_code, 2);
  EXPECT_EQ(reopened.err, "error: open cli-rain failed: MARKET_CLOSED: A resolved market cannot reopen.\n");
  auto duplicate = server.run_cli({"market", "create", "--slug", "cli-rain", "--question", "Again?"});
  EXPECT_EQ(duplicate.exit_code, 2);
  EXPECT_NE(duplicate.err.find("create cli-rain failed: MARKET_EXISTS"), std::string::npos) << duplicate.err;
  auto invalid = server.run_cli({"market", "create", "--slug", "Bad Slug", "--question", "Q?"});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_EQ(invalid.err,
            "error: create Bad Slug failed: VALIDATION_FAILED: slug must match ^[a-z0-9][a-z0-9-]{0,99}$\n");

  // list and show read what the engine stored.
  auto listed = server.run_cli({"market", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto data = listed.json().at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("slug").as_string(), "cli-rain");
  EXPECT_EQ(data[0].at("resolution").as_string(), "YES");
}

TEST(MarketCli, CommandsQueuedWhileTheServerIsDownRunAtStartUp) {
  ServerProcess server(quiet_server());
  ASSERT_EQ(server.stop(), 0);

  auto created = server.run_cli({"market", "create", "--slug", "offline-snow", "--question", "Snow?", "--feed",
                                 "manual", "--wait", "0", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto command_id = created.json().at("command_id").as_int64();
  EXPECT_EQ(created.json().at("status").as_string(), "queued");
  auto book = server.run_cli(
      {"market", "book", "offline-snow", "--outcome", "NO", "--bids", "0.3:50", "--no-mirror", "--wait", "0"});
  ASSERT_EQ(book.exit_code, 0) << book.err;
  EXPECT_NE(book.out.find("command " + std::to_string(command_id + 1) + " (book offline-snow) is queued"),
            std::string::npos)
      << book.out;
  auto closed = server.run_cli({"market", "close", "offline-snow", "--wait", "0"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_EQ(server.run_cli({"market", "list", "--json"}).json().at("data").as_array().size(), 0u);

  // Executed during start-up, in order, before the server answers at all.
  server.start();
  const auto market = admin_get(server, "/admin/markets/offline-snow");
  EXPECT_EQ(market.at("question").as_string(), "Snow?");
  EXPECT_EQ(market.at("status").as_string(), "closed");
  const auto books = admin_get(server, "/admin/markets/offline-snow/book");
  EXPECT_EQ(books.at("NO").at("bids"), levels({{"0.3", "50"}}));
  EXPECT_EQ(books.at("YES").at("seq").as_int64(), 0);  // --no-mirror left YES alone
  auto shown = server.run_cli({"market", "show", "offline-snow", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.json().at("status").as_string(), "closed");

  // And while it runs, the poller picks up new commands.
  auto reopened = server.run_cli({"market", "open", "offline-snow", "--json"});
  ASSERT_EQ(reopened.exit_code, 0) << reopened.err;
  EXPECT_EQ(reopened.json().at("status").as_string(), "open");
  EXPECT_EQ(admin_get(server, "/admin/markets/offline-snow").at("status").as_string(), "open");
}

}  // namespace
}  // namespace polysim::testing
