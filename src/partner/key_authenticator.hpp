// Resolves a partner API key (by its SHA-256) to the key and its tenant. Results, including
// "unknown", are cached for at most the configured TTL (≤ 5 s), so changes the CLI or another
// instance writes apply everywhere within that bound while the hot path never waits on the
// database.
#pragma once
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "limit/rate_limiter.hpp"
#include "store/store.hpp"

namespace polysim::partner {

struct ResolvedKey {
  bool found = false;
  store::ApiKeyRecord key;
  store::TenantRecord tenant;
  std::int64_t loaded_at_ms = 0;  // monotonic
  // The limiter windows this key is charged to, built once per load rather than per request.
  std::vector<limit::WindowTuple> windows;
  mutable std::atomic<bool> refresh_requested{false};
};

struct DigestHash {
  std::size_t operator()(const Sha256Digest& d) const noexcept {
    std::size_t h;
    static_assert(sizeof(h) <= sizeof(Sha256Digest));
    std::memcpy(&h, d.data(), sizeof(h));  // the digest is already uniformly distributed
    return h;
  }
};

class KeyAuthenticator {
 public:
  KeyAuthenticator(store::Store& store, const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries = 100'000);

  // Cache only: never touches the database, safe on an event loop. Past half the TTL the
  // entry still answers, and one caller is told to refresh it (load) in the background, so a
  // busy key never expires into a blocking read.
  struct Lookup {
    std::shared_ptr<const ResolvedKey> key;
    bool refresh_due = false;
  };
  Lookup cached(const Sha256Digest& key_hash) const;
  // Reads the database (blocking) and caches the answer.
  std::shared_ptr<const ResolvedKey> load(const Sha256Digest& key_hash);
  // After a change made through this instance (e.g. the dashboard): forget everything.
  void invalidate_all();

 private:
  store::Store& store_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  // Shared by the event loops and the blocking pool; guarded by mutex_.
  mutable std::shared_mutex mutex_;
  std::unordered_map<Sha256Digest, std::shared_ptr<const ResolvedKey>, DigestHash> entries_;
};

}  // namespace polysim::partner
