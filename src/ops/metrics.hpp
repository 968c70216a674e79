// Prometheus metrics of the process: request counts and latency per route and status,
// limiter decisions and store errors. One instance, owned by the composition root.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace polysim::ops {

class Metrics {
 public:
  void record_request(std::string_view listener, std::string_view route, int status, std::int64_t latency_us);
  void record_rejected_connection(const std::string& listener);
  void record_limiter_decision(std::string_view policy, bool admitted);
  void record_limiter_store_error();
  // 30-partner-apps.md §5.2: testing-mode refusals, cap "users" or "trades".
  void record_app_cap_refusal(std::string_view cap);
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
  struct SeriesKey {
    std::string listener;
    std::string route;
    int status;
  };
  struct SeriesKeyView {
    std::string_view listener;
    std::string_view route;
    int status;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const SeriesKeyView& k) const noexcept;
    std::size_t operator()(const SeriesKey& k) const noexcept { return (*this)(SeriesKeyView{k.listener, k.route, k.status}); }
  };
  struct KeyEqual {
    using is_transparent = void;
    static SeriesKeyView view(const SeriesKey& k) { return {k.listener, k.route, k.status}; }
    static SeriesKeyView view(const SeriesKeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      auto x = view(a), y = view(b);
      return x.status == y.status && x.route == y.route && x.listener == y.listener;
    }
  };
  // Request series are sharded by recording thread so event loops rarely contend; a lookup
  // of an existing series allocates nothing.
  struct RequestShard {
    std::mutex mutex;
    std::unordered_map<SeriesKey, Series, KeyHash, KeyEqual> series;
  };
  mutable std::array<RequestShard, 8> request_shards_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> rejected_connections_;
  // By policy; transparent so that counting an existing policy allocates nothing.
  std::map<std::string, std::uint64_t, std::less<>> limiter_admitted_;
  std::map<std::string, std::uint64_t, std::less<>> limiter_rejected_;
  std::atomic<std::uint64_t> limiter_store_errors_{0};
  std::atomic<std::uint64_t> app_user_cap_refusals_{0};
  std::atomic<std::uint64_t> app_trade_cap_refusals_{0};
};

}  // namespace polysim::ops
