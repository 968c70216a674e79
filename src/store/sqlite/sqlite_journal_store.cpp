// SqliteStore's desktop journal (store/journal_store.hpp, migration 10).
#include <variant>

#include "core/json_input.hpp"
#include "core/json_writer.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"
#include "store/sqlite/sqlite_sync_log.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kJournalColumns =
    "id, user_id, local_id, kind, account_id, market_id, order_id, title, body, tags, version, created_at, "
    "updated_at, deleted_at";

// Tags may hold commas, so they are kept as a JSON array rather than a joined string.
std::string tags_text(const std::vector<std::string>& tags) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const auto& t : tags) w.string(t);
  w.end_array();
  return out;
}

std::vector<std::string> tags_of(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = parse_json(text);
  if (const auto* v = std::get_if<JsonValue>(&parsed); v && v->is_array())
    for (const auto& t : v->elements())
      if (t.is_string()) out.push_back(t.as_string());
  return out;
}

JournalRecord read_journal(const Statement& s) {
  JournalRecord r;
  r.id = s.text(0);
  r.user_id = s.int64(1);
  r.local_id = s.text(2);
  r.kind = s.text(3);
  r.account_id = s.opt_text(4);
  r.market_id = s.opt_text(5);
  r.order_id = s.opt_text(6);
  r.title = s.opt_text(7);
  r.body = s.opt_text(8);
  r.tags = tags_of(s.text(9));
  r.version = s.int64(10);
  r.created_at = s.int64(11);
  r.updated_at = s.int64(12);
  r.deleted_at = s.opt_int64(13);
  return r;
}

}  // namespace

std::optional<JournalRecord> SqliteStore::write_journal_entry(std::int64_t user_id, std::string_view local_id,
                                                              const JournalDecision& decide) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<JournalRecord> {
    std::optional<JournalRecord> stored;
    {
      auto q = c.prepare("SELECT " + std::string(kJournalColumns) +
                         " FROM journal_entries WHERE user_id = ?1 AND local_id = ?2");
      q.bind(1, user_id).bind(2, local_id);
      if (q.step()) stored = read_journal(q);
    }
    auto next = decide(stored);
    if (!next) return std::nullopt;
    next->user_id = user_id;
    next->local_id = std::string(local_id);
    next->version = append_sync_change(c, user_id, "journal", next->id, next->updated_at);
    auto s = c.prepare("INSERT INTO journal_entries (" + std::string(kJournalColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(id) DO "
                       "UPDATE SET kind = excluded.kind, account_id = excluded.account_id, market_id = "
                       "excluded.market_id, order_id = excluded.order_id, title = excluded.title, body = excluded.body, "
                       "tags = excluded.tags, version = excluded.version, updated_at = excluded.updated_at, "
                       "deleted_at = excluded.deleted_at");
    s.bind(1, next->id).bind(2, user_id).bind(3, local_id).bind(4, next->kind).bind(5, next->account_id);
    s.bind(6, next->market_id).bind(7, next->order_id).bind(8, next->title).bind(9, next->body);
    s.bind(10, tags_text(next->tags)).bind(11, next->version).bind(12, next->created_at).bind(13, next->updated_at);
    s.bind(14, next->deleted_at);
    s.run();
    return next;
  });
}

std::optional<JournalRecord> SqliteStore::find_journal_entry(std::int64_t user_id, std::string_view id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<JournalRecord> {
    auto s = c.prepare("SELECT " + std::string(kJournalColumns) + " FROM journal_entries WHERE id = ?1 AND user_id = ?2");
    s.bind(1, id).bind(2, user_id);
    if (!s.step()) return std::nullopt;
    return read_journal(s);
  });
}

std::vector<JournalRecord> SqliteStore::recent_journal_entries(std::int64_t user_id, std::int64_t since, int limit) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kJournalColumns) +
                       " FROM journal_entries WHERE user_id = ?1 AND deleted_at IS NULL AND updated_at >= ?2 "
                       "ORDER BY updated_at, id LIMIT ?3");
    s.bind(1, user_id).bind(2, since).bind(3, limit);
    std::vector<JournalRecord> out;
    while (s.step()) out.push_back(read_journal(s));
    return out;
  });
}

}  // namespace polysim::store::sqlite
