// `polysim engine verify` against the real server's database (40-trading-engine.md §11): clean
// while the server runs and after it stops; a figure corrupted behind the engine's back is named
// with its numbers and the command exits 1.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_connection.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

boost::json::object verify_json(const ServerProcess& server, int expected_exit,
                                std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"engine", "verify", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = server.run_cli(args);
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  return r.json().as_object();
}

TEST(EngineVerify, CleanDatabasePassesAndACorruptCashIsNamed) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, "verify-rain", "Rain in Oslo?");
  auto s = sign_up(server, unique_email());
  auto accounts = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(s.access_token));
  ASSERT_EQ(accounts.status, 200) << accounts.summary();
  const std::string account(accounts.json().at("data").at(0).at("accountId").as_string());

  const auto place = [&](boost::json::object body) {
    body["accountId"] = account;
    body["marketId"] = "verify-rain";
    body["outcome"] = "YES";
    auto r = post(server, "/api/v1/orders", body, bearer(s.access_token));
    EXPECT_EQ(r.status, 201) << r.summary();
  };
  // Taker fills with fees, a resting BUY (cash reserved), a resting SELL (shares reserved), a sale.
  place({{"side", "buy"}, {"orderType", "market"}, {"size", "150"}});
  place({{"side", "buy"}, {"orderType", "limit"}, {"size", "10"}, {"limitPrice", "0.50"}});
  place({{"side", "sell"}, {"orderType", "limit"}, {"size", "20"}, {"limitPrice", "0.70"}});
  place({{"side", "sell"}, {"orderType", "market"}, {"size", "30"}});

  // Beside the running server: a read-only view, nothing to report.
  auto live = verify_json(server, 0);
  EXPECT_GE(live.at("accounts_checked").as_int64(), 1);
  EXPECT_TRUE(live.at("violations").as_array().empty()) << boost::json::serialize(live);

  ASSERT_EQ(server.stop(), 0);
  auto stopped = verify_json(server, 0);
  EXPECT_TRUE(stopped.at("violations").as_array().empty()) << boost::json::serialize(stopped);

  std::int64_t balance = 0;
  {
    store::sqlite::SqliteConnection db(server.data_dir() + "/polysim.db", "normal", false);
    auto read = db.prepare("SELECT cash + reserved, reserved FROM accounts WHERE id = ?1");
    read.bind(1, account);
    ASSERT_TRUE(read.step());
    balance = read.int64(0);
    ASSERT_GT(read.int64(1), 0);
    auto corrupt = db.prepare("UPDATE accounts SET cash = cash + 1 WHERE id = ?1");
    corrupt.bind(1, account);
    corrupt.run();
  }

  auto found = verify_json(server, 1);
  const auto& violations = found.at("violations").as_array();
  ASSERT_EQ(violations.size(), 1u) << boost::json::serialize(found);
  const auto& v = violations.at(0).as_object();
  EXPECT_EQ(v.at("account_id").as_string(), account);
  EXPECT_EQ(v.at("property").as_string(), "conservation.ledger");
  EXPECT_EQ(v.at("expected").as_int64(), balance);
  EXPECT_EQ(v.at("found").as_int64(), balance + 1);
  EXPECT_FALSE(v.at("detail").as_string().empty());

  // Text: one line per violation, then the summary; --account narrows the check.
  auto text = server.run_cli({"engine", "verify", "--account", account});
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_EQ(text.out, "account " + account + ": conservation.ledger: expected " + std::to_string(balance) +
                          ", found " + std::to_string(balance + 1) + " (" + std::string(v.at("detail").as_string()) +
                          ")\nchecked 1 account: 1 violation\n");

  auto unknown = server.run_cli({"engine", "verify", "--account", "no-such-account"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "error: no account with id 'no-such-account'\n");
}

}  // namespace
}  // namespace polysim::testing::trader_it
