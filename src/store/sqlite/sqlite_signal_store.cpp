// SqliteStore's signals, signal targets and signal webhooks (store/signal_store.hpp, migration 8).
// Writes to signals and targets log themselves for desktop sync in the same transaction.
#include "store/sqlite/sqlite_store_impl.hpp"
#include "store/sqlite/sqlite_sync_log.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kSignalColumns =
    "id, tenant_id, user_id, source, webhook_id, status, action, market_id, outcome, size_type, size, order_type, "
    "limit_price, time_in_force, worst_price, max_slippage_bps, idempotency_key, fingerprint, label, metadata, "
    "targets, received_at, updated_at";

SignalRecord read_signal(const Statement& s) {
  SignalRecord r;
  r.id = s.text(0);
  r.tenant_id = s.text(1);
  r.user_id = s.int64(2);
  r.source = s.text(3);
  r.webhook_id = s.opt_text(4);
  r.status = s.text(5);
  r.action = s.text(6);
  r.market_id = s.text(7);
  r.outcome = s.opt_text(8);
  r.size_type = s.opt_text(9);
  r.size = s.opt_int64(10);
  r.order_type = s.text(11);
  r.limit_price = s.opt_int64(12);
  r.time_in_force = s.opt_text(13);
  r.worst_price = s.opt_int64(14);
  r.max_slippage_bps = s.opt_int64(15);
  r.idempotency_key = s.opt_text(16);
  r.fingerprint = s.text(17);
  r.label = s.opt_text(18);
  r.metadata_json = s.opt_text(19);
  r.targets = split_amr(s.text(20));
  r.received_at = s.int64(21);
  r.updated_at = s.int64(22);
  return r;
}

void load_results(SqliteConnection& c, SignalRecord& r) {
  auto s = c.prepare(
      "SELECT idx, account_id, mode, status, order_id, filled_size, filled_notional, capped, reason, error, "
      "error_message FROM signal_results WHERE signal_id = ?1 ORDER BY idx");
  s.bind(1, r.id);
  while (s.step()) {
    SignalResultRecord x;
    x.index = static_cast<int>(s.int64(0));
    x.account_id = s.text(1);
    x.mode = s.text(2);
    x.status = s.text(3);
    x.order_id = s.opt_text(4);
    x.filled_size = s.opt_int64(5);
    x.filled_notional = s.opt_int64(6);
    x.capped = s.int64(7) != 0;
    x.reason = s.opt_text(8);
    x.error = s.opt_text(9);
    x.error_message = s.opt_text(10);
    r.results.push_back(std::move(x));
  }
}

constexpr std::string_view kWebhookColumns =
    "id, tenant_id, user_id, name, auth, prefix, sealed_secret, targets, default_size_type, default_size, "
    "default_order_type, created_at, rotated_at";

WebhookRecord read_webhook(const Statement& s) {
  WebhookRecord w;
  w.id = s.text(0);
  w.tenant_id = s.text(1);
  w.user_id = s.int64(2);
  w.name = s.text(3);
  w.auth = s.text(4);
  w.prefix = s.text(5);
  w.sealed_secret = s.opt_text(6);
  if (auto t = s.opt_text(7)) w.targets = split_amr(*t);
  w.default_size_type = s.opt_text(8);
  w.default_size = s.opt_int64(9);
  w.default_order_type = s.opt_text(10);
  w.created_at = s.int64(11);
  w.rotated_at = s.opt_int64(12);
  return w;
}

void log_signal_change(SqliteConnection& c, std::string_view signal_id, std::int64_t at) {
  std::optional<std::int64_t> user_id;
  {
    auto q = c.prepare("SELECT user_id FROM signals WHERE id = ?1");
    q.bind(1, signal_id);
    if (q.step()) user_id = q.int64(0);
  }
  if (user_id) append_sync_change(c, *user_id, "signal", signal_id, at);
}

// The targets are one list per user, so the user's public id names them in the log.
void log_targets_change(SqliteConnection& c, std::int64_t user_id, std::int64_t at) {
  std::string uuid;
  {
    auto q = c.prepare("SELECT uuid FROM users WHERE id = ?1");
    q.bind(1, user_id);
    if (q.step()) uuid = q.text(0);
  }
  append_sync_change(c, user_id, "signalTargets", uuid, at);
}

