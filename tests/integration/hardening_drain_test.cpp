// Graceful drain on SIGTERM: idle keep-alive connections are closed at once, a request already
// being sent is still answered, stuck clients cannot hold the process past its timeouts, and the
// process exits 0.
#include <signal.h>

#include <string>
#include <thread>
#include <vector>

#include "hardening_support.hpp"

namespace polysim::testing::hardening {
namespace {

class HardeningDrain : public HardeningTest {
 protected:
  void TearDown() override {
    if (!server_) return;
    if (signalled_) {
      // The test asked for the exit: the process must be gone and must have exited 0.
      const int status = server_->stop();
      EXPECT_EQ(status, 0) << server_->log_tail();
      return;
    }
    HardeningTest::TearDown();
  }

  void send_sigterm() {
    ASSERT_TRUE(server_->running());
    signalled_at_ = Clock::now();
    signalled_ = true;
    ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  }

  // Polls until the process is gone; bounded by `limit`.
  bool exited_within(std::chrono::milliseconds limit) {
    const auto deadline = signalled_at_ + limit;
    while (Clock::now() < deadline) {
      if (!server_->running()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return !server_->running();
  }

  bool connection_refused() {
    try {
      http_request(port(), "GET", "/healthz", {}, {}, 1s);
      return false;
    } catch (const std::exception&) {
      return true;
    }
  }

  bool signalled_ = false;
  Clock::time_point signalled_at_{};
};

TEST_F(HardeningDrain, IdleKeepAliveConnectionsAreClosedAndTheProcessExitsZero) {
  std::vector<HttpConnection> idle;
  for (int i = 0; i < 5; ++i) {
    idle.push_back(connect());
    EXPECT_EQ(idle.back().request("GET", "/healthz", {}, {}, 2s).status, 200);
  }
  idle.push_back(connect());  // never sends anything
  expect_still_serving("before SIGTERM");

  send_sigterm();
  for (std::size_t i = 0; i < idle.size(); ++i) {
    EXPECT_TRUE(idle[i].closed_by_peer(1500ms)) << "idle connection " << i << " was not closed by the drain";
    EXPECT_TRUE(idle[i].buffered().empty()) << idle[i].buffered();
  }
  EXPECT_TRUE(exited_within(kDrainTimeout + kSlack)) << server_->log_tail();
  EXPECT_LT(ms_since(signalled_at_), 2000) << "idle connections alone should not use the drain timeout";
  EXPECT_EQ(server_->stop(), 0) << server_->log_tail();
}

TEST_F(HardeningDrain, RequestBeingSentWhenTheDrainStartsIsAnswered) {
  // Headers half sent: the connection is busy, not idle.
  auto headers = connect();
  ASSERT_TRUE(headers.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", 1s));
  // Body half sent on an authenticated POST.
  auto body = connect();
  const std::string user = R"({"external_id":"drain-user","email":"drain-user@example.com"})";
  ASSERT_TRUE(body.send_raw(raw_request("POST", "/v1/partner/users",
                                        auth_header() + "Content-Type: application/json\r\nContent-Length: " +
                                            std::to_string(user.size()) + "\r\n",
                                        user.substr(0, 20)),
                            1s));
  std::this_thread::sleep_for(150ms);  // both are in the server's hands before the signal

  send_sigterm();
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(connection_refused()) << "new connections were still accepted while draining";
  ASSERT_TRUE(server_->running()) << "exited with requests in flight";

  ASSERT_TRUE(headers.send_raw("X-Late: 1\r\n\r\n", 1s));
  const auto health = headers.read_response(2s);
  ASSERT_TRUE(health) << headers.last_error();
  EXPECT_EQ(health->status, 200) << health->summary();
  EXPECT_EQ(health->header("Connection"), "close") << health->summary();
  EXPECT_TRUE(headers.closed_by_peer(1s));

  ASSERT_TRUE(body.send_raw(user.substr(20), 1s));
  const auto created = body.read_response(3s);
  ASSERT_TRUE(created) << body.last_error();
  EXPECT_TRUE(created->status == 201 || created->status == 200) << created->summary();
  EXPECT_EQ(created->header("Connection"), "close") << created->summary();
  EXPECT_TRUE(body.closed_by_peer(1s));

  EXPECT_TRUE(exited_within(kDrainTimeout + kSlack)) << server_->log_tail();
  EXPECT_EQ(server_->stop(), 0) << server_->log_tail();
}

TEST_F(HardeningDrain, StuckClientsCannotHoldTheProcessPastTheDrainTimeout) {
  // Slow headers, a never-finished body and a pile of idle connections at once.
  std::vector<HttpConnection> conns;
  for (int i = 0; i < 10; ++i) {
    conns.push_back(connect());
    ASSERT_TRUE(conns.back().send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", 1s));
  }
  for (int i = 0; i < 5; ++i) {
    conns.push_back(connect());
    ASSERT_TRUE(conns.back().send_raw(
        raw_request("POST", "/v1/partner/accounts",
                    auth_header() + "Content-Type: application/json\r\nContent-Length: 500\r\n", "{"),
        1s));
  }
  for (int i = 0; i < 10; ++i) conns.push_back(connect());
  std::this_thread::sleep_for(100ms);

  send_sigterm();
  EXPECT_TRUE(exited_within(kDrainTimeout + kSlack)) << "still running " << ms_since(signalled_at_)
                                                      << " ms after SIGTERM\n"
                                                      << server_->log_tail();
  for (auto& c : conns) EXPECT_TRUE(c.closed_by_peer(500ms));
  EXPECT_EQ(server_->stop(), 0) << server_->log_tail();
}

TEST_F(HardeningDrain, AbuseBeforeTheDrainDoesNotSpoilTheExit) {
  // A mix of the abusive cases, then a normal stop: still exit code 0.
  const std::vector<std::string> abuse = {"GARBAGE\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                                         raw_request("GET", "/healthz", "Content-Length: x\r\n")};
  for (const auto& bytes : abuse) {
    auto conn = connect();
    (void)exchange(conn, bytes, 2s);
  }
  {
    auto big = connect();
    (void)exchange(big,
                   raw_request("POST", "/v1/partner/accounts",
                               auth_header() + "Content-Type: application/json\r\nContent-Length: 10000000\r\n"),
                   2s);
  }
  expect_still_serving("mixed abuse");
  send_sigterm();
  EXPECT_TRUE(exited_within(kDrainTimeout + kSlack)) << server_->log_tail();
  EXPECT_EQ(server_->stop(), 0) << server_->log_tail();
}

}  // namespace
}  // namespace polysim::testing::hardening
