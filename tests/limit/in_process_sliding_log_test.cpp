#include "limit/in_process_sliding_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace polysim::limit {
namespace {

constexpr std::int64_t kSecond = 1'000;
constexpr std::int64_t kMinute = 60'000;

class InProcessSlidingLogTest : public ::testing::Test {
 protected:
  Decision check(std::vector<WindowTuple> tuples) { return limiter_.check(tuples); }
  Decision check_one(const std::string& bucket, std::int64_t limit, std::int64_t window_ms) {
    return check({{bucket, limit, window_ms}});
  }
  int admit_until_rejected(const std::string& bucket, std::int64_t limit, std::int64_t window_ms) {
    int admitted = 0;
    while (check_one(bucket, limit, window_ms).admitted) ++admitted;
    return admitted;
  }

  ManualClock clock_;
  InProcessSlidingLog limiter_{clock_};
};

TEST_F(InProcessSlidingLogTest, AdmitsExactlyTheLimitThenRejects) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    const Decision d = check_one("tenant:1", 3, kSecond);
    ASSERT_TRUE(d.admitted);
    ASSERT_EQ(d.windows.size(), 1u);
    EXPECT_EQ(d.windows[0].limit, 3);
    EXPECT_EQ(d.windows[0].window_ms, kSecond);
    EXPECT_EQ(d.windows[0].count, i);
    EXPECT_EQ(d.windows[0].remaining, 3 - i);
    EXPECT_FALSE(d.windows[0].blocking);
    EXPECT_EQ(d.windows[0].retry_after_ms, 0);
  }
  const Decision rejected = check_one("tenant:1", 3, kSecond);
  EXPECT_FALSE(rejected.admitted);
  EXPECT_TRUE(rejected.windows[0].blocking);
  EXPECT_EQ(rejected.windows[0].count, 3);
  EXPECT_EQ(rejected.windows[0].remaining, 0);
}

TEST_F(InProcessSlidingLogTest, AnAdmissionLeavesTheWindowExactlyWindowMsLater) {
  ASSERT_TRUE(check_one("b", 1, kSecond).admitted);
  clock_.advance_millis(kSecond - 1);
  EXPECT_FALSE(check_one("b", 1, kSecond).admitted);
  clock_.advance_millis(1);
  EXPECT_TRUE(check_one("b", 1, kSecond).admitted);
}

TEST_F(InProcessSlidingLogTest, RejectionsChargeNothing) {
  EXPECT_EQ(admit_until_rejected("b", 3, kSecond), 3);
  for (int i = 0; i < 99; ++i) {
    clock_.advance_millis(10);
    ASSERT_FALSE(check_one("b", 3, kSecond).admitted);
  }
  clock_.advance_millis(10);  // exactly one window after the three admissions
  EXPECT_EQ(admit_until_rejected("b", 3, kSecond), 3);
}

TEST_F(InProcessSlidingLogTest, RejectionsForAnUnknownBucketCreateNoLog) {
  EXPECT_FALSE(check({{"fresh", 1, kSecond}, {"closed", 0, kSecond}}).admitted);
  EXPECT_EQ(limiter_.occupancy().logs, 0u);
}

TEST_F(InProcessSlidingLogTest, NothingIsChargedWhenAnyTupleBlocks) {
  const std::vector<WindowTuple> tuples{{"tenant:1", 5, kSecond}, {"key:1", 2, kSecond}};
  EXPECT_TRUE(check(tuples).admitted);
  EXPECT_TRUE(check(tuples).admitted);
  for (int i = 0; i < 10; ++i) {
    const Decision d = check(tuples);
    ASSERT_FALSE(d.admitted);
    EXPECT_FALSE(d.windows[0].blocking);
    EXPECT_EQ(d.windows[0].count, 2);
    EXPECT_EQ(d.windows[0].remaining, 3);
    EXPECT_EQ(d.windows[0].retry_after_ms, 0);
    EXPECT_TRUE(d.windows[1].blocking);
    EXPECT_EQ(d.windows[1].count, 2);
  }
  // The tenant bucket still has exactly three admissions left.
  EXPECT_EQ(admit_until_rejected("tenant:1", 5, kSecond), 3);
}