std::optional<WebhookRecord> live_webhook(SqliteConnection& c, std::string_view id) {
  auto s = c.prepare("SELECT " + std::string(kWebhookColumns) +
                     " FROM signal_webhooks WHERE id = ?1 AND deleted_at IS NULL");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_webhook(s);
}

}  // namespace

bool SqliteStore::create_signal(const SignalRecord& r) {
  return impl_->write([&](SqliteConnection& c) {
    if (r.idempotency_key) {
      // The writer is the only writer: this check and the insert below are one step.
      auto q = c.prepare("SELECT 1 FROM signals WHERE user_id = ?1 AND idempotency_key = ?2");
      q.bind(1, r.user_id).bind(2, *r.idempotency_key);
      if (q.step()) return false;
    }
    auto s = c.prepare("INSERT INTO signals (" + std::string(kSignalColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                       "?19, ?20, ?21, ?22, ?23)");
    s.bind(1, r.id).bind(2, r.tenant_id).bind(3, r.user_id).bind(4, r.source).bind(5, r.webhook_id);
    s.bind(6, r.status).bind(7, r.action).bind(8, r.market_id).bind(9, r.outcome).bind(10, r.size_type);
    s.bind(11, r.size).bind(12, r.order_type).bind(13, r.limit_price).bind(14, r.time_in_force);
    s.bind(15, r.worst_price).bind(16, r.max_slippage_bps).bind(17, r.idempotency_key).bind(18, r.fingerprint);
    s.bind(19, r.label).bind(20, r.metadata_json).bind(21, join_amr(r.targets)).bind(22, r.received_at);
    s.bind(23, r.updated_at);
    s.run();
    append_sync_change(c, r.user_id, "signal", r.id, r.received_at);
    return true;
  });
}

std::optional<SignalRecord> SqliteStore::find_signal(std::int64_t user_id, std::string_view signal_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<SignalRecord> {
    auto s = c.prepare("SELECT " + std::string(kSignalColumns) + " FROM signals WHERE id = ?1 AND user_id = ?2");
    s.bind(1, signal_id).bind(2, user_id);
    if (!s.step()) return std::nullopt;
    auto r = read_signal(s);
    load_results(c, r);
    return r;
  });
}

std::optional<SignalRecord> SqliteStore::find_signal_by_key(std::int64_t user_id, std::string_view key) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<SignalRecord> {
    auto s = c.prepare("SELECT " + std::string(kSignalColumns) +
                       " FROM signals WHERE user_id = ?1 AND idempotency_key = ?2");
    s.bind(1, user_id).bind(2, key);
    if (!s.step()) return std::nullopt;
    auto r = read_signal(s);
    load_results(c, r);
    return r;
  });
}

std::vector<SignalRecord> SqliteStore::list_signals(const SignalQuery& q) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kSignalColumns) +
                       " FROM signals WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR "
                       "market_id = ?3) AND (?4 IS NULL OR source = ?4) AND (?5 IS NULL OR received_at >= ?5) AND "
                       "(?6 IS NULL OR received_at < ?6 OR (received_at = ?6 AND id < ?7)) "
                       "ORDER BY received_at DESC, id DESC LIMIT ?8");
    s.bind(1, q.user_id).bind(2, q.status).bind(3, q.market_id).bind(4, q.source).bind(5, q.since);
    if (q.after) s.bind(6, q.after->first).bind(7, q.after->second);
    else s.bind_null(6).bind_null(7);
    s.bind(8, q.limit);
    std::vector<SignalRecord> out;
    while (s.step()) out.push_back(read_signal(s));
    for (auto& r : out) load_results(c, r);
    return out;
  });
}

void SqliteStore::record_signal_result(std::string_view signal_id, const SignalResultRecord& x, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT OR REPLACE INTO signal_results (signal_id, idx, account_id, mode, status, order_id, filled_size, "
        "filled_notional, capped, reason, error, error_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12)");
    s.bind(1, signal_id).bind(2, x.index).bind(3, x.account_id).bind(4, x.mode).bind(5, x.status);
    s.bind(6, x.order_id).bind(7, x.filled_size).bind(8, x.filled_notional).bind(9, x.capped);
    s.bind(10, x.reason).bind(11, x.error).bind(12, x.error_message);
    s.run();
    auto u = c.prepare("UPDATE signals SET updated_at = ?2 WHERE id = ?1");
    u.bind(1, signal_id).bind(2, now);
    u.run();
    log_signal_change(c, signal_id, now);
  });
}

