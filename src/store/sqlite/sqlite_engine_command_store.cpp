// The engine_commands queue in SQLite (migration 7). Writes go through the group-committing
// writer like every other write, so a command is durable before its id is handed out.
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kCommandColumns = "id, kind, target, payload, status, result, created_at, done_at";

EngineCommandRecord read_command(const Statement& s) {
  EngineCommandRecord r;
  r.id = s.int64(0);
  r.kind = s.text(1);
  r.target = s.text(2);
  r.payload = s.text(3);
  r.status = s.text(4);
  r.result = s.opt_text(5);
  r.created_at = s.int64(6);
  r.done_at = s.opt_int64(7);
  return r;
}

}  // namespace

std::int64_t SqliteStore::enqueue_engine_command(std::string_view kind, std::string_view target,
                                                 std::string_view payload, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO engine_commands (kind, target, payload, status, created_at) VALUES (?1, ?2, ?3, 'queued', ?4)");
    s.bind(1, kind).bind(2, target).bind(3, payload).bind(4, now);
    s.run();
    return c.last_insert_rowid();
  });
}

std::vector<EngineCommandRecord> SqliteStore::queued_engine_commands(std::int64_t after_id, int limit) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kCommandColumns) +
                       " FROM engine_commands WHERE status = 'queued' AND id > ?1 ORDER BY id LIMIT ?2");
    s.bind(1, after_id).bind(2, limit);
    std::vector<EngineCommandRecord> out;
    while (s.step()) out.push_back(read_command(s));
    return out;
  });
}

void SqliteStore::finish_engine_command(std::int64_t id, std::string_view status, std::string_view result,
                                        std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE engine_commands SET status = ?2, result = ?3, done_at = ?4 WHERE id = ?1 AND status = 'queued'");
    s.bind(1, id).bind(2, status).bind(3, result).bind(4, now);
    s.run();
  });
}

std::optional<EngineCommandRecord> SqliteStore::find_engine_command(std::int64_t id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<EngineCommandRecord> {
    auto s = c.prepare("SELECT " + std::string(kCommandColumns) + " FROM engine_commands WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_command(s);
  });
}

}  // namespace polysim::store::sqlite
