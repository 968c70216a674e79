#include "partner/account_cache.hpp"

#include <mutex>

#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "partner/account_envelope.hpp"

namespace polysim::partner {

namespace {

// Renders with a known as_of and cuts the body around it.
std::shared_ptr<CachedAccount> render(const engine::AccountView& view, std::int64_t now_ms) {
  const auto& account = view.account;
  auto entry = std::make_shared<CachedAccount>();
  entry->record = account;
  entry->stored_at_ms = now_ms;
  std::string body;
  JsonWriter w(body);
  auto at_epoch = view;
  at_epoch.as_of = 0;
  write_account_envelope(w, at_epoch, EnvelopeOptions{});
  static constexpr std::string_view kMarker = "\"as_of\":\"1970-01-01T00:00:00.000Z\"";
  const auto at = account.closed_at ? std::string::npos : body.rfind(kMarker);
  if (at == std::string::npos) {
    entry->body_head = std::move(body);
    entry->as_of_fixed = true;
  } else {
    const auto value_at = at + std::string_view("\"as_of\":\"").size();
    entry->body_head = body.substr(0, value_at);
    entry->body_tail = body.substr(value_at + 24);  // the 24-character timestamp
  }
  return entry;
}

}  // namespace

std::string CachedAccount::body_at(std::int64_t as_of_micros) const {
  if (as_of_fixed) return body_head;
  std::string body;
  body.reserve(body_head.size() + 24 + body_tail.size());
  body += body_head;
  body += format_rfc3339_millis(as_of_micros);
  body += body_tail;
  return body;
}

AccountCache::AccountCache(const Clock& clock, std::chrono::milliseconds ttl, std::size_t max_entries)
    : clock_(clock), ttl_(ttl), max_per_shard_(std::max<std::size_t>(1, max_entries / 16)) {}

AccountCache::Shard& AccountCache::shard_for(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % shards_.size()];
}

AccountCache::Lookup AccountCache::get(const std::string& account_id) const {
  auto& shard = shard_for(account_id);
  std::shared_ptr<const CachedAccount> entry;
  {
    std::shared_lock lock(shard.mutex);
    auto it = shard.entries.find(account_id);
    if (it == shard.entries.end()) return {};
    entry = it->second;
  }
  const auto age = clock_.monotonic_millis() - entry->stored_at_ms;
  if (age >= ttl_.count()) return {};
  const bool due = age * 2 >= ttl_.count() && !entry->refresh_requested.exchange(true);
  return {std::move(entry), due};
}

void AccountCache::put(const engine::AccountView& view) {
  if (!view.positions.empty()) return;
  const auto& id = view.account.id;
  auto& shard = shard_for(id);
  std::shared_ptr<const CachedAccount> entry = render(view, clock_.monotonic_millis());
  std::unique_lock lock(shard.mutex);
  if (shard.entries.size() >= max_per_shard_ && !shard.entries.contains(id)) shard.entries.clear();
  shard.entries.insert_or_assign(id, std::move(entry));
}

void AccountCache::erase(const std::string& account_id) {
  auto& shard = shard_for(account_id);
  std::unique_lock lock(shard.mutex);
  shard.entries.erase(account_id);
}

}  // namespace polysim::partner
