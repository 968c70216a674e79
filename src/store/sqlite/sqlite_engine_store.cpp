// The engine's part of the SQLite store: write sets, account loading, markets, books and the
// reads behind the trading endpoints.
#include <memory>

#include "core/json_writer.hpp"
#include "store/sqlite/sqlite_engine_rows.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kMarketColumns =
    "id, slug, question, category, yes_token_id, no_token_id, tick_size, yes_label, no_label, min_order_size, "
    "taker_fee_bps, maker_fee_bps, status, end_date, resolution, resolved_at, feed, stale_after, sim_params, "
    "external_ref, created_at, updated_at";

MarketRecord read_market(const Statement& s) {
  MarketRecord m;
  m.id = s.text(0);
  m.slug = s.text(1);
  m.question = s.text(2);
  m.category = s.text(3);
  m.yes_token_id = s.text(4);
  m.no_token_id = s.text(5);
  m.tick_size = s.int64(6);
  m.yes_label = s.opt_text(7);
  m.no_label = s.opt_text(8);
  m.min_order_size = s.int64(9);
  m.taker_fee_bps = s.int64(10);
  m.maker_fee_bps = s.int64(11);
  m.status = s.text(12);
  m.end_date = s.opt_int64(13);
  m.resolution = s.opt_text(14);
  m.resolved_at = s.opt_int64(15);
  m.feed = s.text(16);
  m.stale_after_s = s.int64(17);
  m.sim_params_json = s.text(18);
  m.external_ref = s.opt_text(19);
  m.created_at = s.int64(20);
  m.updated_at = s.int64(21);
  return m;
}

void write_market(SqliteConnection& c, const MarketRecord& m, bool replace) {
  auto s = c.prepare(std::string(replace ? "INSERT OR REPLACE" : "INSERT") + " INTO markets (" +
                     std::string(kMarketColumns) +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                     "?20, ?21, ?22)");
  s.bind(1, m.id).bind(2, m.slug).bind(3, m.question).bind(4, m.category).bind(5, m.yes_token_id);
  s.bind(6, m.no_token_id).bind(7, m.tick_size).bind(8, m.yes_label).bind(9, m.no_label).bind(10, m.min_order_size);
  s.bind(11, m.taker_fee_bps).bind(12, m.maker_fee_bps).bind(13, m.status).bind(14, m.end_date);
  s.bind(15, m.resolution).bind(16, m.resolved_at).bind(17, m.feed).bind(18, m.stale_after_s);
  s.bind(19, m.sim_params_json).bind(20, m.external_ref).bind(21, m.created_at).bind(22, m.updated_at);
  s.run();
}

}  // namespace

constexpr std::string_view kOrderColumns =
    "order_id, account_id, market_id, token_id, outcome, side, order_type, time_in_force, limit_price, worst_price, "
    "size, notional, post_only, expires_at, status, filled_size, filled_notional, maker_filled_size, fees, "
    "reserved_cash, reserved_size, end_reason, entry_book_seq, epoch, client_order_id, origin, app_id, created_at, "
    "updated_at, done_at";

OrderRecord read_order(const Statement& s) {
  OrderRecord o;
  o.order_id = s.text(0);
  o.account_id = s.text(1);
  o.market_id = s.text(2);
  o.token_id = s.text(3);
  o.outcome = s.text(4);
  o.side = s.text(5);
  o.order_type = s.text(6);
  o.time_in_force = s.text(7);
  o.limit_price = s.opt_int64(8);
  o.worst_price = s.opt_int64(9);
  o.size = s.int64(10);
  o.notional = s.opt_int64(11);
  o.post_only = s.int64(12) != 0;
  o.expires_at = s.opt_int64(13);
  o.status = s.text(14);
  o.filled_size = s.int64(15);
  o.filled_notional = s.int64(16);
  o.maker_filled_size = s.int64(17);
  o.fees = s.int64(18);
  o.reserved_cash = s.int64(19);
  o.reserved_size = s.int64(20);
  o.end_reason = s.opt_text(21);
  o.entry_book_seq = s.int64(22);
  o.epoch = s.int64(23);
  o.client_order_id = s.opt_text(24);
  o.origin = s.text(25);
  o.app_id = s.opt_text(26);
  o.created_at = s.int64(27);
  o.updated_at = s.int64(28);
  o.done_at = s.opt_int64(29);
  return o;
}

