#include "limit/in_process_sliding_log.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "limit/admission_log.hpp"

namespace polysim::limit {

namespace {

// Requests carry a handful of tuples; up to this many need no heap scratch space.
constexpr std::size_t kInlineTuples = 8;
constexpr std::size_t kMaxStripes = std::size_t{1} << 16;

struct LogKey {
  std::string bucket;
  std::int64_t window_ms;
  std::size_t hash;
};

// Lets a check look a log up without copying the bucket name into a std::string.
struct LogKeyRef {
  std::string_view bucket;
  std::int64_t window_ms;
  std::size_t hash;
};

// The hash is computed once per tuple (it also picks the stripe) and carried in the key.
struct LogKeyHash {
  using is_transparent = void;
  std::size_t operator()(const LogKey& key) const noexcept { return key.hash; }
  std::size_t operator()(const LogKeyRef& key) const noexcept { return key.hash; }
};

struct LogKeyEqual {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return a.hash == b.hash && a.window_ms == b.window_ms &&
           std::string_view(a.bucket) == std::string_view(b.bucket);
  }
};

using LogMap = std::unordered_map<LogKey, AdmissionLog, LogKeyHash, LogKeyEqual>;

std::size_t hash_log_key(std::string_view bucket, std::int64_t window_ms) {
  std::uint64_t h = std::hash<std::string_view>{}(bucket);
  h ^= static_cast<std::uint64_t>(window_ms) * 0x9E3779B97F4A7C15ULL;
  // The stripe takes high bits and the map reduces modulo a prime, so every bit must depend on
  // the whole key: finish with the splitmix64 mixer.
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return static_cast<std::size_t>(h);
}

// A fixed-size array that lives on the stack for the usual few tuples.
template <class T, std::size_t InlineCapacity>
class ScratchArray {
 public:
  explicit ScratchArray(std::size_t size) : size_(size) {
    if (size > InlineCapacity) heap_.resize(size);
  }
  T* data() { return size_ > InlineCapacity ? heap_.data() : inline_.data(); }
  T& operator[](std::size_t index) { return data()[index]; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::array<T, InlineCapacity> inline_{};
  std::vector<T> heap_;
};

struct TupleSlot {
  std::size_t hash = 0;
  std::size_t stripe = 0;
  // The first tuple naming the same (bucket, window); only it looks up, creates and charges the
  // shared log.
  std::size_t owner = 0;
  AdmissionLog* log = nullptr;
  std::int64_t count_before = 0;
  bool created_log = false;
};

void validate(const WindowTuple& tuple) {
  if (tuple.limit < 0) throw std::invalid_argument("rate limit tuple has a negative limit");
  if (tuple.window_ms <= 0) throw std::invalid_argument("rate limit tuple has a non-positive window");
}

bool window_is_empty(AdmissionLog& log, std::int64_t window_ms, std::int64_t now_ms) {
  log.expire_through(now_ms - window_ms);
  return log.empty();
}

}  // namespace

struct alignas(64) InProcessSlidingLog::Stripe {
  std::mutex mutex;
  LogMap logs;
  std::uint32_t checks_since_sweep_step = 0;
  std::size_t sweep_cursor = 0;  // next hash bucket the incremental sweep looks at
};

namespace {

// Locks the given stripes in the order given (ascending, no repeats) and releases them in reverse.
template <class Stripe>
class OrderedStripeLocks {
 public:
  OrderedStripeLocks(Stripe* stripes, const std::size_t* indices, std::size_t count)
      : stripes_(stripes), indices_(indices), count_(count) {
    for (std::size_t i = 0; i < count_; ++i) stripes_[indices_[i]].mutex.lock();
  }
  ~OrderedStripeLocks() {
    for (std::size_t i = count_; i > 0; --i) stripes_[indices_[i - 1]].mutex.unlock();
  }
  OrderedStripeLocks(const OrderedStripeLocks&) = delete;
  OrderedStripeLocks& operator=(const OrderedStripeLocks&) = delete;

