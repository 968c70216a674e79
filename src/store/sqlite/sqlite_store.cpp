#include "store/sqlite/sqlite_store.hpp"

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {


std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    if (comma > pos) out.push_back(text.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

constexpr std::string_view kTenantColumns =
    "id, name, display_name, disabled, partner_enabled, min_starting_balance, max_starting_balance, "
    "redirect_origins, default_login_url, tenant_per_second, tenant_per_minute, key_per_second, key_per_minute, "
    "demo_starting_balance, created_at, updated_at";

TenantRecord read_tenant(const Statement& s) {
  TenantRecord t;
  t.id = s.text(0);
  t.name = s.text(1);
  t.display_name = s.text(2);
  t.disabled = s.int64(3) != 0;
  t.partner_enabled = s.int64(4) != 0;
  t.min_starting_balance = s.int64(5);
  t.max_starting_balance = s.int64(6);
  t.redirect_origins = from_json_array(s.text(7));
  t.default_login_url = s.opt_text(8);
  t.tenant_per_second = s.int64(9);
  t.tenant_per_minute = s.int64(10);
  t.key_per_second = s.int64(11);
  t.key_per_minute = s.int64(12);
  t.demo_starting_balance = s.int64(13);
  t.created_at = s.int64(14);
  t.updated_at = s.int64(15);
  return t;
}

constexpr std::string_view kKeyColumns =
    "id, tenant_id, name, prefix, scopes, created_at, expires_at, deactivated_at, revoked_at, last_used_at";

ApiKeyRecord read_key(const Statement& s) {
  ApiKeyRecord k;
  k.id = s.text(0);
  k.tenant_id = s.text(1);
  k.name = s.text(2);
  k.prefix = s.text(3);
  k.scopes = split_scopes(s.text(4));
  k.created_at = s.int64(5);
  k.expires_at = s.opt_int64(6);
  k.deactivated_at = s.opt_int64(7);
  k.revoked_at = s.opt_int64(8);
  k.last_used_at = s.opt_int64(9);
  return k;
}

}  // namespace

AccountRecord read_account(const Statement& s) {
  AccountRecord a;
  a.id = s.text(0);
  a.tenant_id = s.text(1);
  a.user_id = s.int64(2);
  a.external_id = s.opt_text(3);
  a.governed = s.int64(4) != 0;
  a.stage = s.text(5);
  a.status = s.text(6);
  a.pending_action = s.opt_text(7);
  a.currency = s.text(8);
  a.starting_balance = s.int64(9);
  a.cash = s.int64(10);
  a.reserved = s.int64(11);
  a.realized_pnl = s.int64(12);
  a.fees_paid = s.int64(13);
  a.peak_equity = s.int64(14);
  a.min_equity = s.int64(15);
  a.max_drawdown = s.int64(16);
  a.max_drawdown_pct_micros = s.int64(17);
  a.day_start_equity = s.int64(18);
  a.day_start_at = s.int64(19);
  a.day_low_equity = s.int64(20);
  a.open_orders_count = s.int64(21);
  a.reset_count = s.int64(22);
  a.last_reset_at = s.opt_int64(23);
  a.closed_at = s.opt_int64(24);
  a.metadata_json = s.text(25);
  a.rules_json = s.text(26);
  a.created_at = s.int64(27);
  a.updated_at = s.int64(28);
  return a;
}

FillRecord read_fill(const Statement& s) {
  FillRecord f;
  f.trade_id = s.text(0);
  f.order_id = s.text(1);
  f.account_id = s.text(2);
  f.epoch = s.int64(3);
  f.market_id = s.text(4);
  f.market_slug = s.text(5);
  f.token_id = s.text(6);
  f.outcome = s.text(7);
  f.side = s.text(8);
  f.order_type = s.text(9);
  f.time_in_force = s.text(10);
  f.liquidity = s.text(11);
  f.price = s.int64(12);
  f.size = s.int64(13);
  f.notional = s.int64(14);
  f.fee = s.int64(15);
  f.fee_rate_bps = s.int64(16);
  f.cash_delta = s.int64(17);
  f.realized_pnl = s.int64(18);
  f.position_size_after = s.int64(19);
  f.book_seq = s.int64(20);
  f.client_order_id = s.opt_text(21);
  f.origin = s.text(22);
  f.filled_at = s.int64(23);
  return f;
}

namespace {

std::optional<AccountRecord> select_account(SqliteConnection& c, std::string_view tenant_id, std::string_view id) {
  auto s = c.prepare(std::string("SELECT ") + std::string(kAccountColumns) + " FROM accounts WHERE tenant_id = ?1 AND id = ?2");
  s.bind(1, tenant_id).bind(2, id);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

std::int64_t next_ledger_seq(SqliteConnection& c, std::string_view account_id) {
  auto s = c.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_entries WHERE account_id = ?1");
  s.bind(1, account_id);
  s.step();
  return s.int64(0);
}

void insert_ledger(SqliteConnection& c, std::string_view account_id, std::int64_t epoch, std::string_view type,
                   std::int64_t amount, std::int64_t balance_after, std::int64_t now) {
  const auto seq = next_ledger_seq(c, account_id);
  auto s = c.prepare(
      "INSERT INTO ledger_entries (account_id, seq, epoch, type, amount, balance_after, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, account_id).bind(2, seq).bind(3, epoch).bind(4, type).bind(5, amount).bind(6, balance_after).bind(7, now);
  s.run();
}

// Until the engine lands an account holds only cash, so equity is cash + reserved.
void insert_snapshot(SqliteConnection& c, const AccountRecord& a, std::string_view reason, std::int64_t now) {
  const auto equity = a.cash + a.reserved;
  auto s = c.prepare(
      "INSERT INTO equity_snapshots (account_id, at, reason, cash, reserved, positions_value, equity, peak_equity, "
      "drawdown, realized_pnl, unrealized_pnl, fees_paid, epoch) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9, 0, ?10, ?11)");
  s.bind(1, a.id).bind(2, now).bind(3, reason).bind(4, a.cash).bind(5, a.reserved).bind(6, equity);
  s.bind(7, a.peak_equity).bind(8, a.peak_equity - equity).bind(9, a.realized_pnl).bind(10, a.fees_paid);
  s.bind(11, a.reset_count);
  s.run();
}

}  // namespace

SqliteStore::SqliteStore(SqliteOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->start_writer();
}

SqliteStore::~SqliteStore() { impl_->stop_writer(); }

std::vector<int> SqliteStore::migrate() {
  return impl_->write([](SqliteConnection& c) {
    c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    std::vector<int> applied;
    for (const auto& m : migrations()) {
      auto q = c.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
      q.bind(1, m.version);
      if (q.step()) continue;
      c.exec(m.sql);
      auto ins = c.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%s','now'))");
      ins.bind(1, m.version).bind(2, m.name);
      ins.run();
      applied.push_back(m.version);
    }
    return applied;
  });
}

bool SqliteStore::ping() {
  try {
    return impl_->read([](SqliteConnection& c) {
      auto s = c.prepare("SELECT 1");
      return s.step();
    });
  } catch (...) {
    return false;
  }
}

void SqliteStore::create_tenant(const TenantRecord& t) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(std::string("INSERT INTO tenants (") + std::string(kTenantColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    s.bind(1, t.id).bind(2, t.name).bind(3, t.display_name).bind(4, t.disabled).bind(5, t.partner_enabled);
    s.bind(6, t.min_starting_balance).bind(7, t.max_starting_balance).bind(8, to_json_array(t.redirect_origins));
    s.bind(9, t.default_login_url).bind(10, t.tenant_per_second).bind(11, t.tenant_per_minute);
    s.bind(12, t.key_per_second).bind(13, t.key_per_minute).bind(14, t.demo_starting_balance);
    s.bind(15, t.created_at).bind(16, t.updated_at);
    s.run();
  });
}

std::optional<TenantRecord> SqliteStore::find_tenant(std::string_view id_or_name) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<TenantRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kTenantColumns) + " FROM tenants WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1");
    s.bind(1, id_or_name);
    if (!s.step()) return std::nullopt;
    return read_tenant(s);
  });
}