constexpr std::string_view kPositionColumns =
    "position_id, account_id, market_id, token_id, outcome, size, reserved_size, cost_basis, realized_pnl, status, "
    "mark_at_close, opened_at, closed_at, epoch, updated_at, mark_source_at_close";

PositionRecord read_position(const Statement& s) {
  PositionRecord p;
  p.position_id = s.text(0);
  p.account_id = s.text(1);
  p.market_id = s.text(2);
  p.token_id = s.text(3);
  p.outcome = s.text(4);
  p.size = s.int64(5);
  p.reserved_size = s.int64(6);
  p.cost_basis = s.int64(7);
  p.realized_pnl = s.int64(8);
  p.status = s.text(9);
  p.mark_at_close = s.opt_int64(10);
  p.opened_at = s.int64(11);
  p.closed_at = s.opt_int64(12);
  p.epoch = s.int64(13);
  p.updated_at = s.int64(14);
  p.mark_source_at_close = s.opt_text(15);
  return p;
}

constexpr std::string_view kSettlementColumns =
    "settlement_id, account_id, market_id, token_id, outcome, size, payout_price, amount, cost_basis_released, "
    "realized_pnl, epoch, settled_at";

SettlementRecord read_settlement(const Statement& s) {
  SettlementRecord r;
  r.settlement_id = s.text(0);
  r.account_id = s.text(1);
  r.market_id = s.text(2);
  r.token_id = s.text(3);
  r.outcome = s.text(4);
  r.size = s.int64(5);
  r.payout_price = s.int64(6);
  r.amount = s.int64(7);
  r.cost_basis_released = s.int64(8);
  r.realized_pnl = s.int64(9);
  r.epoch = s.int64(10);
  r.settled_at = s.int64(11);
  return r;
}