 private:
  Stripe* stripes_;
  const std::size_t* indices_;
  std::size_t count_;
};

}  // namespace

InProcessSlidingLog::InProcessSlidingLog(const Clock& clock, SlidingLogOptions options)
    : clock_(clock), options_(options) {
  const std::size_t stripes = std::bit_ceil(std::clamp<std::size_t>(options_.stripes, 1, kMaxStripes));
  options_.stripes = stripes;
  options_.checks_per_sweep_step = std::max<std::uint32_t>(options_.checks_per_sweep_step, 1);
  stripe_mask_ = stripes - 1;
  stripes_ = std::make_unique<Stripe[]>(stripes);
}

InProcessSlidingLog::~InProcessSlidingLog() = default;

std::size_t InProcessSlidingLog::stripe_of(std::size_t key_hash) const {
  return (key_hash >> 40) & stripe_mask_;
}

Decision InProcessSlidingLog::check(std::span<const WindowTuple> tuples) {
  Decision decision;
  if (tuples.empty()) return decision;
  for (const auto& tuple : tuples) validate(tuple);

  const std::size_t n = tuples.size();
  // Everything that allocates happens before the locks are taken.
  decision.windows.resize(n);
  ScratchArray<TupleSlot, kInlineTuples> slots(n);
  ScratchArray<std::size_t, kInlineTuples> stripes_to_lock(n);
  std::size_t lock_count = 0;

  for (std::size_t i = 0; i < n; ++i) {
    const WindowTuple& tuple = tuples[i];
    TupleSlot& slot = slots[i];
    slot.hash = hash_log_key(tuple.bucket, tuple.window_ms);
    slot.stripe = stripe_of(slot.hash);
    slot.owner = i;
    for (std::size_t j = 0; j < i; ++j) {
      if (slots[j].hash == slot.hash && tuples[j].window_ms == tuple.window_ms &&
          tuples[j].bucket == tuple.bucket) {
        slot.owner = slots[j].owner;
        break;
      }
    }
    // Insertion into the sorted, duplicate-free lock list; n is tiny.
    std::size_t at = 0;
    while (at < lock_count && stripes_to_lock[at] < slot.stripe) ++at;
    if (at < lock_count && stripes_to_lock[at] == slot.stripe) continue;
    for (std::size_t k = lock_count; k > at; --k) stripes_to_lock[k] = stripes_to_lock[k - 1];
    stripes_to_lock[at] = slot.stripe;
    ++lock_count;
  }

  OrderedStripeLocks<Stripe> locks(stripes_.get(), stripes_to_lock.data(), lock_count);
  // Read under the locks: any later check of the same log reads the clock after this one, so
  // each log's instants never decrease.
  const std::int64_t now = clock_.monotonic_millis();

  for (std::size_t i = 0; i < n; ++i) {
    TupleSlot& slot = slots[i];
    if (slot.owner != i) continue;
    const WindowTuple& tuple = tuples[i];
    LogMap& logs = stripes_[slot.stripe].logs;
    // A log is only created when it is charged, so rejected traffic for new buckets costs no memory.
    if (auto found = logs.find(LogKeyRef{tuple.bucket, tuple.window_ms, slot.hash}); found != logs.end()) {
      slot.log = &found->second;
      slot.log->expire_through(now - tuple.window_ms);
      slot.count_before = slot.log->total();
    }
  }

  bool admitted = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (slots[slots[i].owner].count_before >= tuples[i].limit) admitted = false;
  }

  if (admitted) {
    // Creating and growing logs can throw; finish all of it before charging any log so that an
    // exception leaves the counts untouched.
    for (std::size_t i = 0; i < n; ++i) {
      TupleSlot& slot = slots[i];
      if (slot.owner != i) continue;
      if (slot.log == nullptr) {
        const WindowTuple& tuple = tuples[i];
        auto [it, inserted] = stripes_[slot.stripe].logs.try_emplace(
            LogKey{tuple.bucket, tuple.window_ms, slot.hash});
        slot.log = &it->second;
        slot.created_log = inserted;
      }
      slot.log->reserve_for(now);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (slots[i].owner == i) slots[i].log->record(now);
    }
  }

