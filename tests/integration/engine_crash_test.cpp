// A crash under load (40-trading-engine.md §11): traders place orders concurrently, the server
// is killed with SIGKILL mid-stream and restarted. Every acknowledged order is there as it was
// acknowledged, every retry of an unanswered one either finds the original or places it once,
// and the stored state holds the §12 invariants (ledger = cash + reserved, fills add up to their
// orders and positions, reservations match the open orders, nothing negative).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "partner_helpers.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

struct Acked {
  std::string order_id;
  std::string status;
  std::string filled_size;
};

struct Trader {
  Session session;
  std::string account;
  std::map<std::string, Acked> acked;   // client order id → what the server acknowledged
  std::vector<std::string> unanswered;  // client order ids sent without an answer
};

std::string demo_account(const ServerProcess& server, const Session& s) {
  auto r = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(s.access_token));
  EXPECT_EQ(r.status, 200) << r.summary();
  return std::string(r.json().at("data").as_array().at(0).at("accountId").as_string());
}

boost::json::object order(const Trader& t, int n) {
  boost::json::object o{{"accountId", t.account}, {"marketId", "crash-market"}, {"outcome", "YES"},
                        {"side", "buy"},          {"size", "5"},              {"clientOrderId", "c-" + std::to_string(n)}};
  // Every fourth order rests below the ask, so reservations are part of what must survive.
  if (n % 4 == 3) {
    o["orderType"] = "LIMIT";
    o["limitPrice"] = "0.50";
  } else {
    o["orderType"] = "MARKET";
  }
  return o;
}

void place_until_the_server_dies(const ServerProcess& server, Trader& t, std::atomic<bool>& stop,
                                 std::atomic<int>& acknowledged) {
  std::optional<HttpConnection> c;
  // Below the default tier's 200 requests a minute per principal, so nothing is rate limited.
  for (int n = 0; n < 190 && !stop.load(); ++n) {
    const auto body = order(t, n);
    const std::string client_id(body.at("clientOrderId").as_string());
    try {
      if (!c) c.emplace("127.0.0.1", server.api_port(), std::chrono::milliseconds(500));
      auto headers = bearer(t.session.access_token);
      headers.emplace_back("Content-Type", "application/json");
      auto r = c->request("POST", "/api/v1/orders", headers, json_text(body));
      if (r.status == 201) {
        const auto o = r.json().as_object();
        t.acked[client_id] = Acked{std::string(o.at("orderId").as_string()), std::string(o.at("status").as_string()),
                                   std::string(o.at("filledSize").as_string())};
        ++acknowledged;
      } else {
        ADD_FAILURE() << client_id << ": " << r.summary();
      }
    } catch (const std::exception&) {
      t.unanswered.push_back(client_id);
      return;  // the server is gone
    }
  }
}

std::int64_t one(store::sqlite::SqliteConnection& c, const std::string& sql, const std::string& param) {
  auto s = c.prepare(sql);
  s.bind(1, param);
  return s.step() ? s.int64(0) : -1;
}

TEST(EngineCrash, AcknowledgedOrdersSurviveKillNineAndInvariantsHold) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  ASSERT_EQ(admin(server, "POST", "/admin/markets",
                  {{"slug", "crash-market"}, {"question", "Crash?"}, {"category", "weather"}, {"feed", "manual"}})
                .status,
            201);
  ASSERT_EQ(admin(server, "POST", "/admin/markets/crash-market/book",
                  {{"outcome", "YES"},
                   {"bids", boost::json::array{boost::json::array{"0.55", "1000000"}}},
                   {"asks", boost::json::array{boost::json::array{"0.56", "1000000"}}}})
                .status,
            200);

  constexpr int kTraders = 8;
  std::vector<Trader> traders(kTraders);
  for (auto& t : traders) {
    t.session = sign_up(server, unique_email("crash"));
    t.account = demo_account(server, t.session);
  }

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (auto& t : traders) threads.emplace_back([&] { place_until_the_server_dies(server, t, stop, acknowledged); });
  // Killed mid-stream: once a fifth of the orders are acknowledged, whatever the machine's speed.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acknowledged.load() < kTraders * 190 / 5 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  server.kill9();
  stop = true;
  for (auto& th : threads) th.join();

  std::size_t acked = 0, cut_off = 0;
  for (const auto& t : traders) {
    acked += t.acked.size();
    cut_off += t.unanswered.size();
  }
  std::printf("acknowledged %zu, cut off %zu\n", acked, cut_off);
  ASSERT_GT(acked, 20u) << "too little load before the kill to mean anything";
  EXPECT_GT(cut_off, 0u) << "every client had finished before the kill: it did not happen under load";

  server.start();  // recovery checks every held account's ledger and exits 3 on a mismatch
  for (auto& t : traders) {
    for (const auto& [client_id, a] : t.acked) {
      auto r = send(server, "GET", "/api/v1/orders/" + a.order_id, std::nullopt, bearer(t.session.access_token));
      ASSERT_EQ(r.status, 200) << client_id << " was acknowledged but is gone: " << r.summary();
      const auto o = r.json().as_object();
      EXPECT_EQ(o.at("status").as_string(), a.status) << client_id;
      EXPECT_EQ(o.at("filledSize").as_string(), a.filled_size) << client_id;
    }
    // A retry of an unanswered order finds the original or places it now, never twice.
    for (const auto& client_id : t.unanswered) {
      auto body = order(t, std::stoi(client_id.substr(2)));
      auto r = post(server, "/api/v1/orders", body, bearer(t.session.access_token));
      EXPECT_TRUE(r.status == 200 || r.status == 201) << client_id << ": " << r.summary();
    }
  }

  // §12.9: `polysim engine verify` passes after the crash, beside the recovered server.
  const auto verified = server.run_cli({"engine", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  store::sqlite::SqliteConnection db(partner_it::db_path(server), "normal", true);
  for (const auto& t : traders) {
    const auto& id = t.account;
    EXPECT_EQ(one(db, "SELECT COUNT(*) FROM orders WHERE account_id = ?1 GROUP BY client_order_id "
                      "HAVING COUNT(*) > 1", id),
              -1)
        << "a client order id placed twice";
    EXPECT_EQ(one(db, "SELECT (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ?1) - "
                      "(cash + reserved) FROM accounts WHERE id = ?1", id),
              0)
        << "ledger and cash disagree for " << id;
    EXPECT_EQ(one(db, "SELECT reserved - (SELECT COALESCE(SUM(reserved_cash), 0) FROM orders WHERE account_id = ?1 "
                      "AND status = 'OPEN') FROM accounts WHERE id = ?1", id),
              0)
        << "reserved cash and open orders disagree for " << id;
    EXPECT_EQ(one(db, "SELECT COUNT(*) FROM orders o WHERE account_id = ?1 AND filled_size <> "
                      "(SELECT COALESCE(SUM(size), 0) FROM fills f WHERE f.order_id = o.order_id)", id),
              0)
        << "an order whose fills do not add up";
    EXPECT_EQ(one(db, "SELECT COALESCE((SELECT size FROM positions WHERE account_id = ?1 AND status = 'OPEN'), 0) - "
                      "(SELECT COALESCE(SUM(size), 0) FROM fills WHERE account_id = ?1)", id),
              0)
        << "the position and the fills disagree";
    EXPECT_EQ(one(db, "SELECT COUNT(*) FROM accounts WHERE id = ?1 AND (cash < 0 OR reserved < 0)", id), 0);
  }
}

}  // namespace
}  // namespace polysim::testing::trader_it
