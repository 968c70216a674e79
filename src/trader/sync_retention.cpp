#include "trader/sync_retention.hpp"

#include <exception>
#include <string>

namespace polysim::trader {

namespace {

constexpr int kBatch = 1'000;
constexpr int kBatchesPerPass = 10;

}  // namespace

SyncRetention::SyncRetention(store::SyncStore& sync, const Clock& clock, const ops::Log& log,
                             std::chrono::milliseconds interval)
    : sync_(sync), clock_(clock), log_(log), worker_(interval, [this] { prune_once(); }) {}

SyncRetention::~SyncRetention() { stop(); }

int SyncRetention::prune_once() {
  int pruned = 0;
  try {
    const auto before = clock_.now_unix_micros() - kSyncRetentionUs;
    const auto oldest = sync_.oldest_sync_change_at();
    if (!oldest || *oldest >= before) return 0;
    for (int i = 0; i < kBatchesPerPass; ++i) {
      const int n = sync_.prune_sync_changes(before, kBatch);
      pruned += n;
      if (n < kBatch) break;
    }
  } catch (const std::exception& e) {
    // A busy or failing store only delays pruning to the next pass.
    log_.warn(std::string("sync retention: pass stopped: ") + e.what());
  }
  return pruned;
}

void SyncRetention::start() { worker_.start(); }

void SyncRetention::stop() { worker_.stop(); }

}  // namespace polysim::trader