std::vector<TenantRecord> SqliteStore::list_tenants() {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<TenantRecord> out;
    auto s = c.prepare(std::string("SELECT ") + std::string(kTenantColumns) + " FROM tenants ORDER BY created_at, id");
    while (s.step()) out.push_back(read_tenant(s));
    return out;
  });
}

void SqliteStore::update_tenant(const TenantRecord& t) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE tenants SET display_name = ?2, disabled = ?3, partner_enabled = ?4, min_starting_balance = ?5, "
        "max_starting_balance = ?6, redirect_origins = ?7, default_login_url = ?8, tenant_per_second = ?9, "
        "tenant_per_minute = ?10, key_per_second = ?11, key_per_minute = ?12, demo_starting_balance = ?13, "
        "updated_at = ?14 WHERE id = ?1");
    s.bind(1, t.id).bind(2, t.display_name).bind(3, t.disabled).bind(4, t.partner_enabled);
    s.bind(5, t.min_starting_balance).bind(6, t.max_starting_balance).bind(7, to_json_array(t.redirect_origins));
    s.bind(8, t.default_login_url).bind(9, t.tenant_per_second).bind(10, t.tenant_per_minute);
    s.bind(11, t.key_per_second).bind(12, t.key_per_minute).bind(13, t.demo_starting_balance).bind(14, t.updated_at);
    s.run();
  });
}