TEST_F(InProcessSlidingLogTest, RetryAfterAndResetForAOneSecondWindow) {
  const std::int64_t start = clock_.monotonic_millis();
  ASSERT_TRUE(check_one("b", 3, kSecond).admitted);  // start
  clock_.advance_millis(100);
  const Decision second = check_one("b", 3, kSecond);
  ASSERT_TRUE(second.admitted);
  EXPECT_EQ(second.windows[0].reset_ms, 900);  // the first admission leaves at start + 1000
  clock_.advance_millis(150);
  ASSERT_TRUE(check_one("b", 3, kSecond).admitted);  // start + 250
  clock_.advance_millis(150);

  const Decision blocked = check_one("b", 3, kSecond);  // start + 400
  ASSERT_FALSE(blocked.admitted);
  EXPECT_EQ(blocked.windows[0].retry_after_ms, 600);
  EXPECT_EQ(blocked.windows[0].reset_ms, 600);

  clock_.advance_millis(599);
  const Decision almost = check_one("b", 3, kSecond);
  ASSERT_FALSE(almost.admitted);
  EXPECT_EQ(almost.windows[0].retry_after_ms, 1);
  clock_.advance_millis(1);
  ASSERT_EQ(clock_.monotonic_millis(), start + kSecond);
  const Decision admitted = check_one("b", 3, kSecond);
  ASSERT_TRUE(admitted.admitted);
  EXPECT_EQ(admitted.windows[0].count, 3);
  EXPECT_EQ(admitted.windows[0].reset_ms, 100);  // start + 100 is now the oldest
}

