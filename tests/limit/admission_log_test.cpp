#include "limit/admission_log.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>

namespace polysim::limit {
namespace {

TEST(AdmissionLogTest, AdmissionsInTheSameMillisecondShareOneRun) {
  AdmissionLog log;
  for (int i = 0; i < 1000; ++i) log.record(5'000);
  log.record(5'001);
  EXPECT_EQ(log.total(), 1001);
  EXPECT_EQ(log.run_count(), 2u);
  EXPECT_EQ(log.oldest_ms(), 5'000);
  EXPECT_EQ(log.newest_ms(), 5'001);
}

TEST(AdmissionLogTest, ExpireThroughDropsInstantsAtOrBeforeTheCutoff) {
  AdmissionLog log;
  log.record(10);
  log.record(10);
  log.record(20);
  log.record(30);
  log.expire_through(9);
  EXPECT_EQ(log.total(), 4);
  log.expire_through(10);
  EXPECT_EQ(log.total(), 2);
  EXPECT_EQ(log.oldest_ms(), 20);
  log.expire_through(30);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(log.total(), 0);
}

TEST(AdmissionLogTest, KthOldestCountsMultiplicities) {
  AdmissionLog log;
  for (int i = 0; i < 3; ++i) log.record(100);
  for (int i = 0; i < 2; ++i) log.record(200);
  log.record(300);
  EXPECT_EQ(log.kth_oldest_ms(1), 100);
  EXPECT_EQ(log.kth_oldest_ms(3), 100);
  EXPECT_EQ(log.kth_oldest_ms(4), 200);
  EXPECT_EQ(log.kth_oldest_ms(5), 200);
  EXPECT_EQ(log.kth_oldest_ms(6), 300);
}

TEST(AdmissionLogTest, AnOlderInstantJoinsTheNewestRun) {
  AdmissionLog log;
  log.record(50);
  log.record(40);
  EXPECT_EQ(log.run_count(), 1u);
  EXPECT_EQ(log.total(), 2);
  EXPECT_EQ(log.oldest_ms(), 50);
}

TEST(AdmissionLogTest, ReserveForMakesRoomForANewRunOnly) {
  AdmissionLog log;
  log.reserve_for(1);
  const auto capacity = log.run_capacity();
  ASSERT_GE(capacity, 1u);
  for (std::int64_t ms = 1; ms <= static_cast<std::int64_t>(capacity); ++ms) log.record(ms);
  log.reserve_for(static_cast<std::int64_t>(capacity));  // joins the newest run: no growth needed
  EXPECT_EQ(log.run_capacity(), capacity);
  log.reserve_for(static_cast<std::int64_t>(capacity) + 1);
  EXPECT_GT(log.run_capacity(), capacity);
}

TEST(AdmissionLogTest, BehavesLikeAQueueAcrossRingWrapsAndShrinks) {
  std::mt19937_64 rng(7);
  AdmissionLog log;
  std::deque<std::int64_t> model;  // one element per admission
  std::int64_t now = 0;
  for (int step = 0; step < 20'000; ++step) {
    now += static_cast<std::int64_t>(rng() % 3);
    const auto action = rng() % 10;
    if (action < 6) {
      log.record(now);
      model.push_back(now);
    } else if (action < 9) {
      const std::int64_t cutoff = now - static_cast<std::int64_t>(rng() % 40);
      log.expire_through(cutoff);
      while (!model.empty() && model.front() <= cutoff) model.pop_front();
    } else {
      log.shrink_to_occupancy();
    }
    ASSERT_EQ(log.total(), static_cast<std::int64_t>(model.size()));
    if (!model.empty()) {
      ASSERT_EQ(log.oldest_ms(), model.front());
      ASSERT_EQ(log.newest_ms(), model.back());
      const auto k = static_cast<std::int64_t>(rng() % model.size()) + 1;
      ASSERT_EQ(log.kth_oldest_ms(k), model[static_cast<std::size_t>(k - 1)]);
    }
  }
}

TEST(AdmissionLogTest, ShrinkGivesBackSpaceABurstLeftBehind) {
  AdmissionLog log;
  for (std::int64_t ms = 0; ms < 4096; ++ms) log.record(ms);
  const auto peak = log.run_capacity();
  log.expire_through(4093);
  log.shrink_to_occupancy();
  EXPECT_LT(log.run_capacity(), peak / 16);
  EXPECT_EQ(log.total(), 2);
  EXPECT_EQ(log.oldest_ms(), 4094);
  log.expire_through(5000);
  log.shrink_to_occupancy();
  EXPECT_EQ(log.run_capacity(), 0u);
}

}  // namespace
}  // namespace polysim::limit