void SqliteStore::create_api_key(const ApiKeyRecord& k, std::string_view key_hash) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO api_keys (id, tenant_id, name, key_hash, prefix, scopes, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.bind(1, k.id).bind(2, k.tenant_id).bind(3, k.name).bind_blob(4, key_hash).bind(5, k.prefix);
    s.bind(6, join_scopes(k.scopes)).bind(7, k.created_at).bind(8, k.expires_at);
    s.run();
  });
}

std::optional<ApiKeyRecord> SqliteStore::find_api_key_by_hash(std::string_view key_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<ApiKeyRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kKeyColumns) + " FROM api_keys WHERE key_hash = ?1");
    s.bind_blob(1, key_hash);
    if (!s.step()) return std::nullopt;
    return read_key(s);
  });
}

std::optional<ApiKeyRecord> SqliteStore::find_api_key(std::string_view id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<ApiKeyRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kKeyColumns) + " FROM api_keys WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_key(s);
  });
}

std::vector<ApiKeyRecord> SqliteStore::list_api_keys(std::string_view tenant_id) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<ApiKeyRecord> out;
    auto s = c.prepare(std::string("SELECT ") + std::string(kKeyColumns) + " FROM api_keys WHERE tenant_id = ?1 ORDER BY created_at, id");
    s.bind(1, tenant_id);
    while (s.step()) out.push_back(read_key(s));
    return out;
  });
}

void SqliteStore::update_api_key_state(const ApiKeyRecord& k) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE api_keys SET deactivated_at = ?2, revoked_at = ?3, expires_at = ?4 WHERE id = ?1");
    s.bind(1, k.id).bind(2, k.deactivated_at).bind(3, k.revoked_at).bind(4, k.expires_at);
    s.run();
  });
}

void SqliteStore::touch_api_key(std::string_view id, std::int64_t used_at) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)");
    s.bind(1, id).bind(2, used_at);
    s.run();
  });
}

