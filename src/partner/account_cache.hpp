// Recently read or written accounts, so the hot read path (GET /v1/partner/accounts/{id})
// is answered on the event loop without a database round trip. Each entry also holds the
// account's rendered envelope, split around `as_of` (the only per-request value), so a read
// costs one timestamp and a copy rather than a full render.
//
// Writes made through this process replace entries at once. An entry is trusted for the TTL
// (which bounds how stale a change by another process can appear); past half the TTL a read
// still answers from it but asks for one refresh from the database, so hot accounts never
// expire into a blocking read.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "engine/account_view.hpp"
#include "store/records.hpp"

namespace polysim::partner {

struct CachedAccount {
  store::AccountRecord record;
  // The envelope as JSON is body_head + RFC 3339 of the read instant + body_tail; for a closed
  // account as_of is fixed and the whole body is in body_head (as_of_fixed).
  std::string body_head;
  std::string body_tail;
  bool as_of_fixed = false;
  std::int64_t stored_at_ms = 0;
  mutable std::atomic<bool> refresh_requested{false};

  std::string body_at(std::int64_t as_of_micros) const;
};

class AccountCache {
 public:
  AccountCache(const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries = 200'000);

  struct Lookup {
    std::shared_ptr<const CachedAccount> entry;  // null: miss or expired
    bool refresh_due = false;                    // true for exactly one reader per entry
  };
  Lookup get(const std::string& account_id) const;
  // Only an account without positions may be cached: no mark moves its figures.
  void put(const engine::AccountView& view);
  void erase(const std::string& account_id);

 private:
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const CachedAccount>> entries;
  };
  Shard& shard_for(const std::string& id) const;

  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::size_t max_per_shard_;
  // Shared by event loops and the blocking pool; each shard guards its own map.
  mutable std::array<Shard, 16> shards_;
};

}  // namespace polysim::partner
