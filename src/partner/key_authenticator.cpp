#include "partner/key_authenticator.hpp"

#include <mutex>

#include "partner/rate_limit_policy.hpp"

namespace polysim::partner {

KeyAuthenticator::KeyAuthenticator(store::Store& store, const Clock& clock, std::chrono::milliseconds ttl,
                                   std::size_t max_entries)
    : store_(store), clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

KeyAuthenticator::Lookup KeyAuthenticator::cached(const Sha256Digest& key_hash) const {
  std::shared_ptr<const ResolvedKey> entry;
  {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(key_hash);
    if (it == entries_.end()) return {};
    entry = it->second;
  }
  const auto age = clock_.monotonic_millis() - entry->loaded_at_ms;
  if (age >= ttl_.count()) return {};
  const bool due = age * 2 >= ttl_.count() && !entry->refresh_requested.exchange(true);
  return {std::move(entry), due};
}

std::shared_ptr<const ResolvedKey> KeyAuthenticator::load(const Sha256Digest& key_hash) {
  auto resolved = std::make_shared<ResolvedKey>();
  resolved->loaded_at_ms = clock_.monotonic_millis();
  const std::string_view hash_bytes(reinterpret_cast<const char*>(key_hash.data()), key_hash.size());
  if (auto key = store_.find_api_key_by_hash(hash_bytes)) {
    if (auto tenant = store_.find_tenant(key->tenant_id)) {
      resolved->found = true;
      resolved->key = std::move(*key);
      resolved->tenant = std::move(*tenant);
      resolved->windows = partner_windows(resolved->tenant, resolved->key.id);
      // last_used_at is kept to the minute: written when a load finds it older than that, so
      // a busy key costs one small write a minute, not one per request.
      const auto now = clock_.now_unix_micros();
      if (!resolved->key.last_used_at || now - *resolved->key.last_used_at > 60'000'000) {
        try {
          store_.touch_api_key(resolved->key.id, now);
          resolved->key.last_used_at = now;
        } catch (const store::StoreUnavailable&) {
          // Bookkeeping only: never fail a request over it.
        }
      }
    }
  }
  std::unique_lock lock(mutex_);
  if (entries_.size() >= max_entries_) {
    // Random unknown keys must not grow the cache without bound: drop expired entries, and if
    // that is not enough, start over.
    const auto now = clock_.monotonic_millis();
    std::erase_if(entries_, [&](const auto& e) { return now - e.second->loaded_at_ms >= ttl_.count(); });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[key_hash] = resolved;
  return resolved;
}

void KeyAuthenticator::invalidate_all() {
  std::unique_lock lock(mutex_);
  entries_.clear();
}

}  // namespace polysim::partner
