#include "limit/fail_open_guard.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "limit/fault_injecting_limiter.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace polysim::limit {
namespace {

using namespace std::chrono_literals;

class FailOpenGuardTest : public ::testing::Test {
 protected:
  FailOpenGuard make_guard(std::chrono::milliseconds timeout = FailOpenGuard::kDefaultStoreTimeout) {
    return FailOpenGuard(faulty_, [this](std::string_view reason) { reasons_.emplace_back(reason); }, timeout);
  }

  const std::vector<WindowTuple> tuples_{{"tenant:1", 2, 1'000}};
  ManualClock clock_;
  InProcessSlidingLog inner_{clock_};
  FaultInjectingLimiter faulty_{inner_};
  std::vector<std::string> reasons_;
};

TEST_F(FailOpenGuardTest, PassesDecisionsThroughIncludingRejections) {
  FailOpenGuard guard = make_guard();
  EXPECT_EQ(guard.store_timeout(), 50ms);
  ASSERT_TRUE(guard.decide(tuples_).has_value());
  ASSERT_TRUE(guard.decide(tuples_).has_value());
  const auto rejected = guard.decide(tuples_);
  ASSERT_TRUE(rejected.has_value());
  EXPECT_FALSE(rejected->admitted);
  EXPECT_TRUE(rejected->windows[0].blocking);
  EXPECT_EQ(guard.store_errors(), 0u);
  EXPECT_TRUE(reasons_.empty());
}

TEST_F(FailOpenGuardTest, FailsOpenWhenTheStoreThrows) {
  FailOpenGuard guard = make_guard();
  faulty_.set_throw_store_error();
  EXPECT_FALSE(guard.decide(tuples_).has_value());
  EXPECT_FALSE(guard.decide(tuples_).has_value());
  EXPECT_EQ(guard.store_errors(), 2u);
  ASSERT_EQ(reasons_.size(), 2u);
  EXPECT_NE(reasons_[0].find("store error"), std::string::npos) << reasons_[0];

  faulty_.set_pass_through();
  EXPECT_TRUE(guard.decide(tuples_).has_value());
  EXPECT_EQ(guard.store_errors(), 2u);
}

TEST_F(FailOpenGuardTest, FailsOpenOnAnyOtherLimiterException) {
  FailOpenGuard guard = make_guard();
  const std::vector<WindowTuple> invalid{{"b", -1, 1'000}};
  EXPECT_FALSE(guard.decide(invalid).has_value());
  EXPECT_EQ(guard.store_errors(), 1u);
  ASSERT_EQ(reasons_.size(), 1u);
}

TEST_F(FailOpenGuardTest, FailsOpenWhenTheStoreAnswersAfterTheTimeout) {
  FailOpenGuard guard = make_guard(10ms);
  faulty_.set_delay(40ms);
  EXPECT_FALSE(guard.decide(tuples_).has_value());
  EXPECT_EQ(guard.store_errors(), 1u);
  ASSERT_EQ(reasons_.size(), 1u);
  EXPECT_NE(reasons_[0].find("timeout"), std::string::npos) << reasons_[0];
}

TEST_F(FailOpenGuardTest, ASlowButTimelyAnswerCounts) {
  FailOpenGuard guard = make_guard(2'000ms);
  faulty_.set_delay(5ms);
  const auto decision = guard.decide(tuples_);
  ASSERT_TRUE(decision.has_value());
  EXPECT_TRUE(decision->admitted);
  EXPECT_EQ(guard.store_errors(), 0u);
}

TEST_F(FailOpenGuardTest, WorksWithoutACallback) {
  FailOpenGuard guard(faulty_, nullptr);
  faulty_.set_throw_store_error();
  EXPECT_FALSE(guard.decide(tuples_).has_value());
  EXPECT_EQ(guard.store_errors(), 1u);
}

}  // namespace
}  // namespace polysim::limit
