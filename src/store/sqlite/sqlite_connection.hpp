// Thin RAII wrapper over one sqlite3 connection with a prepared-statement cache. Only the
// SQLite store implementation includes this; domain code never sees SQL.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace polysim::store::sqlite {

struct SqliteError : std::runtime_error {
  int code;
  SqliteError(int c, const std::string& what) : std::runtime_error(what), code(c) {}
  bool is_unique_violation() const;
  bool is_busy() const;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();  // resets and clears bindings so the cached statement can be reused

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& v) { return v ? bind(index, *v) : bind_null(index); }
  Statement& bind(int index, const std::optional<std::string>& v) { return v ? bind(index, *v) : bind_null(index); }

  // true while a row is available.
  bool step();
  void run();  // step to completion, ignoring rows

  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::string blob(int col) const;
  bool is_null(int col) const;
  int column_count() const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<std::string> opt_text(int col) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db() const;
};

class SqliteConnection {
 public:
  // Opens (creating if needed) with WAL, a busy timeout and foreign keys on.
  SqliteConnection(const std::string& path, std::string_view synchronous, bool read_only);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);  // cached per connection
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  // Looked up by string_view: the hot path must not copy its SQL text to find the statement.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

// A read transaction for as long as it lives, so several SELECTs see one committed state (a
// writer committing meanwhile cannot split, say, a fill from its ledger entries).
class ReadTransaction {
 public:
  explicit ReadTransaction(SqliteConnection& c) : c_(c) { c_.exec("BEGIN"); }
  ~ReadTransaction() {
    try {
      c_.exec("COMMIT");
    } catch (...) {
      // Only reads happened; a failed COMMIT leaves nothing to undo.
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  SqliteConnection& c_;
};

}  // namespace polysim::store::sqlite