std::pair<PartnerUserOutcome, PartnerUserRecord> SqliteStore::create_partner_user(const PartnerUserCreate& r) {
  return impl_->write([&](SqliteConnection& c) -> std::pair<PartnerUserOutcome, PartnerUserRecord> {
    auto by_external = c.prepare(
        "SELECT m.user_id, u.uuid, m.external_id, u.email, m.metadata, m.created_at FROM partner_user_mappings m "
        "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 AND m.external_id = ?2");
    by_external.bind(1, r.tenant_id).bind(2, r.external_id);
    if (by_external.step()) {
      PartnerUserRecord existing{by_external.int64(0), by_external.text(1), by_external.text(2),
                                 by_external.text(3), by_external.text(4), by_external.int64(5)};
      return {existing.email == r.email ? PartnerUserOutcome::Replayed : PartnerUserOutcome::ExternalIdConflict,
              existing};
    }
    std::int64_t user_id = 0;
    std::string user_uuid;
    {
      auto by_email = c.prepare("SELECT id, uuid FROM users WHERE tenant_id = ?1 AND email = ?2");
      by_email.bind(1, r.tenant_id).bind(2, r.email);
      if (by_email.step()) {
        user_id = by_email.int64(0);
        user_uuid = by_email.text(1);
      }
    }
    if (user_id != 0) {
      auto mapped = c.prepare(
          "SELECT m.user_id, u.uuid, m.external_id, u.email, m.metadata, m.created_at FROM partner_user_mappings m "
          "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 AND m.user_id = ?2");
      mapped.bind(1, r.tenant_id).bind(2, user_id);
      if (mapped.step()) {
        PartnerUserRecord existing{mapped.int64(0), mapped.text(1), mapped.text(2), mapped.text(3), mapped.text(4),
                                   mapped.int64(5)};
        return {PartnerUserOutcome::UserAlreadyMapped, existing};
      }
    } else {
      auto ins = c.prepare("INSERT INTO users (uuid, tenant_id, email, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)");
      ins.bind(1, r.new_user_uuid).bind(2, r.tenant_id).bind(3, r.email).bind(4, r.now);
      ins.run();
      user_id = c.last_insert_rowid();
      user_uuid = r.new_user_uuid;
    }
    auto map = c.prepare(
        "INSERT INTO partner_user_mappings (tenant_id, external_id, user_id, metadata, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    map.bind(1, r.tenant_id).bind(2, r.external_id).bind(3, user_id).bind(4, r.metadata_json).bind(5, r.now);
    map.run();
    return {PartnerUserOutcome::Created,
            PartnerUserRecord{user_id, user_uuid, r.external_id, r.email, r.metadata_json, r.now}};
  });
}

std::optional<PartnerUserRecord> SqliteStore::find_partner_user(std::string_view tenant_id, std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<PartnerUserRecord> {
    auto s = c.prepare(
        "SELECT m.user_id, u.uuid, m.external_id, u.email, m.metadata, m.created_at FROM partner_user_mappings m "
        "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 AND m.user_id = ?2");
    s.bind(1, tenant_id).bind(2, user_id);
    if (!s.step()) return std::nullopt;
    return PartnerUserRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5)};
  });
}

std::pair<CreateOutcome, AccountRecord> SqliteStore::create_account(const AccountRecord& a) {
  return impl_->write([&](SqliteConnection& c) -> std::pair<CreateOutcome, AccountRecord> {
    if (a.external_id) {
      auto s = c.prepare(std::string("SELECT ") + std::string(kAccountColumns) +
                         " FROM accounts WHERE tenant_id = ?1 AND external_id = ?2");
      s.bind(1, a.tenant_id).bind(2, *a.external_id);
      if (s.step()) return {CreateOutcome::Existing, read_account(s)};
    }
    auto s = c.prepare(std::string("INSERT INTO accounts (") + std::string(kAccountColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                       "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)");
    s.bind(1, a.id).bind(2, a.tenant_id).bind(3, a.user_id).bind(4, a.external_id).bind(5, a.governed);
    s.bind(6, a.stage).bind(7, a.status).bind(8, a.pending_action).bind(9, a.currency).bind(10, a.starting_balance);
    s.bind(11, a.cash).bind(12, a.reserved).bind(13, a.realized_pnl).bind(14, a.fees_paid).bind(15, a.peak_equity);
    s.bind(16, a.min_equity).bind(17, a.max_drawdown).bind(18, a.max_drawdown_pct_micros);
    s.bind(19, a.day_start_equity).bind(20, a.day_start_at).bind(21, a.day_low_equity).bind(22, a.open_orders_count);
    s.bind(23, a.reset_count).bind(24, a.last_reset_at).bind(25, a.closed_at).bind(26, a.metadata_json);
    s.bind(27, a.rules_json).bind(28, a.created_at).bind(29, a.updated_at);
    s.run();
    insert_ledger(c, a.id, 0, "deposit", a.starting_balance, a.starting_balance, a.created_at);
    insert_snapshot(c, a, "created", a.created_at);
    return {CreateOutcome::Created, a};
  });
}

std::optional<AccountRecord> SqliteStore::find_account(std::string_view tenant_id, std::string_view account_id) {
  return impl_->read([&](SqliteConnection& c) { return select_account(c, tenant_id, account_id); });
}

std::optional<AccountRecord> SqliteStore::find_account_by_external_id(std::string_view tenant_id,
                                                                      std::string_view external_id) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<AccountRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kAccountColumns) +
                       " FROM accounts WHERE tenant_id = ?1 AND external_id = ?2");
    s.bind(1, tenant_id).bind(2, external_id);
    if (!s.step()) return std::nullopt;
    return read_account(s);
  });
}

