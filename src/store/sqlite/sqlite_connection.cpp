#include "store/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

namespace polysim::store::sqlite {

namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(db ? sqlite3_extended_errcode(db) : rc, msg);
}
}  // namespace

bool SqliteError::is_unique_violation() const {
  return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
}
bool SqliteError::is_busy() const { return (code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED; }

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

sqlite3* Statement::db() const { return sqlite3_db_handle(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail(db(), rc, "bind");
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      rc != SQLITE_OK)
    fail(db(), rc, "bind");
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  if (int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT); rc != SQLITE_OK)
    fail(db(), rc, "bind");
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db(), rc, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db(), rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Statement::text(int col) const {
  auto p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
}
std::string Statement::blob(int col) const {
  auto p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
}
int Statement::column_count() const { return sqlite3_column_count(stmt_); }

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}
std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

namespace {

// Memory statistics take a process-wide mutex on every SQLite allocation, which the writer and
// the readers then fight over; nothing here reads them. Must run before SQLite initialises.
const bool kMemoryStatisticsOff = [] {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return true;
}();

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, std::string_view synchronous, bool read_only) {
  (void)kMemoryStatisticsOff;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr); rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec(std::string("PRAGMA synchronous=") + (synchronous == "full" ? "FULL" : "NORMAL"));
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA temp_store=MEMORY");
  if (read_only) exec("PRAGMA query_only=ON");
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void SqliteConnection::exec(std::string_view sql) {
  char* err = nullptr;
  std::string owned(sql);
  if (int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(sqlite3_extended_errcode(db_), "exec: " + msg);
  }
}

Statement SqliteConnection::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return Statement(it->second);
  std::string key(sql);
  sqlite3_stmt* stmt = nullptr;
  if (int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  nullptr);
      rc != SQLITE_OK)
    fail(db_, rc, "prepare");
  cache_.emplace(std::move(key), stmt);
  return Statement(stmt);
}

std::int64_t SqliteConnection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteConnection::changes() const { return sqlite3_changes(db_); }

}  // namespace polysim::store::sqlite
