// Desktop sync's reads: the change log and single fills and positions.
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
    auto s = c.prepare("SELECT COALESCE(MAX(version), 0) FROM sync_changes WHERE user_id = ?1");
    s.bind(1, user_id);
    return s.step() ? s.int64(0) : std::int64_t{0};
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

}  // namespace polysim::store::sqlite