std::vector<AccountRecord> SqliteStore::list_accounts(const AccountListQuery& q) {
  return impl_->read([&](SqliteConnection& c) {
    std::string sql = std::string("SELECT ") + std::string(kAccountColumns) + " FROM accounts WHERE tenant_id = ?1";
    if (q.governed_only) sql += " AND governed = 1";
    if (q.user_id) sql += " AND user_id = ?2";
    if (q.external_id) sql += " AND external_id = ?3";
    if (q.stage) sql += " AND stage = ?4";
    if (q.status) sql += " AND status = ?5";
    if (q.after) sql += " AND (created_at, id) < (?6, ?7)";
    sql += " ORDER BY created_at DESC, id DESC LIMIT ?8";
    auto s = c.prepare(sql);
    s.bind(1, q.tenant_id);
    if (q.user_id) s.bind(2, *q.user_id);
    if (q.external_id) s.bind(3, *q.external_id);
    if (q.stage) s.bind(4, *q.stage);
    if (q.status) s.bind(5, *q.status);
    if (q.after) s.bind(6, q.after->first).bind(7, q.after->second);
    s.bind(8, q.limit);
    std::vector<AccountRecord> out;
    while (s.step()) out.push_back(read_account(s));
    return out;
  });
}

std::optional<AccountRecord> SqliteStore::patch_account(std::string_view tenant_id, std::string_view account_id,
                                                        const AccountPatch& p, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<AccountRecord> {
    auto current = select_account(c, tenant_id, account_id);
    if (!current) return std::nullopt;
    auto next = *current;
    if (p.stage) next.stage = *p.stage;
    if (p.metadata_json) next.metadata_json = *p.metadata_json;
    if (p.rules_json) next.rules_json = *p.rules_json;
    const bool changed = next.stage != current->stage || next.metadata_json != current->metadata_json ||
                         next.rules_json != current->rules_json;
    if (!changed) return current;
    next.updated_at = std::max(now, current->updated_at);
    auto s = c.prepare("UPDATE accounts SET stage = ?3, metadata = ?4, rules = ?5, updated_at = ?6 WHERE tenant_id = ?1 AND id = ?2");
    s.bind(1, tenant_id).bind(2, account_id).bind(3, next.stage).bind(4, next.metadata_json).bind(5, next.rules_json);
    s.bind(6, next.updated_at);
    s.run();
    return next;
  });
}

std::pair<LifecycleOutcome, std::optional<AccountRecord>> SqliteStore::close_account(std::string_view tenant_id,
                                                                                     std::string_view account_id,
                                                                                     std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::pair<LifecycleOutcome, std::optional<AccountRecord>> {
    auto current = select_account(c, tenant_id, account_id);
    if (!current) return {LifecycleOutcome::NotFound, std::nullopt};
    if (current->status == "closed") return {LifecycleOutcome::AlreadyClosed, current};
    auto next = *current;
    next.status = "closed";
    next.closed_at = now;
    next.pending_action.reset();
    next.updated_at = std::max(now, current->updated_at);
    auto s = c.prepare(
        "UPDATE accounts SET status = 'closed', closed_at = ?3, pending_action = NULL, updated_at = ?4 "
        "WHERE tenant_id = ?1 AND id = ?2");
    s.bind(1, tenant_id).bind(2, account_id).bind(3, now).bind(4, next.updated_at);
    s.run();
    insert_snapshot(c, next, "close", now);
    return {LifecycleOutcome::Done, next};
  });
}