namespace {

// INSERT … ON CONFLICT DO UPDATE rather than INSERT OR REPLACE: a replace deletes the row and
// inserts it again, rewriting every index entry; an upsert touches only what changed.
std::string upsert_sql(std::string_view table, std::string_view columns, std::string_view key, int count) {
  std::string sql = "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (";
  for (int i = 1; i <= count; ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
  sql += ") ON CONFLICT(" + std::string(key) + ") DO UPDATE SET ";
  bool first = true;
  std::size_t start = 0;
  while (start < columns.size()) {
    auto end = columns.find(',', start);
    if (end == std::string_view::npos) end = columns.size();
    auto name = columns.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (name != key) {
      sql += (first ? "" : ", ") + std::string(name) + " = excluded." + std::string(name);
      first = false;
    }
    start = end + 1;
  }
  return sql;
}

// One change-log row per write set that changed an account's state (a write set is one
// command on one account): the entities it touched, for desktop sync to replay.
void log_sync_change(SqliteConnection& c, const WriteSet& w) {
  if (w.valuation_only || w.accounts.empty()) return;
  std::string changes;
  JsonWriter j(changes);
  j.begin_array();
  auto entity = [&](std::string_view kind, const std::string& id) {
    j.begin_array();
    j.string(kind);
    j.string(id);
    j.end_array();
  };
  for (const auto& a : w.accounts) entity("account", a.id);
  for (const auto& o : w.orders) entity("order", o.order_id);
  for (const auto& f : w.fills) entity("fill", f.trade_id);
  for (const auto& p : w.positions) entity("position", p.position_id);
  for (const auto& r : w.settlements) entity("settlement", r.settlement_id);
  j.end_array();
  auto s = c.prepare("INSERT INTO sync_changes (user_id, changes, at) VALUES (?1, ?2, ?3)");
  s.bind(1, w.accounts.front().user_id).bind(2, changes).bind(3, w.accounts.front().updated_at);
  s.run();
}

void apply_write_set(SqliteConnection& c, const WriteSet& w) {
  for (const auto& a : w.accounts) {
    auto s = c.prepare(
        "UPDATE accounts SET status = ?2, pending_action = ?3, cash = ?4, reserved = ?5, realized_pnl = ?6, "
        "fees_paid = ?7, peak_equity = ?8, min_equity = ?9, max_drawdown = ?10, max_drawdown_pct = ?11, "
        "day_start_equity = ?12, day_start_at = ?13, day_low_equity = ?14, open_orders_count = ?15, "
        "reset_count = ?16, last_reset_at = ?17, closed_at = ?18, updated_at = ?19 WHERE id = ?1");
    s.bind(1, a.id).bind(2, a.status).bind(3, a.pending_action).bind(4, a.cash).bind(5, a.reserved);
    s.bind(6, a.realized_pnl).bind(7, a.fees_paid).bind(8, a.peak_equity).bind(9, a.min_equity);
    s.bind(10, a.max_drawdown).bind(11, a.max_drawdown_pct_micros).bind(12, a.day_start_equity);
    s.bind(13, a.day_start_at).bind(14, a.day_low_equity).bind(15, a.open_orders_count).bind(16, a.reset_count);
    s.bind(17, a.last_reset_at).bind(18, a.closed_at).bind(19, a.updated_at);
    s.run();
    if (c.changes() != 1) throw SqliteError(1, "engine write for an unknown account");
  }
  for (const auto& o : w.orders) {
    static const std::string sql = upsert_sql("orders", kOrderColumns, "order_id", 30);
    auto s = c.prepare(sql);
    s.bind(1, o.order_id).bind(2, o.account_id).bind(3, o.market_id).bind(4, o.token_id).bind(5, o.outcome);
    s.bind(6, o.side).bind(7, o.order_type).bind(8, o.time_in_force).bind(9, o.limit_price).bind(10, o.worst_price);
    s.bind(11, o.size).bind(12, o.notional).bind(13, o.post_only).bind(14, o.expires_at).bind(15, o.status);
    s.bind(16, o.filled_size).bind(17, o.filled_notional).bind(18, o.maker_filled_size).bind(19, o.fees);
    s.bind(20, o.reserved_cash).bind(21, o.reserved_size).bind(22, o.end_reason).bind(23, o.entry_book_seq);
    s.bind(24, o.epoch).bind(25, o.client_order_id).bind(26, o.origin).bind(27, o.app_id).bind(28, o.created_at);
    s.bind(29, o.updated_at).bind(30, o.done_at);
    s.run();
  }
  for (const auto& p : w.positions) {
    static const std::string sql = upsert_sql("positions", kPositionColumns, "position_id", 16);
    auto s = c.prepare(sql);
    s.bind(1, p.position_id).bind(2, p.account_id).bind(3, p.market_id).bind(4, p.token_id).bind(5, p.outcome);
    s.bind(6, p.size).bind(7, p.reserved_size).bind(8, p.cost_basis).bind(9, p.realized_pnl).bind(10, p.status);
    s.bind(11, p.mark_at_close).bind(12, p.opened_at).bind(13, p.closed_at).bind(14, p.epoch).bind(15, p.updated_at).bind(16, p.mark_source_at_close);
    s.run();
  }
  for (const auto& f : w.fills) insert_fill(c, f);
  for (const auto& e : w.ledger) {
    auto s = c.prepare(
        "INSERT INTO ledger_entries (account_id, seq, epoch, type, amount, balance_after, trade_id, settlement_id, "
        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    s.bind(1, e.account_id).bind(2, e.seq).bind(3, e.epoch).bind(4, e.type).bind(5, e.amount);
    s.bind(6, e.balance_after).bind(7, e.trade_id).bind(8, e.settlement_id).bind(9, e.created_at);
    s.run();
  }
  for (const auto& r : w.settlements) {
    auto s = c.prepare(
        "INSERT INTO settlements (settlement_id, account_id, market_id, token_id, outcome, size, payout_price, amount, "
        "cost_basis_released, realized_pnl, epoch, settled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    s.bind(1, r.settlement_id).bind(2, r.account_id).bind(3, r.market_id).bind(4, r.token_id).bind(5, r.outcome);
    s.bind(6, r.size).bind(7, r.payout_price).bind(8, r.amount).bind(9, r.cost_basis_released);
    s.bind(10, r.realized_pnl).bind(11, r.epoch).bind(12, r.settled_at);
    s.run();
  }
  for (const auto& n : w.snapshots) {
    auto s = c.prepare(
        "INSERT INTO equity_snapshots (account_id, at, reason, cash, reserved, positions_value, equity, peak_equity, "
        "drawdown, realized_pnl, unrealized_pnl, fees_paid, epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13)");
    s.bind(1, n.account_id).bind(2, n.at).bind(3, n.reason).bind(4, n.cash).bind(5, n.reserved);
    s.bind(6, n.positions_value).bind(7, n.equity).bind(8, n.peak_equity).bind(9, n.drawdown);
    s.bind(10, n.realized_pnl).bind(11, n.unrealized_pnl).bind(12, n.fees_paid).bind(13, n.epoch);
    s.run();
  }
  for (const auto& e : w.audit) {
    auto s = c.prepare(
        "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target, details, at) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7)");
    s.bind(1, e.tenant_id).bind(2, e.actor_kind).bind(3, e.actor_id).bind(4, e.action).bind(5, e.target);
    s.bind(6, e.details_json).bind(7, e.at);
    s.run();
  }
  log_sync_change(c, w);
}

std::string placeholders(std::size_t n, int first) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += "?" + std::to_string(first + static_cast<int>(i));
  }
  return out;
}

}  // namespace

void SqliteStore::create_market(const MarketRecord& m) {
  impl_->write([&](SqliteConnection& c) { write_market(c, m, false); });
}

void SqliteStore::save_market(const MarketRecord& m) {
  impl_->write([&](SqliteConnection& c) { write_market(c, m, true); });
}

std::optional<MarketRecord> SqliteStore::find_market(std::string_view id_or_slug) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<MarketRecord> {
    auto s = c.prepare("SELECT " + std::string(kMarketColumns) +
                       " FROM markets WHERE id = ?1 OR slug = ?1 ORDER BY id = ?1 DESC LIMIT 1");
    s.bind(1, id_or_slug);
    if (!s.step()) return std::nullopt;
    return read_market(s);
  });
}

