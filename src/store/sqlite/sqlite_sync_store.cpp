// Desktop sync's reads: the change log and single fills and positions; the log's retention.
#include <map>

#include "store/sqlite/sqlite_engine_rows.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

std::vector<SyncChangeRow> SqliteStore::sync_changes_after(std::int64_t user_id, std::int64_t since, int limit) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT version, changes FROM sync_changes WHERE user_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3");
    s.bind(1, user_id).bind(2, since).bind(3, limit);
    std::vector<SyncChangeRow> out;
    while (s.step()) out.push_back(SyncChangeRow{s.int64(0), s.text(1)});
    return out;
  });
}

std::int64_t SqliteStore::sync_version(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    // A user whose every row was pruned keeps the version they had reached.
    auto s = c.prepare(
        "SELECT MAX(COALESCE((SELECT MAX(version) FROM sync_changes WHERE user_id = ?1), 0), "
        "COALESCE((SELECT version FROM sync_pruned WHERE user_id = ?1), 0))");
    s.bind(1, user_id);
    return s.step() ? s.int64(0) : std::int64_t{0};
  });
}

std::int64_t SqliteStore::sync_pruned_version(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT version FROM sync_pruned WHERE user_id = ?1");
    s.bind(1, user_id);
    return s.step() ? s.int64(0) : std::int64_t{0};
  });
}

std::optional<std::int64_t> SqliteStore::oldest_sync_change_at() {
  return impl_->read([&](SqliteConnection& c) -> std::optional<std::int64_t> {
    auto s = c.prepare("SELECT at FROM sync_changes ORDER BY version LIMIT 1");
    if (!s.step()) return std::nullopt;
    return s.int64(0);
  });
}

int SqliteStore::prune_sync_changes(std::int64_t before, int limit) {
  return impl_->write([&](SqliteConnection& c) {
    // The log is appended in time order, so the rows due are its oldest end: walking it by
    // version until the first young row needs no index on `at` (which every engine commit would
    // maintain). A row a little out of order only keeps the rows after it a little longer.
    std::map<std::int64_t, std::int64_t> highest;  // user → highest version pruned now
    std::int64_t last = 0;
    int count = 0;
    {
      auto q = c.prepare("SELECT version, user_id, at FROM sync_changes ORDER BY version LIMIT ?1");
      q.bind(1, limit);
      while (q.step() && q.int64(2) < before) {
        last = q.int64(0);
        highest[q.int64(1)] = last;
        ++count;
      }
    }
    if (count == 0) return 0;
    for (const auto& [user_id, version] : highest) {
      auto u = c.prepare(
          "INSERT INTO sync_pruned (user_id, version) VALUES (?1, ?2) "
          "ON CONFLICT(user_id) DO UPDATE SET version = MAX(version, excluded.version)");
      u.bind(1, user_id).bind(2, version);
      u.run();
    }
    auto d = c.prepare("DELETE FROM sync_changes WHERE version <= ?1");
    d.bind(1, last);
    d.run();
    return count;
  });
}

std::optional<FillRecord> SqliteStore::find_fill(std::string_view trade_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<FillRecord> {
    auto s = c.prepare("SELECT " + std::string(kFillColumns) +
                       " FROM fills f JOIN markets m ON m.id = f.market_id WHERE f.trade_id = ?1");
    s.bind(1, trade_id);
    if (!s.step()) return std::nullopt;
    return read_fill(s);
  });
}

std::optional<PositionRecord> SqliteStore::find_position(std::string_view position_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<PositionRecord> {
    auto s = c.prepare("SELECT " + std::string(kPositionColumns) + " FROM positions WHERE position_id = ?1");
    s.bind(1, position_id);
    if (!s.step()) return std::nullopt;
    return read_position(s);
  });
}

std::optional<SettlementRecord> SqliteStore::find_settlement(std::string_view settlement_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<SettlementRecord> {
    auto s = c.prepare("SELECT " + std::string(kSettlementColumns) + " FROM settlements WHERE settlement_id = ?1");
    s.bind(1, settlement_id);
    if (!s.step()) return std::nullopt;
    return read_settlement(s);
  });
}

}  // namespace polysim::store::sqlite
