#include "partner/account_cache.hpp"

#include <mutex>

namespace polysim::partner {

AccountCache::AccountCache(const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries)
    : clock_(clock), ttl_(ttl), max_per_shard_(std::max<std::size_t>(1, max_entries / 16)) {}

AccountCache::Shard& AccountCache::shard_for(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % shards_.size()];
}

std::shared_ptr<const store::AccountRecord> AccountCache::get(const std::string& account_id) const {
  auto& shard = shard_for(account_id);
  std::shared_lock lock(shard.mutex);
  auto it = shard.entries.find(account_id);
  if (it == shard.entries.end()) return nullptr;
  if (clock_.monotonic_millis() - it->second.stored_at_ms >= ttl_.count()) return nullptr;
  return it->second.account;
}

void AccountCache::put(const store::AccountRecord& account) {
  auto& shard = shard_for(account.id);
  auto entry = Entry{std::make_shared<const store::AccountRecord>(account), clock_.monotonic_millis()};
  std::unique_lock lock(shard.mutex);
  if (shard.entries.size() >= max_per_shard_ && !shard.entries.contains(account.id)) shard.entries.clear();
  shard.entries.insert_or_assign(account.id, std::move(entry));
}

}  // namespace polysim::partner