std::pair<LifecycleOutcome, std::optional<AccountRecord>> SqliteStore::reset_account(std::string_view tenant_id,
                                                                                     std::string_view account_id,
                                                                                     std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::pair<LifecycleOutcome, std::optional<AccountRecord>> {
    auto current = select_account(c, tenant_id, account_id);
    if (!current) return {LifecycleOutcome::NotFound, std::nullopt};
    if (current->status == "closed") return {LifecycleOutcome::Closed, current};
    auto next = *current;
    const auto balance = current->cash + current->reserved;
    next.cash = next.starting_balance;
    next.reserved = 0;
    next.realized_pnl = 0;
    next.fees_paid = 0;
    next.peak_equity = next.min_equity = next.day_start_equity = next.day_low_equity = next.starting_balance;
    next.max_drawdown = 0;
    next.max_drawdown_pct_micros = 0;
    next.day_start_at = now;
    next.last_reset_at = now;
    next.reset_count += 1;
    next.pending_action.reset();
    next.updated_at = std::max(now, current->updated_at);
    insert_ledger(c, next.id, next.reset_count, "reset", next.starting_balance - balance, next.starting_balance, now);
    auto s = c.prepare(
        "UPDATE accounts SET cash = ?3, reserved = 0, realized_pnl = 0, fees_paid = 0, peak_equity = ?3, "
        "min_equity = ?3, max_drawdown = 0, max_drawdown_pct = 0, day_start_equity = ?3, day_start_at = ?4, "
        "day_low_equity = ?3, reset_count = ?5, last_reset_at = ?4, pending_action = NULL, updated_at = ?6 "
        "WHERE tenant_id = ?1 AND id = ?2");
    s.bind(1, tenant_id).bind(2, account_id).bind(3, next.starting_balance).bind(4, now).bind(5, next.reset_count);
    s.bind(6, next.updated_at);
    s.run();
    insert_snapshot(c, next, "reset", now);
    auto audit = c.prepare(
        "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target, details, at) "
        "VALUES (?1, 'system', 'engine', 'account.reset', ?2, ?3, ?4)");
    boost::json::object ended{{"epoch", current->reset_count},
                              {"cash", current->cash},
                              {"reserved", current->reserved},
                              {"realized_pnl", current->realized_pnl},
                              {"fees_paid", current->fees_paid},
                              {"peak_equity", current->peak_equity},
                              {"min_equity", current->min_equity},
                              {"max_drawdown", current->max_drawdown}};
    audit.bind(1, tenant_id).bind(2, account_id).bind(3, boost::json::serialize(ended)).bind(4, now);
    audit.run();
    return {LifecycleOutcome::Done, next};
  });
}

void insert_fill(SqliteConnection& c, const FillRecord& f) {
  auto s = c.prepare(
      "INSERT INTO fills (trade_id, order_id, account_id, epoch, market_id, token_id, outcome, side, order_type, "
      "time_in_force, liquidity, price, size, notional, fee, fee_rate_bps, cash_delta, realized_pnl, "
      "position_size_after, book_seq, client_order_id, origin, filled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)");
    s.bind(1, f.trade_id).bind(2, f.order_id).bind(3, f.account_id).bind(4, f.epoch).bind(5, f.market_id);
    s.bind(6, f.token_id).bind(7, f.outcome).bind(8, f.side).bind(9, f.order_type).bind(10, f.time_in_force);
    s.bind(11, f.liquidity).bind(12, f.price).bind(13, f.size).bind(14, f.notional).bind(15, f.fee);
    s.bind(16, f.fee_rate_bps).bind(17, f.cash_delta).bind(18, f.realized_pnl).bind(19, f.position_size_after);
    s.bind(20, f.book_seq).bind(21, f.client_order_id).bind(22, f.origin).bind(23, f.filled_at);
    s.run();
}

void SqliteStore::insert_fills(const std::vector<FillRecord>& fills) {
  impl_->write([&](SqliteConnection& c) {
    for (const auto& f : fills) insert_fill(c, f);
  });
}

std::vector<FillRecord> SqliteStore::list_fills(const FillQuery& q) {
  return impl_->read([&](SqliteConnection& c) {
    std::string sql = std::string("SELECT ") + std::string(kFillColumns) +
                      " FROM fills f JOIN markets m ON m.id = f.market_id WHERE f.account_id = ?1";
    if (q.side) sql += " AND f.side = ?2";
    if (q.market_id) sql += " AND f.market_id = ?3";
    if (q.since) sql += " AND f.filled_at >= ?4";
    if (q.until) sql += " AND f.filled_at < ?5";
    // A row-value comparison lets SQLite seek the keyset index, so every page costs the same.
    if (q.after) sql += " AND (f.filled_at, f.order_id, f.trade_id) < (?6, ?7, ?8)";
    sql += " ORDER BY f.filled_at DESC, f.order_id DESC, f.trade_id DESC LIMIT ?9";
    auto s = c.prepare(sql);
    s.bind(1, q.account_id);
    if (q.side) s.bind(2, *q.side);
    if (q.market_id) s.bind(3, *q.market_id);
    if (q.since) s.bind(4, *q.since);
    if (q.until) s.bind(5, *q.until);
    if (q.after) s.bind(6, q.after->filled_at).bind(7, q.after->order_id).bind(8, q.after->trade_id);
    s.bind(9, q.limit);
    std::vector<FillRecord> out;
    while (s.step()) out.push_back(read_fill(s));
    return out;
  });
}