void SqliteStore::finish_signal(std::string_view signal_id, std::string_view status, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto u = c.prepare("UPDATE signals SET status = ?2, updated_at = ?3 WHERE id = ?1");
    u.bind(1, signal_id).bind(2, status).bind(3, now);
    u.run();
    log_signal_change(c, signal_id, now);
  });
}

std::vector<std::string> SqliteStore::signal_targets(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT account_id FROM signal_targets WHERE user_id = ?1 ORDER BY position");
    s.bind(1, user_id);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

void SqliteStore::replace_signal_targets(std::int64_t user_id, const std::vector<std::string>& ids, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto d = c.prepare("DELETE FROM signal_targets WHERE user_id = ?1");
    d.bind(1, user_id);
    d.run();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto s = c.prepare("INSERT INTO signal_targets (user_id, position, account_id, updated_at) VALUES (?1, ?2, ?3, ?4)");
      s.bind(1, user_id).bind(2, static_cast<std::int64_t>(i)).bind(3, ids[i]).bind(4, now);
      s.run();
    }
    log_targets_change(c, user_id, now);
  });
}

bool SqliteStore::create_webhook(const WebhookRecord& w, std::string_view secret_hash, int max_per_user) {
  return impl_->write([&](SqliteConnection& c) {
    auto q = c.prepare("SELECT COUNT(*) FROM signal_webhooks WHERE user_id = ?1 AND deleted_at IS NULL");
    q.bind(1, w.user_id);
    q.step();
    if (q.int64(0) >= max_per_user) return false;
    auto s = c.prepare(
        "INSERT INTO signal_webhooks (id, tenant_id, user_id, name, auth, prefix, secret_hash, sealed_secret, targets, "
        "default_size_type, default_size, default_order_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13)");
    s.bind(1, w.id).bind(2, w.tenant_id).bind(3, w.user_id).bind(4, w.name).bind(5, w.auth).bind(6, w.prefix);
    s.bind_blob(7, secret_hash).bind(8, w.sealed_secret);
    if (w.targets) s.bind(9, join_amr(*w.targets));
    else s.bind_null(9);
    s.bind(10, w.default_size_type).bind(11, w.default_size).bind(12, w.default_order_type).bind(13, w.created_at);
    s.run();
    return true;
  });
}

std::optional<WebhookRecord> SqliteStore::find_webhook_by_secret(std::string_view secret_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<WebhookRecord> {
    auto s = c.prepare("SELECT " + std::string(kWebhookColumns) +
                       " FROM signal_webhooks WHERE secret_hash = ?1 AND deleted_at IS NULL");
    s.bind_blob(1, secret_hash);
    if (!s.step()) return std::nullopt;
    return read_webhook(s);
  });
}

std::optional<WebhookRecord> SqliteStore::find_webhook(std::string_view webhook_id) {
  return impl_->read([&](SqliteConnection& c) { return live_webhook(c, webhook_id); });
}

std::vector<WebhookRecord> SqliteStore::list_webhooks(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kWebhookColumns) +
                       " FROM signal_webhooks WHERE user_id = ?1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC");
    s.bind(1, user_id);
    std::vector<WebhookRecord> out;
    while (s.step()) out.push_back(read_webhook(s));
    return out;
  });
}

std::optional<WebhookRecord> SqliteStore::rotate_webhook(std::int64_t user_id, std::string_view webhook_id,
                                                         std::string_view secret_hash, std::string_view prefix,
                                                         const std::optional<std::string>& sealed_secret,
                                                         std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<WebhookRecord> {
    auto u = c.prepare(
        "UPDATE signal_webhooks SET secret_hash = ?3, prefix = ?4, sealed_secret = ?5, rotated_at = ?6 "
        "WHERE id = ?2 AND user_id = ?1 AND deleted_at IS NULL");
    u.bind(1, user_id).bind(2, webhook_id).bind_blob(3, secret_hash).bind(4, prefix).bind(5, sealed_secret);
    u.bind(6, now);
    u.run();
    if (c.changes() == 0) return std::nullopt;
    return live_webhook(c, webhook_id);
  });
}

bool SqliteStore::delete_webhook(std::int64_t user_id, std::string_view webhook_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto u = c.prepare(
        "UPDATE signal_webhooks SET deleted_at = ?3 WHERE id = ?2 AND user_id = ?1 AND deleted_at IS NULL");
    u.bind(1, user_id).bind(2, webhook_id).bind(3, now);
    u.run();
    return c.changes() > 0;
  });
}

}  // namespace polysim::store::sqlite
