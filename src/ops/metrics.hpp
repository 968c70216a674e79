// Prometheus metrics of the process: request counts and latency per route and status,
// limiter decisions and store errors. One instance, owned by the composition root.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace polysim::ops {

class Metrics {
 public:
  void record_request(const std::string& listener, const std::string& route, int status, std::int64_t latency_us);
  void record_rejected_connection(const std::string& listener);
  void record_limiter_decision(const std::string& policy, bool admitted);
  void record_limiter_store_error();
  std::uint64_t limiter_store_errors() const { return limiter_store_errors_.load(); }
  std::string render_prometheus() const;

 private:
  static constexpr std::array<std::int64_t, 12> kBucketsUs = {100, 250, 500, 1000, 2500, 5000, 10000,
                                                              25000, 50000, 100000, 250000, 1000000};
  struct Series {
    std::uint64_t count = 0;
    std::int64_t sum_us = 0;
    std::array<std::uint64_t, kBucketsUs.size()> buckets{};
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, Series> requests_;
  std::map<std::string, std::uint64_t> rejected_connections_;
  std::map<std::pair<std::string, bool>, std::uint64_t> limiter_decisions_;
  std::atomic<std::uint64_t> limiter_store_errors_{0};
};

}  // namespace polysim::ops
