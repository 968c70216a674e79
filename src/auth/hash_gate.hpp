// Bounds how many Argon2id hashes run at once (20-trader-api.md §2.5: max(1, cores/2)), so a
// burst of logins cannot take every core from the event loops and the database. A caller that
// cannot get a slot before its deadline is told to come back (503, Retry-After: 1).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace polysim::auth {

struct HashQueueFull {};

class HashGate {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  explicit HashGate(int slots) : free_(slots < 1 ? 1 : slots) {}

  // Runs f while holding a slot; throws HashQueueFull if none frees up before the deadline.
  template <class F>
  auto run(Deadline deadline, F&& f) -> decltype(f()) {
    acquire(deadline);
    struct Release {
      HashGate& gate;
      ~Release() { gate.release(); }
    } release{*this};
    return f();
  }

 private:
  void acquire(Deadline deadline) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, deadline, [&] { return free_ > 0; })) throw HashQueueFull{};
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    cv_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  int free_;
};

}  // namespace polysim::auth
