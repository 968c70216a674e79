// The exact sliding-log limiter held in this process's memory. It sits on every API request, so
// the logs are spread over mutex-guarded stripes: unrelated buckets rarely contend, and a check
// locks only the stripes its tuples hash to (in ascending order, so multi-bucket checks stay
// atomic without deadlocking).
//
// Logs whose window has emptied are removed a little at a time by the checks themselves, and all
// at once by sweep(); memory therefore follows the buckets active within their window.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/clock.hpp"
#include "limit/rate_limiter.hpp"

namespace polysim::limit {

struct SlidingLogOptions {
  // Rounded up to a power of two.
  std::size_t stripes = 64;
  // Each log a check creates pays for examining this many hash buckets of its stripe for emptied
  // logs. Reclaiming faster than creating keeps emptied logs below about half of a stripe's map
  // however many distinct buckets the traffic names.
  std::size_t buckets_swept_per_new_log = 4;
  // Traffic that creates no logs still clears what earlier bursts left behind, a few buckets
  // every so many checks touching a stripe, at a negligible cost per check.
  std::uint32_t checks_per_sweep_step = 1024;
  std::size_t buckets_per_sweep_step = 16;
};

struct LimiterOccupancy {
  std::size_t logs = 0;  // (bucket, window) pairs held
  std::size_t runs = 0;  // distinct admission milliseconds held across them
};

class InProcessSlidingLog final : public RateLimiter {
 public:
  // `clock` must outlive the limiter, be safe to read from several threads and never go back.
  explicit InProcessSlidingLog(const Clock& clock, SlidingLogOptions options = {});
  ~InProcessSlidingLog() override;
  InProcessSlidingLog(const InProcessSlidingLog&) = delete;
  InProcessSlidingLog& operator=(const InProcessSlidingLog&) = delete;

  Decision check(std::span<const WindowTuple> tuples) override;

  // Drops every log whose window is empty and trims the rest; returns how many logs it dropped.
  // Meant for a periodic timer; checks already reclaim incrementally.
  std::size_t sweep();

  // A snapshot stripe by stripe, for metrics and tests; not atomic across stripes.
  LimiterOccupancy occupancy() const;

 private:
  struct Stripe;

  std::size_t stripe_of(std::size_t key_hash) const;
  static void sweep_buckets(Stripe& stripe, std::size_t bucket_budget, std::int64_t now_ms);

  const Clock& clock_;
  SlidingLogOptions options_;
  std::size_t stripe_mask_ = 0;
  std::unique_ptr<Stripe[]> stripes_;
};

}  // namespace polysim::limit
