// The SQLite store's machinery, shared by the files that implement its parts (partner data,
// identity): the group-committing writer thread and the reader connection pool.
#pragma once
#include <boost/json.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace polysim::store::sqlite {

// Turns driver errors into the store's vocabulary; SQL text never leaves the store.
[[noreturn]] inline void rethrow_as_store_error() {
  try {
    throw;
  } catch (const SqliteError& e) {
    if (e.is_unique_violation()) throw UniqueViolation(e.what());
    throw StoreUnavailable(e.what());
  }
}

// Sealed bodies are marked so rows written without a cipher stay readable.
inline constexpr std::string_view kSealedBodyPrefix = "sealed:v1:";

// Outbox rows are written inside their cause's transaction (20-trader-api.md §12). With a
// cipher, text, link and code travel sealed together in body_text.
inline void insert_outbox_row(SqliteConnection& c, const OutboxMessage& m, const OutboxCipher* cipher) {
  auto mail = c.prepare(
      "INSERT INTO email_outbox (id, tenant_id, recipient, kind, subject, body_text, link, code, created_at, "
      "next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
  mail.bind(1, m.id).bind(2, m.tenant_id).bind(3, m.recipient).bind(4, m.kind).bind(5, m.subject);
  if (cipher) {
    boost::json::object parts{{"text", m.text}};
    if (m.link) parts["link"] = *m.link;
    if (m.code) parts["code"] = *m.code;
    mail.bind(6, std::string(kSealedBodyPrefix) + cipher->seal(boost::json::serialize(parts), m.id));
    mail.bind_null(7).bind_null(8);
  } else {
    mail.bind(6, m.text).bind(7, m.link).bind(8, m.code);
  }
  mail.bind(9, m.created_at);
  mail.run();
}

// String lists stored as JSON arrays (origins); an unreadable value reads as empty.
inline std::string to_json_array(const std::vector<std::string>& items) {
  boost::json::array arr;
  for (const auto& s : items) arr.emplace_back(s);
  return boost::json::serialize(arr);
}

inline std::vector<std::string> from_json_array(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.as_array())
    if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

// Authentication methods of a session, stored comma-separated ("pwd,otp").
inline std::string join_amr(const std::vector<std::string>& amr) {
  std::string out;
  for (const auto& m : amr) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

inline std::vector<std::string> split_amr(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}


// Row readers shared by the parts of the store.
inline constexpr std::string_view kAccountColumns =
    "id, tenant_id, user_id, external_id, governed, stage, status, pending_action, currency, starting_balance, "
    "cash, reserved, realized_pnl, fees_paid, peak_equity, min_equity, max_drawdown, max_drawdown_pct, "
    "day_start_equity, day_start_at, day_low_equity, open_orders_count, reset_count, last_reset_at, closed_at, "
    "metadata, rules, created_at, updated_at";
inline constexpr std::string_view kFillColumns =
    "f.trade_id, f.order_id, f.account_id, f.epoch, f.market_id, m.slug, f.token_id, f.outcome, f.side, "
    "f.order_type, f.time_in_force, f.liquidity, f.price, f.size, f.notional, f.fee, f.fee_rate_bps, f.cash_delta, "
    "f.realized_pnl, f.position_size_after, f.book_seq, f.client_order_id, f.origin, f.filled_at";
AccountRecord read_account(const Statement& s);
FillRecord read_fill(const Statement& s);

// Users, shared by the identity and app parts.
extern const std::string_view kUserColumns;
UserRecord read_user(const Statement& s);
std::optional<UserRecord> user_by_email(SqliteConnection& c, std::string_view tenant_id, std::string_view email);
std::optional<UserRecord> user_by_id(SqliteConnection& c, std::int64_t user_id);

// Session revocation, shared by the identity and MFA parts.
// One fill row; fills are append-only.
void insert_fill(SqliteConnection& c, const FillRecord& fill);
void revoke_session_row(SqliteConnection& c, std::string_view id, std::int64_t now, std::string_view reason);
int revoke_sessions_of(SqliteConnection& c, std::int64_t user_id, std::optional<std::string_view> keep,
                       std::int64_t now, std::string_view reason);

struct SqliteStore::Impl {
  SqliteOptions options;

  // Writer: one connection, one thread, group commit.
  struct WriteJob {
    std::function<void(SqliteConnection&)> run;
    std::promise<void> done;
    // Set for asynchronous jobs: called on the writer thread instead of fulfilling `done`.
    std::function<void(std::exception_ptr)> on_done;
  };
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  // Jobs are shared with the writer so a caller that wakes up and returns can never free a
  // job the writer is still completing.
  std::deque<std::shared_ptr<WriteJob>> queue;
  bool stopping = false;
  std::thread writer;
  std::thread checkpointer;
  std::condition_variable checkpoint_cv;  // its own: a notify_one for the writer must reach the writer

  // Readers: connections reused across calls, opened on demand.
  std::mutex readers_mutex;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers;

  std::atomic<const OutboxCipher*> outbox_cipher{nullptr};

  explicit Impl(SqliteOptions o) : options(std::move(o)) {}

  void start_writer() {
    auto conn = std::make_shared<SqliteConnection>(options.path, options.synchronous, false);
    // Checkpoints copy the WAL into the database and sync it; on the writer they would stall
    // every commit queued behind them, so a thread of their own runs them instead.
    conn->exec("PRAGMA wal_autocheckpoint=0");
    writer = std::thread([this, conn] { writer_loop(*conn); });
    checkpointer = std::thread([this] { checkpoint_loop(); });
  }

  void stop_writer() {
    {
      std::lock_guard lock(queue_mutex);
      stopping = true;
    }
    queue_cv.notify_all();
    checkpoint_cv.notify_all();
    if (writer.joinable()) writer.join();
    if (checkpointer.joinable()) checkpointer.join();
  }

  // PASSIVE never blocks the writer or readers; it copies what no reader still needs.
  void checkpoint_loop() {
    std::unique_ptr<SqliteConnection> conn;
    std::unique_lock lock(queue_mutex);
    while (!stopping) {
      checkpoint_cv.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping; });
      if (stopping) break;
      lock.unlock();
      try {
        if (!conn) conn = std::make_unique<SqliteConnection>(options.path, options.synchronous, false);
        conn->exec("PRAGMA wal_checkpoint(PASSIVE)");
      } catch (const std::exception&) {
        conn.reset();  // reopened on the next round; a missed checkpoint only lets the WAL grow
      }
      lock.lock();
    }
  }

  void writer_loop(SqliteConnection& conn) {
    std::vector<std::shared_ptr<WriteJob>> batch;
    std::vector<std::exception_ptr> errors;
    for (;;) {
      {
        std::unique_lock lock(queue_mutex);
        queue_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty() && stopping) return;
        batch.clear();
        while (!queue.empty() && static_cast<int>(batch.size()) < options.max_batch) {
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      errors.assign(batch.size(), nullptr);
      bool began = false;
      try {
        conn.exec("BEGIN IMMEDIATE");
        began = true;
      } catch (...) {
        for (auto& e : errors) e = std::current_exception();
      }
      if (began) {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          try {
            // Prepared once per connection: sqlite3_exec would parse them for every job.
            conn.prepare("SAVEPOINT job").run();
            try {
              batch[i]->run(conn);
              conn.prepare("RELEASE job").run();
            } catch (...) {
              errors[i] = std::current_exception();
              conn.prepare("ROLLBACK TO job").run();
              conn.prepare("RELEASE job").run();
            }
          } catch (...) {
            if (!errors[i]) errors[i] = std::current_exception();
          }
        }
        try {
          conn.exec("COMMIT");
        } catch (...) {
          auto failure = std::current_exception();
          for (auto& e : errors)
            if (!e) e = failure;
          try {
            conn.exec("ROLLBACK");
          } catch (...) {
          }
        }
      }
      // Acknowledge only after the commit: nothing is readable or answered before it is durable.
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i]->on_done) batch[i]->on_done(errors[i]);
        else if (errors[i]) batch[i]->done.set_exception(errors[i]);
        else batch[i]->done.set_value();
      }
    }
  }

  template <class F>
  auto write(F&& f) -> decltype(f(std::declval<SqliteConnection&>())) {
    using R = decltype(f(std::declval<SqliteConnection&>()));
    auto job = std::make_shared<WriteJob>();
    std::optional<std::conditional_t<std::is_void_v<R>, int, R>> result;
    // Runs on the writer thread while this caller is blocked on the future below.
    job->run = [&](SqliteConnection& c) {
      if constexpr (std::is_void_v<R>) {
        f(c);
        result.emplace(0);
      } else {
        result.emplace(f(c));
      }
    };
    auto future = job->done.get_future();
    {
      std::lock_guard lock(queue_mutex);
      if (stopping) throw StoreUnavailable("store is shutting down");
      queue.push_back(job);
    }
    queue_cv.notify_one();
    try {
      future.get();
    } catch (const SqliteError&) {
      rethrow_as_store_error();
    }
    if constexpr (!std::is_void_v<R>) return std::move(*result);
  }

  // Queues `run` for the next group commit without waiting; `done` hears the outcome.
  void write_async(std::function<void(SqliteConnection&)> run, std::function<void(std::exception_ptr)> done) {
    auto job = std::make_shared<WriteJob>();
    job->run = std::move(run);
    job->on_done = std::move(done);
    {
      std::lock_guard lock(queue_mutex);
      if (stopping) {
        job->on_done(std::make_exception_ptr(StoreUnavailable("store is shutting down")));
        return;
      }
      queue.push_back(std::move(job));
    }
    queue_cv.notify_one();
  }

  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<SqliteConnection&>())) {
    std::unique_ptr<SqliteConnection> conn;
    {
      std::lock_guard lock(readers_mutex);
      if (!idle_readers.empty()) {
        conn = std::move(idle_readers.back());
        idle_readers.pop_back();
      }
    }
    try {
      if (!conn) conn = std::make_unique<SqliteConnection>(options.path, options.synchronous, true);
      struct Return {
        Impl& impl;
        std::unique_ptr<SqliteConnection>& c;
        ~Return() {
          if (!c) return;
          std::lock_guard lock(impl.readers_mutex);
          impl.idle_readers.push_back(std::move(c));
        }
      } give_back{*this, conn};
      return f(*conn);
    } catch (const SqliteError&) {
      rethrow_as_store_error();
    }
  }
};


}  // namespace polysim::store::sqlite
