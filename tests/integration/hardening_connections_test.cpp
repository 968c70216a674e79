// Connection-level abuse: slowloris header trickles, idle keep-alive connections and the
// connection cap. Slow or idle clients are cut at their timeout while others are served at once.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "hardening_support.hpp"

namespace polysim::testing::hardening {
namespace {

class HardeningConnections : public HardeningTest {};

TEST_F(HardeningConnections, SlowlorisConnectionsAreCutWhileOthersAreServed) {
  constexpr int kAttackers = 20;
  constexpr auto kByteInterval = 300ms;
  // Header timeout + slack, in byte intervals, plus a few: the loop can never run longer.
  constexpr int kMaxRounds = 12;
  const std::string trickle = raw_request("GET", "/healthz", "X-Padding: " + std::string(200, 'p') + "\r\n");

  struct Attacker {
    HttpConnection conn;
    Clock::time_point first_byte{};
    std::optional<long long> closed_after_ms;
  };
  std::vector<Attacker> attackers(kAttackers);
  for (auto& a : attackers) a.conn = connect();

  std::vector<long long> normal_latencies_ms;
  for (int round = 0; round < kMaxRounds; ++round) {
    const auto round_start = Clock::now();
    bool any_open = false;
    for (auto& a : attackers) {
      if (a.closed_after_ms) continue;
      if (round == 0) a.first_byte = Clock::now();
      const bool sent = a.conn.send_raw(std::string_view(trickle).substr(static_cast<std::size_t>(round), 1), 200ms);
      if (!sent || a.conn.closed_by_peer(0ms)) {
        a.closed_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - a.first_byte).count();
        // Whatever came back before the close must not be a 2xx for a request never completed.
        EXPECT_FALSE(a.conn.buffered().starts_with("HTTP/1.1 2")) << a.conn.buffered();
        continue;
      }
      any_open = true;
    }
    // A well-behaved client on its own connection is answered promptly during the attack.
    const auto start = Clock::now();
    try {
      const auto r = http_request(port(), "GET", "/healthz", {}, {}, 2s);
      EXPECT_EQ(r.status, 200) << r.summary();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "normal client failed during the attack: " << e.what();
    }
    normal_latencies_ms.push_back(ms_since(start));
    if (!any_open) break;
    std::this_thread::sleep_for(kByteInterval - std::min<Clock::duration>(Clock::now() - round_start, kByteInterval));
  }
  for (std::size_t i = 0; i < attackers.size(); ++i) {
    auto& a = attackers[i];
    if (!a.closed_after_ms && a.conn.closed_by_peer(500ms)) a.closed_after_ms = ms_since(a.first_byte);
    ASSERT_TRUE(a.closed_after_ms.has_value()) << "attacker " << i << " was never disconnected";
    EXPECT_LE(*a.closed_after_ms, std::chrono::milliseconds(kHeaderTimeout + kSlack).count()) << "attacker " << i;
    // The header timeout is a total: trickling bytes must not keep extending it.
    EXPECT_GE(*a.closed_after_ms, 600) << "attacker " << i << " was cut before the header timeout";
  }
  ASSERT_FALSE(normal_latencies_ms.empty());
  for (auto ms : normal_latencies_ms) EXPECT_LT(ms, 1000) << "a normal request took " << ms << " ms";
  expect_still_serving("slowloris");
}

TEST_F(HardeningConnections, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  // One connection that served a request, one that never sent a byte.
  auto used = connect();
  EXPECT_EQ(used.request("GET", "/healthz", {}, {}, 2s).status, 200);
  const auto used_since = Clock::now();
  auto silent = connect();
  const auto silent_since = Clock::now();

  EXPECT_TRUE(used.closed_by_peer(kIdleTimeout + kSlack)) << "keep-alive connection outlived the idle timeout";
  const auto used_ms = ms_since(used_since);
  EXPECT_TRUE(silent.closed_by_peer(kIdleTimeout + kSlack)) << "silent connection outlived the idle timeout";
  const auto silent_ms = ms_since(silent_since);
  for (auto ms : {used_ms, silent_ms}) {
    EXPECT_GE(ms, std::chrono::milliseconds(kIdleTimeout).count() - 300) << "closed before the idle timeout";
    EXPECT_LE(ms, std::chrono::milliseconds(kIdleTimeout + kSlack).count());
  }
  EXPECT_TRUE(used.buffered().empty()) << used.buffered();
  EXPECT_TRUE(silent.buffered().empty()) << "a silent connection got bytes: " << silent.buffered();

  // Activity resets the idle clock: requests every 800 ms keep a connection for > 2 × idle.
  auto busy = connect();
  const auto busy_start = Clock::now();
  for (int i = 0; i < 6; ++i) {
    const auto r = busy.request("GET", "/healthz", {}, {}, 2s);
    EXPECT_EQ(r.status, 200);
    std::this_thread::sleep_for(800ms);
  }
  EXPECT_EQ(busy.connect_count(), 1) << "the connection was dropped while in use";
  EXPECT_GE(ms_since(busy_start), 4000);
  expect_still_serving("idle connections");
}

class HardeningConnectionCap : public HardeningTest {
 protected:
  std::vector<std::string> server_args() override { return short_timeout_args("20"); }
};

TEST_F(HardeningConnectionCap, ConnectionsOverTheCapAre503AndCapacityReturns) {
  constexpr int kCap = 20;
  // Only our connections may count: give the readiness probe's connection time to go away.
  std::this_thread::sleep_for(200ms);
  std::vector<HttpConnection> held;
  for (int i = 0; i < kCap; ++i) {
    held.push_back(connect());
    // Served once, so each is accepted and counted before the next connects. The idle timeout
    // (2 s) is longer than this test needs them for; each is refreshed below.
    const auto r = held.back().request("GET", "/healthz", {}, {}, 2s);
    ASSERT_EQ(r.status, 200) << "connection " << i << ": " << r.summary();
  }

  auto extra = connect();
  const auto rejected = extra.read_response(3s);
  if (rejected) {
    expect_generic_error(*rejected, 503, "SERVICE_UNAVAILABLE");
    EXPECT_EQ(rejected->header("Connection"), "close") << rejected->summary();
  }
  EXPECT_TRUE(extra.closed_by_peer(2s)) << "the connection over the cap was kept open";

  // Held connections still work while the cap is reached.
  for (int i = 0; i < 3; ++i) {
    const auto r = held[static_cast<std::size_t>(i)].request("GET", "/healthz", {}, {}, 2s);
    EXPECT_EQ(r.status, 200) << r.summary();
    EXPECT_EQ(held[static_cast<std::size_t>(i)].connect_count(), 1);
  }

  // Free five slots: new connections are accepted again once the server notices the closes.
  for (int i = 0; i < 5; ++i) held.pop_back();
  bool admitted = false;
  for (int attempt = 0; attempt < 20 && !admitted; ++attempt) {
    try {
      admitted = http_request(port(), "GET", "/healthz", {}, {}, 1s).status == 200;
    } catch (const std::exception&) {
      // Closed or 503 while the freed slots were still counted.
    }
    if (!admitted) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(admitted) << "no new connection was served after closing five";
  // Four more fit at the same time next to the fifteen still held.
  std::vector<HttpConnection> more;
  for (int i = 0; i < 4; ++i) {
    more.push_back(connect());
    const auto r = more.back().request("GET", "/healthz", {}, {}, 2s);
    EXPECT_EQ(r.status, 200) << "re-admitted connection " << i << ": " << r.summary();
  }
  held.clear();
  more.clear();
  std::this_thread::sleep_for(200ms);
  expect_still_serving("connection cap");
}

TEST_F(HardeningConnectionCap, CapReachedBySlowlorisDoesNotOutliveTheHeaderTimeout) {
  // Twenty connections that never finish their headers fill the cap; the header timeout
  // frees the slots, so the server is reachable again within about that timeout.
  std::vector<HttpConnection> stuck;
  for (int i = 0; i < 20; ++i) {
    stuck.push_back(connect());
    ASSERT_TRUE(stuck.back().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n", 1s));
  }
  const auto start = Clock::now();
  bool served = false;
  for (int attempt = 0; attempt < 30 && !served; ++attempt) {
    try {
      served = http_request(port(), "GET", "/healthz", {}, {}, 1s).status == 200;
    } catch (const std::exception&) {
    }
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
  EXPECT_LT(ms_since(start), std::chrono::milliseconds(kHeaderTimeout + kSlack).count());
  for (auto& c : stuck) EXPECT_TRUE(c.closed_by_peer(kHeaderTimeout + kSlack));
  expect_still_serving("cap filled by slow headers");
}

}  // namespace
}  // namespace polysim::testing::hardening
