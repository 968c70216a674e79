#include "limit/admission_log.hpp"

#include <algorithm>
#include <cassert>
#include <new>
#include <utility>

namespace polysim::limit {

namespace {
constexpr std::size_t kMinimumCapacity = 4;
}  // namespace

void AdmissionLog::expire_through(std::int64_t cutoff_ms) {
  while (size_ > 0) {
    Run& oldest = at(0);
    if (oldest.ms > cutoff_ms) break;
    total_ -= oldest.count;
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }
  if (size_ == 0) head_ = 0;
}

void AdmissionLog::reserve_for(std::int64_t now_ms) {
  const bool joins_newest_run = size_ > 0 && at(size_ - 1).ms >= now_ms;
  if (joins_newest_run || size_ < capacity_) return;
  reallocate(std::max(kMinimumCapacity, capacity_ * 2));
}

void AdmissionLog::record(std::int64_t now_ms) {
  if (size_ > 0) {
    Run& newest = at(size_ - 1);
    if (newest.ms >= now_ms) {
      ++newest.count;
      ++total_;
      return;
    }
  }
  reserve_for(now_ms);
  at(size_) = Run{now_ms, 1};
  ++size_;
  ++total_;
}

std::int64_t AdmissionLog::oldest_ms() const {
  assert(size_ > 0);
  return at(0).ms;
}

std::int64_t AdmissionLog::newest_ms() const {
  assert(size_ > 0);
  return at(size_ - 1).ms;
}

std::int64_t AdmissionLog::kth_oldest_ms(std::int64_t k) const {
  assert(k >= 1 && k <= total_);
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    const Run& run = at(i);
    seen += run.count;
    if (seen >= k) return run.ms;
  }
  return at(size_ - 1).ms;
}

void AdmissionLog::shrink_to_occupancy() {
  if (size_ == 0) {
    runs_.reset();
    capacity_ = 0;
    head_ = 0;
    return;
  }
  // Halving only below a quarter full leaves room to grow again without reallocating at once.
  std::size_t capacity = capacity_;
  while (capacity > kMinimumCapacity && size_ * 4 <= capacity) capacity /= 2;
  if (capacity == capacity_) return;
  try {
    reallocate(capacity);
  } catch (const std::bad_alloc&) {
    // Shrinking is an optimisation; a larger ring is still correct.
  }
}

void AdmissionLog::reallocate(std::size_t capacity) {
  auto moved = std::make_unique_for_overwrite<Run[]>(capacity);
  for (std::size_t i = 0; i < size_; ++i) moved[i] = at(i);
  runs_ = std::move(moved);
  capacity_ = capacity;
  head_ = 0;
}

}  // namespace polysim::limit
