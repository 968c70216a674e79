#include "store/sqlite/sqlite_sync_log.hpp"

#include <string>

#include "core/json_writer.hpp"

namespace polysim::store::sqlite {

std::int64_t append_sync_change(SqliteConnection& c, std::int64_t user_id, std::string_view entity,
                                std::string_view id, std::int64_t at) {
  std::string changes;
  JsonWriter j(changes);
  j.begin_array();
  j.begin_array();
  j.string(entity);
  j.string(id);
  j.end_array();
  j.end_array();
  auto s = c.prepare("INSERT INTO sync_changes (user_id, changes, at) VALUES (?1, ?2, ?3)");
  s.bind(1, user_id).bind(2, changes).bind(3, at);
  s.run();
  return c.last_insert_rowid();
}

}  // namespace polysim::store::sqlite
