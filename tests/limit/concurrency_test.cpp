// Exactness under contention: many threads on the system clock, then every admission instant is
// checked against every window it falls in.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace polysim::limit {
namespace {

// The limiter reads the clock exactly once per check, on the checking thread, so the value this
// thread read last is the instant its latest admission was recorded at. Reading the clock again
// after check() returns could be later and make a correct limiter look wrong.
thread_local std::int64_t last_read_on_this_thread = 0;

class AttributingClock final : public Clock {
 public:
  std::int64_t now_unix_micros() const override { return system_.now_unix_micros(); }
  std::int64_t monotonic_millis() const override {
    last_read_on_this_thread = system_.monotonic_millis();
    return last_read_on_this_thread;
  }

 private:
  SystemClock system_;
};

std::int64_t most_admissions_in_any_window(std::vector<std::int64_t> instants, std::int64_t window_ms) {
  std::sort(instants.begin(), instants.end());
  std::int64_t most = 0;
  std::size_t first = 0;
  for (std::size_t last = 0; last < instants.size(); ++last) {
    while (instants[first] <= instants[last] - window_ms) ++first;
    most = std::max<std::int64_t>(most, static_cast<std::int64_t>(last - first + 1));
  }
  return most;
}

TEST(SlidingLogConcurrencyTest, SharedBucketsNeverAdmitOverTheirLimits) {
  constexpr int kThreads = 8;
  constexpr std::int64_t kTenantPerSecond = 50;
  constexpr std::int64_t kTenantPerMinute = 70;
  constexpr std::int64_t kKeyPerSecond = 30;
  const auto run_for = std::chrono::milliseconds(1'300);

  AttributingClock clock;
  InProcessSlidingLog limiter(clock);
  std::vector<std::vector<std::int64_t>> admitted_by_key(kThreads);  // per thread, key = thread % 2
  std::atomic<std::int64_t> checks{0};
  std::atomic<bool> go{false};

  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "key:" + std::to_string(t % 2);
      std::vector<WindowTuple> tuples{{"tenant", kTenantPerSecond, 1'000},
                                      {key, kKeyPerSecond, 1'000},
                                      {"tenant", kTenantPerMinute, 60'000}};
      // Half the threads list the tuples the other way round; lock ordering must not care.
      if (t % 4 >= 2) std::reverse(tuples.begin(), tuples.end());
      while (!go.load()) std::this_thread::yield();
      std::int64_t local_checks = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        ++local_checks;
        if (limiter.check(tuples).admitted) admitted_by_key[t].push_back(last_read_on_this_thread);
      }
      checks += local_checks;
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();

  std::vector<std::int64_t> tenant;
  std::map<int, std::vector<std::int64_t>> per_key;
  for (int t = 0; t < kThreads; ++t) {
    tenant.insert(tenant.end(), admitted_by_key[t].begin(), admitted_by_key[t].end());
    auto& key = per_key[t % 2];
    key.insert(key.end(), admitted_by_key[t].begin(), admitted_by_key[t].end());
  }

  EXPECT_LE(most_admissions_in_any_window(tenant, 1'000), kTenantPerSecond);
  EXPECT_LE(most_admissions_in_any_window(tenant, 60'000), kTenantPerMinute);
  EXPECT_LE(most_admissions_in_any_window(per_key[0], 1'000), kKeyPerSecond);
  EXPECT_LE(most_admissions_in_any_window(per_key[1], 1'000), kKeyPerSecond);

  // Every check was admitted or rejected as a whole, so the limiter's own counts agree with what
  // the threads saw: the tenant's minute log holds exactly the admissions.
  const std::vector<WindowTuple> probe{{"tenant", kTenantPerMinute + 1'000, 60'000}};
  const auto total = static_cast<std::int64_t>(tenant.size());
  EXPECT_EQ(limiter.check(probe).windows[0].count, total + 1);

  // Eight spinning threads saturate the first second; the minute cap bounds the rest.
  EXPECT_GE(total, kTenantPerSecond);
  EXPECT_LE(total, kTenantPerMinute);
  EXPECT_GT(checks.load(), 10 * total);
}

TEST(SlidingLogConcurrencyTest, ExactWhileChecksSweepShortLivedLogs) {
  constexpr int kThreads = 4;
  constexpr int kBuckets = 64;
  constexpr std::int64_t kLimit = 3;
  constexpr std::int64_t kWindowMs = 7;
  const auto run_for = std::chrono::milliseconds(400);

  AttributingClock clock;
  // Frequent small sweep steps, so logs are dropped and recreated while other threads check.
  InProcessSlidingLog limiter(clock, SlidingLogOptions{.stripes = 4, .checks_per_sweep_step = 2,
                                                      .buckets_per_sweep_step = 8});
  std::vector<std::map<int, std::vector<std::int64_t>>> admitted(kThreads);
  std::atomic<bool> go{false};
  const auto deadline = std::chrono::steady_clock::now() + run_for;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::uint32_t state = 2'463'534'242u + static_cast<std::uint32_t>(t);
      while (!go.load()) std::this_thread::yield();
      while (std::chrono::steady_clock::now() < deadline) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        const int a = static_cast<int>(state % kBuckets);
        const int b = static_cast<int>((state >> 8) % kBuckets);
        const std::vector<WindowTuple> tuples{{"b" + std::to_string(a), kLimit, kWindowMs},
                                              {"b" + std::to_string(b), kLimit, kWindowMs}};
        if (!limiter.check(tuples).admitted) continue;
        admitted[t][a].push_back(last_read_on_this_thread);
        if (b != a) admitted[t][b].push_back(last_read_on_this_thread);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();

  std::map<int, std::vector<std::int64_t>> per_bucket;
  std::size_t total = 0;
  for (const auto& by_bucket : admitted) {
    for (const auto& [bucket, instants] : by_bucket) {
      per_bucket[bucket].insert(per_bucket[bucket].end(), instants.begin(), instants.end());
      total += instants.size();
    }
  }
  for (const auto& [bucket, instants] : per_bucket)
    EXPECT_LE(most_admissions_in_any_window(instants, kWindowMs), kLimit) << "bucket b" << bucket;
  EXPECT_GT(total, static_cast<std::size_t>(kBuckets));

  std::this_thread::sleep_for(std::chrono::milliseconds(kWindowMs + 1));
  limiter.sweep();
  EXPECT_EQ(limiter.occupancy().logs, 0u);
}

}  // namespace
}  // namespace polysim::limit