  decision.admitted = admitted;
  for (std::size_t i = 0; i < n; ++i) {
    const WindowTuple& tuple = tuples[i];
    const TupleSlot& owner = slots[slots[i].owner];
    const AdmissionLog* log = owner.log;
    WindowState& state = decision.windows[i];
    state.limit = tuple.limit;
    state.window_ms = tuple.window_ms;
    state.count = admitted ? log->total() : owner.count_before;
    state.remaining = std::max<std::int64_t>(0, tuple.limit - state.count);
    state.blocking = !admitted && owner.count_before >= tuple.limit;
    if (state.blocking) {
      const std::int64_t k = owner.count_before - tuple.limit + 1;
      state.retry_after_ms =
          k <= owner.count_before ? log->kth_oldest_ms(k) + tuple.window_ms - now : tuple.window_ms;
    }
    state.reset_ms = (log != nullptr && !log->empty()) ? log->oldest_ms() + tuple.window_ms - now : 0;
  }

  // Only after the states are filled: sweeping may drop logs this check found empty.
  for (std::size_t i = 0; i < n; ++i) {
    if (slots[i].created_log) sweep_buckets(stripes_[slots[i].stripe], options_.buckets_swept_per_new_log, now);
  }
  for (std::size_t i = 0; i < lock_count; ++i) {
    Stripe& stripe = stripes_[stripes_to_lock[i]];
    if (++stripe.checks_since_sweep_step < options_.checks_per_sweep_step) continue;
    stripe.checks_since_sweep_step = 0;
    sweep_buckets(stripe, options_.buckets_per_sweep_step, now);
  }
  return decision;
}

void InProcessSlidingLog::sweep_buckets(Stripe& stripe, std::size_t bucket_budget, std::int64_t now_ms) {
  LogMap& logs = stripe.logs;
  if (logs.empty()) return;
  // A bucket cursor, unlike a map iterator, survives the rehashes that inserts cause; after one
  // it merely revisits or skips some buckets until the next round.
  const std::size_t bucket_count = logs.bucket_count();
  const std::size_t budget = std::min(bucket_budget, bucket_count);
  for (std::size_t step = 0; step < budget; ++step) {
    const std::size_t bucket = stripe.sweep_cursor % bucket_count;
    stripe.sweep_cursor = bucket + 1;
    for (auto it = logs.begin(bucket); it != logs.end(bucket);) {
      auto current = it++;
      if (window_is_empty(current->second, current->first.window_ms, now_ms)) {
        logs.erase(logs.find(current->first));
      } else {
        current->second.shrink_to_occupancy();
      }
    }
  }
}

std::size_t InProcessSlidingLog::sweep() {
  std::size_t removed = 0;
  for (std::size_t s = 0; s <= stripe_mask_; ++s) {
    Stripe& stripe = stripes_[s];
    std::lock_guard lock(stripe.mutex);
    // Under the lock, as in check(), so no log ever sees time go back.
    const std::int64_t now = clock_.monotonic_millis();
    LogMap& logs = stripe.logs;
    for (auto it = logs.begin(); it != logs.end();) {
      if (window_is_empty(it->second, it->first.window_ms, now)) {
        it = logs.erase(it);
        ++removed;
      } else {
        it->second.shrink_to_occupancy();
        ++it;
      }
    }
    // The bucket array never shrinks by itself; give back what a past burst of buckets left.
    if (logs.bucket_count() > 64 && logs.size() * 8 < logs.bucket_count()) logs.rehash(0);
  }
  return removed;
}

LimiterOccupancy InProcessSlidingLog::occupancy() const {
  LimiterOccupancy occupancy;
  for (std::size_t s = 0; s <= stripe_mask_; ++s) {
    Stripe& stripe = stripes_[s];
    std::lock_guard lock(stripe.mutex);
    occupancy.logs += stripe.logs.size();
    for (const auto& [key, log] : stripe.logs) occupancy.runs += log.run_count();
  }
  return occupancy;
}

}  // namespace polysim::limit