std::vector<MarketRecord> SqliteStore::list_markets() {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kMarketColumns) + " FROM markets ORDER BY created_at, id");
    std::vector<MarketRecord> out;
    while (s.step()) out.push_back(read_market(s));
    return out;
  });
}

void SqliteStore::commit_async(std::shared_ptr<const WriteSet> writes, std::shared_ptr<std::atomic<bool>> chain,
                               std::function<void(std::exception_ptr)> done) {
  auto run = [writes, chain](SqliteConnection& c) {
    if (chain && chain->load()) throw StoreUnavailable("an earlier write of this chain failed");
    try {
      apply_write_set(c, *writes);
    } catch (...) {
      if (chain) chain->store(true);
      throw;
    }
  };
  // A failed COMMIT fails the whole batch: the chain breaks there too.
  auto finish = [chain, done = std::move(done)](std::exception_ptr error) {
    if (error && chain) chain->store(true);
    done(error);
  };
  impl_->write_async(std::move(run), std::move(finish));
}

void SqliteStore::commit(const WriteSet& writes) {
  impl_->write([&](SqliteConnection& c) { apply_write_set(c, writes); });
}

std::optional<LoadedAccount> SqliteStore::load_account(std::string_view account_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<LoadedAccount> {
    // One read transaction, so the row, positions, orders and ledger agree with each other.
    ReadTransaction transaction(c);
    LoadedAccount out;
    {
      auto s = c.prepare("SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE id = ?1");
      s.bind(1, account_id);
      if (!s.step()) return std::nullopt;
      out.account = read_account(s);
    }
    {
      auto s = c.prepare("SELECT " + std::string(kPositionColumns) +
                         " FROM positions WHERE account_id = ?1 AND status = 'OPEN'");
      s.bind(1, account_id);
      while (s.step()) out.positions.push_back(read_position(s));
    }
    {
      auto s = c.prepare("SELECT " + std::string(kOrderColumns) +
                         " FROM orders WHERE account_id = ?1 AND status = 'OPEN' ORDER BY created_at, order_id");
      s.bind(1, account_id);
      while (s.step()) out.open_orders.push_back(read_order(s));
    }
    {
      auto s = c.prepare(
          "SELECT seq, balance_after FROM ledger_entries WHERE account_id = ?1 ORDER BY seq DESC LIMIT 1");
      s.bind(1, account_id);
      if (s.step()) {
        out.ledger_seq = s.int64(0);
        out.ledger_balance = s.int64(1);
      }
    }
    {
      auto s = c.prepare("SELECT COALESCE(MAX(filled_at), 0) FROM fills WHERE account_id = ?1");
      s.bind(1, account_id);
      if (s.step()) out.last_filled_at = s.int64(0);
    }
    return out;
  });
}

std::optional<OrderRecord> SqliteStore::find_order_by_client_id(std::string_view account_id,
                                                                std::string_view client_order_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<OrderRecord> {
    auto s = c.prepare("SELECT " + std::string(kOrderColumns) +
                       " FROM orders WHERE account_id = ?1 AND client_order_id = ?2");
    s.bind(1, account_id).bind(2, client_order_id);
    if (!s.step()) return std::nullopt;
    return read_order(s);
  });
}