TEST_F(InProcessSlidingLogTest, RetryAfterAndResetForASixtySecondWindow) {
  ASSERT_TRUE(check_one("tenant:9", 3, kMinute).admitted);
  ASSERT_TRUE(check_one("tenant:9", 3, kMinute).admitted);
  clock_.advance_millis(10'000);
  ASSERT_TRUE(check_one("tenant:9", 3, kMinute).admitted);
  clock_.advance_millis(20'000);

  const Decision blocked = check_one("tenant:9", 3, kMinute);
  ASSERT_FALSE(blocked.admitted);
  EXPECT_EQ(blocked.windows[0].retry_after_ms, 30'000);
  EXPECT_EQ(blocked.windows[0].reset_ms, 30'000);

  clock_.advance_millis(29'999);
  EXPECT_FALSE(check_one("tenant:9", 3, kMinute).admitted);
  clock_.advance_millis(1);
  // Both admissions of the first millisecond left together: two fit, the third does not.
  EXPECT_EQ(admit_until_rejected("tenant:9", 3, kMinute), 2);
  const Decision after = check_one("tenant:9", 3, kMinute);
  EXPECT_EQ(after.windows[0].retry_after_ms, 10'000);
  EXPECT_EQ(after.windows[0].reset_ms, 10'000);
}

TEST_F(InProcessSlidingLogTest, RetryAfterSkipsAdmissionsWhenTheLimitWasLowered) {
  const std::int64_t start = clock_.monotonic_millis();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(check_one("b", 10, kSecond).admitted);
    clock_.advance_millis(100);
  }
  clock_.advance_millis(-50);  // start + 950; admissions at start + 0, 100, ..., 900
  ASSERT_EQ(clock_.monotonic_millis(), start + 950);

  // Five must slide out before one more fits under five: the sixth oldest is at start + 500.
  const Decision blocked = check_one("b", 5, kSecond);
  ASSERT_FALSE(blocked.admitted);
  EXPECT_EQ(blocked.windows[0].count, 10);
  EXPECT_EQ(blocked.windows[0].remaining, 0);
  EXPECT_EQ(blocked.windows[0].retry_after_ms, 550);
  EXPECT_EQ(blocked.windows[0].reset_ms, 50);

  clock_.advance_millis(549);
  const Decision almost = check_one("b", 5, kSecond);
  EXPECT_FALSE(almost.admitted);
  EXPECT_EQ(almost.windows[0].count, 5);
  EXPECT_EQ(almost.windows[0].retry_after_ms, 1);
  clock_.advance_millis(1);
  EXPECT_TRUE(check_one("b", 5, kSecond).admitted);
}

TEST_F(InProcessSlidingLogTest, RetryAfterCountsAdmissionsInTheSameMillisecond) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(check_one("b", 10, kMinute).admitted);
  clock_.advance_millis(1'000);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(check_one("b", 14, kMinute).admitted);
  clock_.advance_millis(1'000);
  // 14 in the window, limit 5: k = 10 is still in the first millisecond; limit 3: k = 12 is not.
  EXPECT_EQ(check_one("b", 5, kMinute).windows[0].retry_after_ms, kMinute - 2'000);
  EXPECT_EQ(check_one("b", 3, kMinute).windows[0].retry_after_ms, kMinute - 1'000);
}

TEST_F(InProcessSlidingLogTest, ALimitOfZeroAlwaysBlocks) {
  const Decision d = check_one("closed", 0, kSecond);
  EXPECT_FALSE(d.admitted);
  EXPECT_TRUE(d.windows[0].blocking);
  EXPECT_EQ(d.windows[0].count, 0);
  EXPECT_EQ(d.windows[0].remaining, 0);
  EXPECT_EQ(d.windows[0].retry_after_ms, kSecond);
  EXPECT_EQ(d.windows[0].reset_ms, 0);
}

TEST_F(InProcessSlidingLogTest, TheSameBucketWithTwoWindowsKeepsTwoLogs) {
  const auto tuples = [] { return std::vector<WindowTuple>{{"tenant:1", 2, kSecond}, {"tenant:1", 3, kMinute}}; };
  const std::int64_t start = clock_.monotonic_millis();
  ASSERT_TRUE(check(tuples()).admitted);
  ASSERT_TRUE(check(tuples()).admitted);
  Decision d = check(tuples());
  ASSERT_FALSE(d.admitted);
  EXPECT_TRUE(d.windows[0].blocking);
  EXPECT_FALSE(d.windows[1].blocking);
  EXPECT_EQ(d.windows[1].remaining, 1);

  clock_.advance_millis(kSecond);
  d = check(tuples());
  ASSERT_TRUE(d.admitted);
  EXPECT_EQ(d.windows[0].count, 1);
  EXPECT_EQ(d.windows[1].count, 3);
  EXPECT_EQ(d.windows[1].reset_ms, kMinute - kSecond);

  d = check(tuples());
  ASSERT_FALSE(d.admitted);
  EXPECT_FALSE(d.windows[0].blocking);
  EXPECT_TRUE(d.windows[1].blocking);
  EXPECT_EQ(d.windows[1].retry_after_ms, start + kMinute - clock_.monotonic_millis());
}

TEST_F(InProcessSlidingLogTest, DuplicateTuplesShareOneChargePerRequest) {
  const std::vector<WindowTuple> same{{"b", 3, kSecond}, {"b", 3, kSecond}};
  for (std::int64_t i = 1; i <= 3; ++i) {
    const Decision d = check(same);
    ASSERT_TRUE(d.admitted);
    EXPECT_EQ(d.windows[0].count, i);
    EXPECT_EQ(d.windows[1].count, i);
  }
  EXPECT_FALSE(check(same).admitted);
}

TEST_F(InProcessSlidingLogTest, DuplicateTuplesWithDifferentLimitsActLikeTheSmaller) {
  const std::vector<WindowTuple> tuples{{"b", 5, kSecond}, {"other", 9, kSecond}, {"b", 2, kSecond}};
  ASSERT_TRUE(check(tuples).admitted);
  ASSERT_TRUE(check(tuples).admitted);
  const Decision d = check(tuples);
  ASSERT_FALSE(d.admitted);
  EXPECT_FALSE(d.windows[0].blocking);
  EXPECT_EQ(d.windows[0].remaining, 3);
  EXPECT_TRUE(d.windows[2].blocking);
  EXPECT_EQ(d.windows[1].count, 2);
}

TEST_F(InProcessSlidingLogTest, ManyTuplesInOneCheckAreStillAtomic) {
  std::vector<WindowTuple> tuples;
  for (int i = 0; i < 20; ++i) tuples.push_back({"bucket:" + std::to_string(i), 100, kSecond});
  tuples.push_back({"bucket:7", 2, kMinute});
  ASSERT_TRUE(check(tuples).admitted);
  ASSERT_TRUE(check(tuples).admitted);
  const Decision d = check(tuples);
  ASSERT_FALSE(d.admitted);
  ASSERT_EQ(d.windows.size(), tuples.size());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.windows[static_cast<std::size_t>(i)].count, 2);
  EXPECT_TRUE(d.windows[20].blocking);
}

TEST_F(InProcessSlidingLogTest, InvalidTuplesThrowAndChargeNothing) {
  EXPECT_THROW(check({{"ok", 5, kSecond}, {"bad", -1, kSecond}}), std::invalid_argument);
  EXPECT_THROW(check({{"ok", 5, kSecond}, {"bad", 5, 0}}), std::invalid_argument);
  EXPECT_EQ(admit_until_rejected("ok", 5, kSecond), 5);
}

TEST_F(InProcessSlidingLogTest, AnEmptyTupleListIsAdmitted) {
  const Decision d = check({});
  EXPECT_TRUE(d.admitted);
  EXPECT_TRUE(d.windows.empty());
}

TEST_F(InProcessSlidingLogTest, MemoryFollowsDistinctMillisecondsNotAdmissions) {
  for (int ms = 0; ms < 5; ++ms) {
    for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(check_one("hot", 10'000'000, kMinute).admitted);
    clock_.advance_millis(1);
  }
  const LimiterOccupancy occupancy = limiter_.occupancy();
  EXPECT_EQ(occupancy.logs, 1u);
  EXPECT_EQ(occupancy.runs, 5u);
  EXPECT_EQ(check_one("hot", 10'000'000, kMinute).windows[0].count, 100'001);
}

TEST_F(InProcessSlidingLogTest, SweepDropsLogsWhoseWindowEmptied) {
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(check_one("short:" + std::to_string(i), 1, kSecond).admitted);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(check_one("long:" + std::to_string(i), 1, kMinute).admitted);
  EXPECT_EQ(limiter_.occupancy().logs, 110u);

  clock_.advance_millis(kSecond - 1);
  EXPECT_EQ(limiter_.sweep(), 0u);
  clock_.advance_millis(1);
  EXPECT_EQ(limiter_.sweep(), 100u);
  EXPECT_EQ(limiter_.occupancy().logs, 10u);
  EXPECT_EQ(limiter_.occupancy().runs, 10u);

  // A swept bucket starts afresh.
  EXPECT_TRUE(check_one("short:3", 1, kSecond).admitted);
  clock_.advance_millis(kMinute);
  EXPECT_EQ(limiter_.sweep(), 11u);
  EXPECT_EQ(limiter_.occupancy().logs, 0u);
}

TEST(InProcessSlidingLogSweepTest, ChecksReclaimEmptiedLogsWithoutAnExplicitSweep) {
  ManualClock clock;
  InProcessSlidingLog limiter(clock, SlidingLogOptions{.stripes = 4, .checks_per_sweep_step = 8});
  for (int i = 0; i < 500; ++i) {
    const std::vector<WindowTuple> tuples{{"old:" + std::to_string(i), 1, 100}};
    ASSERT_TRUE(limiter.check(tuples).admitted);
  }
  EXPECT_EQ(limiter.occupancy().logs, 500u);
  clock.advance_millis(100);

  // Traffic on a few live buckets touches every stripe and sweeps the rest away as it goes.
  for (int round = 0; round < 200; ++round) {
    for (int b = 0; b < 16; ++b) {
      const std::vector<WindowTuple> tuples{{"live:" + std::to_string(b), 1'000'000, 100}};
      ASSERT_TRUE(limiter.check(tuples).admitted);
    }
  }
  EXPECT_EQ(limiter.occupancy().logs, 16u);
}

TEST(InProcessSlidingLogSweepTest, ABucketPerRequestDoesNotPileUpEmptiedLogs) {
  ManualClock clock;
  // Only creation-driven reclaiming: the periodic steps never come round in this test.
  InProcessSlidingLog limiter(clock, SlidingLogOptions{.stripes = 4, .checks_per_sweep_step = 1'000'000});
  std::size_t most_logs = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::vector<WindowTuple> tuples{{"once:" + std::to_string(i), 1, 10}};
    ASSERT_TRUE(limiter.check(tuples).admitted);
    clock.advance_millis(1);
    if (i % 100 == 0) most_logs = std::max(most_logs, limiter.occupancy().logs);
  }
  // Ten live logs at any time; the emptied ones must stay a bounded overhead on top.
  EXPECT_LE(most_logs, 64u);
}

TEST(InProcessSlidingLogOptionsTest, OneStripeStillWorks) {
  ManualClock clock;
  InProcessSlidingLog limiter(clock, SlidingLogOptions{.stripes = 1, .checks_per_sweep_step = 1});
  const std::vector<WindowTuple> tuples{{"a", 2, 10}, {"b", 1, 10}};
  EXPECT_TRUE(limiter.check(tuples).admitted);
  EXPECT_FALSE(limiter.check(tuples).admitted);
  clock.advance_millis(10);
  EXPECT_TRUE(limiter.check(tuples).admitted);
}

}  // namespace
}  // namespace polysim::limit
