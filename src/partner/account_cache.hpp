// Recently read or written accounts, so the hot read path (GET /v1/partner/accounts/{id})
// is answered on the event loop without a database round trip. Writes made through this
// process replace entries at once; entries loaded from the database expire after the TTL, which
// bounds how stale a change made by another process (CLI, another instance) can appear.
#pragma once
#include <array>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/records.hpp"

namespace polysim::partner {

class AccountCache {
 public:
  AccountCache(const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries = 200'000);

  std::shared_ptr<const store::AccountRecord> get(const std::string& account_id) const;
  void put(const store::AccountRecord& account);

 private:
  struct Entry {
    std::shared_ptr<const store::AccountRecord> account;
    std::int64_t stored_at_ms = 0;
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& shard_for(const std::string& id) const;

  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::size_t max_per_shard_;
  // Shared by event loops and the blocking pool; each shard guards its own map.
  mutable std::array<Shard, 16> shards_;
};

}  // namespace polysim::partner
