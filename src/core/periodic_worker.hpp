// A background thread that runs one pass at once and then one every interval, until stopped.
// The background tasks (outbox delivery, queued engine commands, sync-log pruning) share it, so
// each owns only its pass. stop() waits for a running pass and runs none after it returns.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace polysim {

class PeriodicWorker {
 public:
  PeriodicWorker(std::chrono::milliseconds interval, std::function<void()> pass)
      : interval_(interval), pass_(std::move(pass)) {}
  ~PeriodicWorker() { stop(); }
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void start() {
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        pass_();
        lock.lock();
        cv_.wait_for(lock, interval_, [&] { return stopping_; });
      }
    });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> pass_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace polysim
