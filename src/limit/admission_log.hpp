// The admission instants of one (bucket, window) pair, oldest first, stored as runs of
// (millisecond, count). Run-length storage keeps memory proportional to the distinct
// milliseconds inside the window rather than to the number of admissions, which matters for
// limits in the millions per minute. Not thread-safe: the owner serialises access.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace polysim::limit {

class AdmissionLog {
 public:
  // Forgets every admission at or before `cutoff_ms`.
  void expire_through(std::int64_t cutoff_ms);

  // Guarantees that the next record(now_ms) cannot allocate, so that a caller charging several
  // logs can do all the failing work before charging any of them.
  void reserve_for(std::int64_t now_ms);
  // Instants must not decrease; an older instant is folded into the newest run, which only keeps
  // the admission in the window for longer.
  void record(std::int64_t now_ms);

  std::int64_t total() const { return total_; }
  bool empty() const { return size_ == 0; }
  std::int64_t oldest_ms() const;  // requires !empty()
  std::int64_t newest_ms() const;  // requires !empty()
  // The k-th oldest admission counting multiplicities, 1 <= k <= total().
  std::int64_t kth_oldest_ms(std::int64_t k) const;

  std::size_t run_count() const { return size_; }
  std::size_t run_capacity() const { return capacity_; }
  // Gives back ring space a burst left behind; kept off the per-request path.
  void shrink_to_occupancy();

 private:
  struct Run {
    std::int64_t ms;
    std::int64_t count;
  };

  Run& at(std::size_t index) { return runs_[(head_ + index) & (capacity_ - 1)]; }
  const Run& at(std::size_t index) const { return runs_[(head_ + index) & (capacity_ - 1)]; }
  void reallocate(std::size_t capacity);

  // A ring whose capacity is zero or a power of two, so wrapping is a mask.
  std::unique_ptr<Run[]> runs_;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace polysim::limit