void SqliteStore::issue_login_link(const LoginLinkIssue& issue) {
  impl_->write([&](SqliteConnection& c) {
    auto retire = c.prepare(
        "UPDATE auth_tokens SET retired_at = ?2 WHERE user_id = ?1 AND kind = 'login_link' AND used_at IS NULL "
        "AND retired_at IS NULL");
    retire.bind(1, issue.user_id).bind(2, issue.now);
    retire.run();
    boost::json::object payload{{"landing_url", issue.landing_url}};
    auto token = c.prepare(
        "INSERT INTO auth_tokens (kind, token_hash, prefix, tenant_id, user_id, payload, expires_at, created_at) "
        "VALUES ('login_link', ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    token.bind_blob(1, issue.token_hash).bind(2, issue.prefix).bind(3, issue.tenant_id).bind(4, issue.user_id);
    token.bind(5, boost::json::serialize(payload)).bind(6, issue.expires_at).bind(7, issue.now);
    token.run();
    insert_outbox_row(c, issue.mail, impl_->outbox_cipher.load());
  });
}

void SqliteStore::set_outbox_cipher(const OutboxCipher* cipher) { impl_->outbox_cipher.store(cipher); }

std::vector<OutboxMessage> SqliteStore::due_outbox(std::int64_t now, int limit) {
  const OutboxCipher* cipher = impl_->outbox_cipher.load();
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(
        "SELECT id, tenant_id, recipient, kind, subject, body_text, link, code, created_at, attempts FROM email_outbox "
        "WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2");
    s.bind(1, now).bind(2, limit);
    std::vector<OutboxMessage> out;
    while (s.step()) {
      OutboxMessage m{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.opt_text(6),
                      s.opt_text(7), s.int64(8), s.int64(9)};
      if (std::string_view(m.text).substr(0, kSealedBodyPrefix.size()) == kSealedBodyPrefix) {
        auto opened = cipher ? cipher->open(std::string_view(m.text).substr(kSealedBodyPrefix.size()), m.id)
                             : std::nullopt;
        if (!opened) continue;  // sealed under another key: left for an instance that can read it
        boost::system::error_code ec;
        auto parts = boost::json::parse(*opened, ec);
        if (ec || !parts.is_object()) continue;
        const auto& o = parts.as_object();
        m.text = o.contains("text") && o.at("text").is_string() ? std::string(o.at("text").as_string()) : "";
        m.link = o.contains("link") && o.at("link").is_string() ? std::optional<std::string>(o.at("link").as_string())
                                                                : std::nullopt;
        m.code = o.contains("code") && o.at("code").is_string() ? std::optional<std::string>(o.at("code").as_string())
                                                                : std::nullopt;
      }
      out.push_back(std::move(m));
    }
    return out;
  });
}

void SqliteStore::mark_outbox_sent(std::string_view id, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    // Delivered mail keeps its envelope for the record, not its links and codes.
    auto s = c.prepare(
        "UPDATE email_outbox SET sent_at = ?2, attempts = attempts + 1, body_text = '', link = NULL, code = NULL "
        "WHERE id = ?1");
    s.bind(1, id).bind(2, now);
    s.run();
  });
}

void SqliteStore::mark_outbox_retry(std::string_view id, std::int64_t next_attempt_at, std::string_view error,
                                    bool give_up) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3, "
        "given_up_at = CASE WHEN ?4 THEN ?2 ELSE NULL END WHERE id = ?1");
    s.bind(1, id).bind(2, next_attempt_at).bind(3, error).bind(4, give_up);
    s.run();
  });
}

std::string SqliteStore::get_or_create_secret(std::string_view name, std::string_view candidate) {
  return impl_->write([&](SqliteConnection& c) {
    auto ins = c.prepare("INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?1, ?2, strftime('%s','now'))");
    ins.bind(1, name).bind(2, candidate);
    ins.run();
    auto sel = c.prepare("SELECT value FROM secrets WHERE name = ?1");
    sel.bind(1, name);
    sel.step();
    return sel.text(0);
  });
}

void SqliteStore::append_audit(const AuditEntry& e) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target, details, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, e.tenant_id).bind(2, e.actor_kind).bind(3, e.actor_id).bind(4, e.action).bind(5, e.target);
    s.bind(6, e.details_json).bind(7, e.at);
    s.run();
  });
}

}  // namespace polysim::store::sqlite
