#include "limit/fault_injecting_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace polysim::limit {
namespace {

using namespace std::chrono_literals;

class FaultInjectingLimiterTest : public ::testing::Test {
 protected:
  std::int64_t charged() {
    const std::vector<WindowTuple> probe{{"b", 1'000, 1'000}};
    return inner_.check(probe).windows[0].count - 1;
  }

  const std::vector<WindowTuple> tuples_{{"b", 1'000, 1'000}};
  ManualClock clock_;
  InProcessSlidingLog inner_{clock_};
  FaultInjectingLimiter faulty_{inner_};
};

TEST_F(FaultInjectingLimiterTest, PassesThroughByDefault) {
  EXPECT_EQ(faulty_.mode(), FaultMode::PassThrough);
  const Decision d = faulty_.check(tuples_);
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.windows[0].count, 1);
}

TEST_F(FaultInjectingLimiterTest, ThrowModeFailsWithoutReachingTheInnerLimiter) {
  faulty_.set_throw_store_error();
  EXPECT_EQ(faulty_.mode(), FaultMode::ThrowStoreError);
  EXPECT_THROW(faulty_.check(tuples_), LimiterStoreError);
  EXPECT_THROW(faulty_.check(tuples_), LimiterStoreError);
  EXPECT_EQ(charged(), 0);
}

TEST_F(FaultInjectingLimiterTest, DelayModeSleepsThenPassesThrough) {
  faulty_.set_delay(30ms);
  EXPECT_EQ(faulty_.mode(), FaultMode::Delay);
  EXPECT_EQ(faulty_.delay(), 30ms);
  const auto started = std::chrono::steady_clock::now();
  const Decision d = faulty_.check(tuples_);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 30ms);
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(charged(), 1);
}

TEST_F(FaultInjectingLimiterTest, ModesCanBeSwitchedBack) {
  faulty_.set_throw_store_error();
  EXPECT_THROW(faulty_.check(tuples_), LimiterStoreError);
  faulty_.set_pass_through();
  EXPECT_TRUE(faulty_.check(tuples_).admitted);
  EXPECT_EQ(charged(), 1);
}

TEST_F(FaultInjectingLimiterTest, ANegativeDelayMeansNoDelay) {
  faulty_.set_delay(-5ms);
  EXPECT_EQ(faulty_.delay(), 0ms);
  EXPECT_TRUE(faulty_.check(tuples_).admitted);
}

TEST(FaultInjectingLimiterThreadsTest, ModeChangesWhileOtherThreadsCheck) {
  SystemClock clock;
  InProcessSlidingLog inner(clock);
  FaultInjectingLimiter faulty(inner);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> passes{0};
  std::vector<std::thread> checkers;
  for (int t = 0; t < 2; ++t) {
    checkers.emplace_back([&] {
      const std::vector<WindowTuple> tuples{{"b", 1'000'000, 1'000}};
      while (!stop.load()) {
        try {
          faulty.check(tuples);
          ++passes;
        } catch (const LimiterStoreError&) {
          ++failures;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    faulty.set_throw_store_error();
    std::this_thread::sleep_for(1ms);
    faulty.set_delay(0ms);
    std::this_thread::sleep_for(1ms);
    faulty.set_pass_through();
  }
  stop = true;
  for (auto& checker : checkers) checker.join();
  EXPECT_GT(failures.load(), 0);
  EXPECT_GT(passes.load(), 0);
}

}  // namespace
}  // namespace polysim::limit