std::optional<OrderRecord> SqliteStore::find_order(std::string_view order_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<OrderRecord> {
    auto s = c.prepare("SELECT " + std::string(kOrderColumns) + " FROM orders WHERE order_id = ?1");
    s.bind(1, order_id);
    if (!s.step()) return std::nullopt;
    return read_order(s);
  });
}

std::vector<OrderRecord> SqliteStore::list_orders(const OrderQuery& q) {
  if (q.account_ids.empty()) return {};
  return impl_->read([&](SqliteConnection& c) {
    const int first = 6;
    std::string sql = "SELECT " + std::string(kOrderColumns) + " FROM orders WHERE account_id IN (" +
                      placeholders(q.account_ids.size(), first) + ")";
    if (q.status) sql += " AND status = ?1";
    if (q.market_id) sql += " AND market_id = ?2";
    if (q.client_order_id) sql += " AND client_order_id = ?3";
    if (q.after) sql += " AND (created_at, order_id) < (?4, ?5)";
    sql += " ORDER BY created_at DESC, order_id DESC LIMIT " + std::to_string(q.limit);
    auto s = c.prepare(sql);
    if (q.status) s.bind(1, *q.status);
    if (q.market_id) s.bind(2, *q.market_id);
    if (q.client_order_id) s.bind(3, *q.client_order_id);
    if (q.after) s.bind(4, q.after->first).bind(5, q.after->second);
    for (std::size_t i = 0; i < q.account_ids.size(); ++i) s.bind(first + static_cast<int>(i), q.account_ids[i]);
    std::vector<OrderRecord> out;
    while (s.step()) out.push_back(read_order(s));
    return out;
  });
}

std::vector<PositionRecord> SqliteStore::list_positions(const PositionQuery& q) {
  if (q.account_ids.empty()) return {};
  return impl_->read([&](SqliteConnection& c) {
    const int first = 4;
    std::string sql = "SELECT " + std::string(kPositionColumns) + " FROM positions WHERE account_id IN (" +
                      placeholders(q.account_ids.size(), first) + ")";
    if (q.open_only) sql += " AND status = 'OPEN'";
    if (q.market_id) sql += " AND market_id = ?1";
    if (q.after) sql += " AND (opened_at, position_id) < (?2, ?3)";
    sql += " ORDER BY opened_at DESC, position_id DESC LIMIT " + std::to_string(q.limit);
    auto s = c.prepare(sql);
    if (q.market_id) s.bind(1, *q.market_id);
    if (q.after) s.bind(2, q.after->first).bind(3, q.after->second);
    for (std::size_t i = 0; i < q.account_ids.size(); ++i) s.bind(first + static_cast<int>(i), q.account_ids[i]);
    std::vector<PositionRecord> out;
    while (s.step()) out.push_back(read_position(s));
    return out;
  });
}

std::vector<FillRecord> SqliteStore::fills_of_order(std::string_view order_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kFillColumns) +
                       " FROM fills f JOIN markets m ON m.id = f.market_id WHERE f.order_id = ?1 "
                       "ORDER BY f.filled_at, f.trade_id");
    s.bind(1, order_id);
    std::vector<FillRecord> out;
    while (s.step()) out.push_back(read_fill(s));
    return out;
  });
}

namespace {

constexpr std::string_view kSnapshotColumns =
    "account_id, at, reason, cash, reserved, positions_value, equity, peak_equity, drawdown, realized_pnl, "
    "unrealized_pnl, fees_paid, epoch";

SnapshotRecord read_snapshot(const Statement& s) {
  SnapshotRecord n;
  n.account_id = s.text(0);
  n.at = s.int64(1);
  n.reason = s.text(2);
  n.cash = s.int64(3);
  n.reserved = s.int64(4);
  n.positions_value = s.int64(5);
  n.equity = s.int64(6);
  n.peak_equity = s.int64(7);
  n.drawdown = s.int64(8);
  n.realized_pnl = s.int64(9);
  n.unrealized_pnl = s.int64(10);
  n.fees_paid = s.int64(11);
  n.epoch = s.int64(12);
  return n;
}

}  // namespace

std::vector<SnapshotRecord> SqliteStore::list_snapshots(std::string_view account_id, std::int64_t from,
                                                        std::int64_t to) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT " + std::string(kSnapshotColumns) +
                       " FROM equity_snapshots WHERE account_id = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, id");
    s.bind(1, account_id).bind(2, from).bind(3, to);
    std::vector<SnapshotRecord> out;
    while (s.step()) out.push_back(read_snapshot(s));
    return out;
  });
}

