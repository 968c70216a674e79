// Randomised checks of the limiter against a deliberately naive model that keeps every admission
// instant forever, plus the defining property: no interval (t - W, t] holds more than L.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace polysim::limit {
namespace {

using LogId = std::pair<std::string, std::int64_t>;  // (bucket, window_ms)

class NaiveSlidingLog {
 public:
  Decision check(const std::vector<WindowTuple>& tuples, std::int64_t now) {
    Decision decision;
    std::vector<std::vector<std::int64_t>> in_window;
    for (const auto& t : tuples) {
      std::vector<std::int64_t> instants;
      for (std::int64_t at : admissions_[{t.bucket, t.window_ms}])
        if (at > now - t.window_ms) instants.push_back(at);
      std::sort(instants.begin(), instants.end());
      if (static_cast<std::int64_t>(instants.size()) >= t.limit) decision.admitted = false;
      in_window.push_back(std::move(instants));
    }
    if (decision.admitted) {
      std::map<LogId, bool> charged;
      for (const auto& t : tuples) {
        if (charged[{t.bucket, t.window_ms}]) continue;
        charged[{t.bucket, t.window_ms}] = true;
        admissions_[{t.bucket, t.window_ms}].push_back(now);
      }
    }
    for (std::size_t i = 0; i < tuples.size(); ++i) {
      const auto& t = tuples[i];
      auto instants = in_window[i];
      if (decision.admitted) instants.push_back(now);
      const auto c = static_cast<std::int64_t>(in_window[i].size());
      WindowState s;
      s.limit = t.limit;
      s.window_ms = t.window_ms;
      s.count = static_cast<std::int64_t>(instants.size());
      s.remaining = std::max<std::int64_t>(0, t.limit - s.count);
      s.blocking = !decision.admitted && c >= t.limit;
      if (s.blocking) {
        const std::int64_t k = c - t.limit + 1;
        s.retry_after_ms =
            k <= c ? in_window[i][static_cast<std::size_t>(k - 1)] + t.window_ms - now : t.window_ms;
      }
      s.reset_ms = instants.empty() ? 0 : instants.front() + t.window_ms - now;
      decision.windows.push_back(s);
    }
    return decision;
  }

 private:
  std::map<LogId, std::vector<std::int64_t>> admissions_;
};

void expect_same(const Decision& actual, const Decision& expected, int step) {
  ASSERT_EQ(actual.admitted, expected.admitted) << "step " << step;
  ASSERT_EQ(actual.windows.size(), expected.windows.size());
  for (std::size_t i = 0; i < actual.windows.size(); ++i) {
    const WindowState& a = actual.windows[i];
    const WindowState& e = expected.windows[i];
    ASSERT_EQ(a.limit, e.limit) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.window_ms, e.window_ms) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.count, e.count) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.remaining, e.remaining) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.blocking, e.blocking) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.retry_after_ms, e.retry_after_ms) << "step " << step << " tuple " << i;
    ASSERT_EQ(a.reset_ms, e.reset_ms) << "step " << step << " tuple " << i;
  }
}

// Admission instants must be in non-decreasing order.
std::int64_t most_admissions_in_any_window(const std::vector<std::int64_t>& instants, std::int64_t window_ms) {
  std::int64_t most = 0;
  std::size_t first = 0;
  // The count in (t - W, t] only grows at admission instants, so those are the t worth checking.
  for (std::size_t last = 0; last < instants.size(); ++last) {
    while (instants[first] <= instants[last] - window_ms) ++first;
    most = std::max<std::int64_t>(most, static_cast<std::int64_t>(last - first + 1));
  }
  return most;
}

TEST(SlidingLogPropertyTest, MatchesTheNaiveModelExactly) {
  const std::vector<std::string> buckets{"tenant:1", "tenant:2", "key:a", "key:b"};
  const std::vector<std::int64_t> windows{1, 250, 1'000, 60'000};
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed);
    ManualClock clock;
    InProcessSlidingLog limiter(clock, SlidingLogOptions{.stripes = 8, .checks_per_sweep_step = 3});
    NaiveSlidingLog model;
    for (int step = 0; step < 2'500; ++step) {
      const auto jump = rng() % 100;
      clock.advance_millis(jump < 40 ? 0 : jump < 95 ? static_cast<std::int64_t>(rng() % 60)
                                                      : static_cast<std::int64_t>(rng() % 70'000));
      std::vector<WindowTuple> tuples(1 + rng() % 4);
      for (auto& t : tuples) {
        t.bucket = buckets[rng() % buckets.size()];
        t.window_ms = windows[rng() % windows.size()];
        t.limit = static_cast<std::int64_t>(rng() % 9);  // 0 included; varies between checks
      }
      if (rng() % 50 == 0) limiter.sweep();
      const Decision expected = model.check(tuples, clock.monotonic_millis());
      const Decision actual = limiter.check(tuples);
      ASSERT_NO_FATAL_FAILURE(expect_same(actual, expected, step)) << "seed " << seed;
    }
  }
}

TEST(SlidingLogPropertyTest, NoWindowEverHoldsMoreThanTheLimit) {
  struct Scenario {
    std::int64_t limit;
    std::int64_t window_ms;
  };
  for (const Scenario scenario : {Scenario{1, 1'000}, Scenario{5, 1'000}, Scenario{7, 60'000}, Scenario{3, 17}}) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      std::mt19937_64 rng(seed * 1'000 + static_cast<std::uint64_t>(scenario.limit));
      ManualClock clock;
      InProcessSlidingLog limiter(clock);
      std::map<LogId, std::vector<std::int64_t>> admitted;
      std::int64_t admissions = 0;
      for (int step = 0; step < 5'000; ++step) {
        // Bursts in the same millisecond as well as gaps longer than the window.
        const auto gap = rng() % 10;
        clock.advance_millis(gap < 3 ? 0 : static_cast<std::int64_t>(rng() % (scenario.window_ms / 4 + 2)));
        std::vector<WindowTuple> tuples{{"tenant", scenario.limit, scenario.window_ms}};
        if (rng() % 2 == 0) {
          tuples.push_back({"key:" + std::to_string(rng() % 3), scenario.limit, scenario.window_ms});
        }
        if (!limiter.check(tuples).admitted) continue;
        ++admissions;
        for (const auto& t : tuples) admitted[{t.bucket, t.window_ms}].push_back(clock.monotonic_millis());
      }
      ASSERT_GT(admissions, scenario.limit);
      for (const auto& [log, instants] : admitted) {
        EXPECT_LE(most_admissions_in_any_window(instants, scenario.window_ms), scenario.limit)
            << log.first << " seed " << seed;
      }
      // The limiter is exact, not just safe: with bursts it fills some window completely.
      EXPECT_EQ(most_admissions_in_any_window(admitted[{"tenant", scenario.window_ms}], scenario.window_ms),
                scenario.limit);
    }
  }
}

}  // namespace
}  // namespace polysim::limit
