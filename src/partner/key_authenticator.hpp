// Resolves a partner API key (by its SHA-256) to the key and its tenant. Results, including
// "unknown", are cached for at most the configured TTL (≤ 5 s), so changes the CLI or another
// instance writes apply everywhere within that bound while the hot path never waits on the
// database.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace polysim::partner {

struct ResolvedKey {
  bool found = false;
  store::ApiKeyRecord key;
  store::TenantRecord tenant;
  std::int64_t loaded_at_ms = 0;  // monotonic
};

class KeyAuthenticator {
 public:
  KeyAuthenticator(store::Store& store, const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries = 100'000);

  // Cache only: never touches the database, safe on an event loop.
  std::shared_ptr<const ResolvedKey> cached(const std::string& key_hash) const;
  // Reads the database (blocking) and caches the answer.
  std::shared_ptr<const ResolvedKey> load(const std::string& key_hash);
  // After a change made through this instance (e.g. the dashboard): forget everything.
  void invalidate_all();

 private:
  store::Store& store_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  // Shared by the event loops and the blocking pool; guarded by mutex_.
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ResolvedKey>> entries_;
};

}  // namespace polysim::partner