std::optional<SnapshotRecord> SqliteStore::snapshot_at_or_before(std::string_view account_id, std::int64_t at) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<SnapshotRecord> {
    auto s = c.prepare("SELECT " + std::string(kSnapshotColumns) +
                       " FROM equity_snapshots WHERE account_id = ?1 AND at <= ?2 ORDER BY at DESC, id DESC LIMIT 1");
    s.bind(1, account_id).bind(2, at);
    if (!s.step()) return std::nullopt;
    return read_snapshot(s);
  });
}

LedgerTotals SqliteStore::ledger_totals(std::string_view account_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT COALESCE(SUM(amount), 0), COUNT(*), (SELECT balance_after FROM ledger_entries WHERE account_id = ?1 "
        "ORDER BY seq DESC LIMIT 1) FROM ledger_entries WHERE account_id = ?1");
    s.bind(1, account_id);
    LedgerTotals t;
    if (s.step()) {
      t.sum = s.int64(0);
      t.entries = s.int64(1);
      t.last_balance_after = s.opt_int64(2).value_or(0);
    }
    return t;
  });
}

std::vector<std::string> SqliteStore::accounts_to_hold() {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT account_id FROM orders WHERE status = 'OPEN' UNION "
        "SELECT p.account_id FROM positions p JOIN accounts a ON a.id = p.account_id "
        "WHERE p.status = 'OPEN' AND a.status = 'active'");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

std::vector<std::string> SqliteStore::active_accounts_in_market(std::string_view market_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT account_id FROM positions WHERE market_id = ?1 AND status = 'OPEN' UNION "
        "SELECT account_id FROM orders WHERE market_id = ?1 AND status = 'OPEN'");
    s.bind(1, market_id);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

std::int64_t SqliteStore::roll_day_for_idle_accounts(std::int64_t day_began_at, std::int64_t now) {
  static constexpr std::string_view kIdle =
      "status = 'active' AND day_start_at < ?1 AND NOT EXISTS (SELECT 1 FROM positions p "
      "WHERE p.account_id = accounts.id AND p.status = 'OPEN')";
  return impl_->write([&](SqliteConnection& c) {
    auto snap = c.prepare(
        "INSERT INTO equity_snapshots (account_id, at, reason, cash, reserved, positions_value, equity, peak_equity, "
        "drawdown, realized_pnl, unrealized_pnl, fees_paid, epoch) SELECT id, ?2, 'day_start', cash, reserved, 0, "
        "cash + reserved, peak_equity, peak_equity - (cash + reserved), realized_pnl, 0, fees_paid, reset_count "
        "FROM accounts WHERE " + std::string(kIdle));
    snap.bind(1, day_began_at).bind(2, now);
    snap.run();
    auto roll = c.prepare(
        "UPDATE accounts SET day_start_equity = cash + reserved, day_low_equity = cash + reserved, day_start_at = ?2 "
        "WHERE " + std::string(kIdle));
    roll.bind(1, day_began_at).bind(2, now);
    roll.run();
    return static_cast<std::int64_t>(c.changes());
  });
}

void SqliteStore::save_books(const std::vector<BookRecord>& books) {
  if (books.empty()) return;
  impl_->write([&](SqliteConnection& c) {
    for (const auto& b : books) {
      auto s = c.prepare(
          "INSERT OR REPLACE INTO books (token_id, market_id, seq, bids, asks, received_at, last_bid, sim_state) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      s.bind(1, b.token_id).bind(2, b.market_id).bind(3, b.seq).bind(4, b.bids_json).bind(5, b.asks_json);
      s.bind(6, b.received_at).bind(7, b.last_bid).bind(8, b.sim_state);
      s.run();
    }
  });
}

std::vector<BookRecord> SqliteStore::load_books() {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT token_id, market_id, seq, bids, asks, received_at, last_bid, sim_state FROM books");
    std::vector<BookRecord> out;
    while (s.step()) {
      BookRecord b;
      b.token_id = s.text(0);
      b.market_id = s.text(1);
      b.seq = s.int64(2);
      b.bids_json = s.text(3);
      b.asks_json = s.text(4);
      b.received_at = s.int64(5);
      b.last_bid = s.opt_int64(6);
      b.sim_state = s.opt_text(7);
      out.push_back(std::move(b));
    }
    return out;
  });
}

}  // namespace polysim::store::sqlite
