// Desktop sync's 30-day retention (20-trader-api.md §11): a background thread that prunes the
// change log's rows older than 30 days. Each pass first reads the oldest row's time (one probe of
// the log's oldest end), so an idle pass costs no write; due rows go in bounded batches, each its
// own write, so other writers' commits interleave. A pass stops after a few batches and the next
// one continues, so a backlog (a server down for weeks) drains without holding the writer.
#pragma once
#include "core/periodic_worker.hpp"
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "ops/logging.hpp"
#include "store/sync_store.hpp"

namespace polysim::trader {

inline constexpr std::int64_t kSyncRetentionUs = 30LL * 24 * 3600 * 1'000'000;

class SyncRetention {
 public:
  SyncRetention(store::SyncStore& sync, const Clock& clock, const ops::Log& log,
                std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~SyncRetention();
  SyncRetention(const SyncRetention&) = delete;
  SyncRetention& operator=(const SyncRetention&) = delete;

  // Prunes what is due, up to a few batches; returns the rows deleted.
  int prune_once();
  void start();
  void stop();

 private:
  store::SyncStore& sync_;
  const Clock& clock_;
  const ops::Log& log_;
  PeriodicWorker worker_;
};

}  // namespace polysim::trader
