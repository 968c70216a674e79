// Cost of the rate-limit check every API request pays: four tuples (tenant and key, each per
// second and per minute) on the in-process sliding log, alone and with a second thread
// contending. The argument is the number of tenants the traffic is spread over; with one, both
// threads fight over the same stripes.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "limit/in_process_sliding_log.hpp"

namespace {

using polysim::SystemClock;
using polysim::limit::InProcessSlidingLog;
using polysim::limit::WindowTuple;

// Real limits reach 10,000,000 a minute, which repeated full-speed runs on one bucket would
// exhaust; the cost of a check does not depend on the limit, only on whether it admits.
constexpr std::int64_t kNeverBindingLimit = std::int64_t{1} << 40;

// Benchmark threads share the fixture object, and with it one limiter.
class LimiterBench : public benchmark::Fixture {
 protected:
  SystemClock clock_;
  InProcessSlidingLog limiter_{clock_};
};

std::vector<std::array<WindowTuple, 4>> request_tuples(const benchmark::State& state, std::int64_t limit) {
  // Distinct names per configuration, so earlier runs' admissions do not count against later ones.
  const std::string run = std::to_string(state.range(0)) + "/" + std::to_string(state.threads()) + "/" +
                          std::to_string(limit) + ":";
  std::vector<std::array<WindowTuple, 4>> requests;
  for (std::int64_t tenant = 0; tenant < state.range(0); ++tenant) {
    const std::string tenant_bucket = run + "tenant:" + std::to_string(tenant);
    const std::string key_bucket = run + "key:" + std::to_string(tenant) + ":0f3a9c2e71b4d8a6";
    requests.push_back({WindowTuple{tenant_bucket, limit, 1'000}, WindowTuple{tenant_bucket, limit, 60'000},
                        WindowTuple{key_bucket, limit, 1'000}, WindowTuple{key_bucket, limit, 60'000}});
  }
  return requests;
}

BENCHMARK_DEFINE_F(LimiterBench, FourTupleCheckAdmitted)(benchmark::State& state) {
  const auto requests = request_tuples(state, kNeverBindingLimit);
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 7;
  std::int64_t rejected = 0;
  for (auto _ : state) {
    const auto decision = limiter_.check(requests[next % requests.size()]);
    rejected += decision.admitted ? 0 : 1;
    benchmark::DoNotOptimize(decision);
    ++next;
  }
  state.counters["rejected"] = static_cast<double>(rejected);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_DEFINE_F(LimiterBench, FourTupleCheckRejected)(benchmark::State& state) {
  auto requests = request_tuples(state, kNeverBindingLimit);
  for (auto& request : requests) request[3].limit = 0;  // the key's minute window is closed
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 7;
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter_.check(requests[next % requests.size()]));
    ++next;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_REGISTER_F(LimiterBench, FourTupleCheckAdmitted)
    ->Arg(1)
    ->Arg(1024)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_REGISTER_F(LimiterBench, FourTupleCheckRejected)
    ->Arg(1)
    ->Arg(1024)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
