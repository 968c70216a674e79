#include "store/sqlite/migrations.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kFoundation = R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  partner_enabled INTEGER NOT NULL DEFAULT 1,
  min_starting_balance INTEGER NOT NULL,
  max_starting_balance INTEGER NOT NULL,
  redirect_origins TEXT NOT NULL DEFAULT '[]',
  default_login_url TEXT,
  tenant_per_second INTEGER NOT NULL,
  tenant_per_minute INTEGER NOT NULL,
  key_per_second INTEGER NOT NULL,
  key_per_minute INTEGER NOT NULL,
  demo_starting_balance INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  key_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  deactivated_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  email TEXT NOT NULL,
  password_hash TEXT,
  email_verified_at INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, email)
);

CREATE TABLE partner_user_mappings (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  external_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, external_id),
  UNIQUE (tenant_id, user_id)
);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  external_id TEXT,
  governed INTEGER NOT NULL,
  stage TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  pending_action TEXT,
  currency TEXT NOT NULL DEFAULT 'USD',
  starting_balance INTEGER NOT NULL,
  cash INTEGER NOT NULL,
  reserved INTEGER NOT NULL DEFAULT 0,
  realized_pnl INTEGER NOT NULL DEFAULT 0,
  fees_paid INTEGER NOT NULL DEFAULT 0,
  peak_equity INTEGER NOT NULL,
  min_equity INTEGER NOT NULL,
  max_drawdown INTEGER NOT NULL DEFAULT 0,
  max_drawdown_pct INTEGER NOT NULL DEFAULT 0,
  day_start_equity INTEGER NOT NULL,
  day_start_at INTEGER NOT NULL,
  day_low_equity INTEGER NOT NULL,
  open_orders_count INTEGER NOT NULL DEFAULT 0,
  reset_count INTEGER NOT NULL DEFAULT 0,
  last_reset_at INTEGER,
  closed_at INTEGER,
  last_filled_at INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  rules TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_tenant_external ON accounts(tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX accounts_tenant_created ON accounts(tenant_id, created_at DESC, id DESC);
CREATE INDEX accounts_user ON accounts(user_id);

CREATE TABLE ledger_entries (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  seq INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  type TEXT NOT NULL,
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  trade_id TEXT,
  settlement_id TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, seq)
);
CREATE TRIGGER ledger_entries_append_only_u BEFORE UPDATE ON ledger_entries
  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_append_only_d BEFORE DELETE ON ledger_entries
  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

CREATE TABLE equity_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  cash INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  positions_value INTEGER NOT NULL,
  equity INTEGER NOT NULL,
  peak_equity INTEGER NOT NULL,
  drawdown INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  unrealized_pnl INTEGER NOT NULL,
  fees_paid INTEGER NOT NULL,
  epoch INTEGER NOT NULL
);
CREATE INDEX equity_snapshots_account ON equity_snapshots(account_id, at);

CREATE TABLE markets (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  question TEXT NOT NULL,
  category TEXT NOT NULL,
  yes_token_id TEXT NOT NULL UNIQUE,
  no_token_id TEXT NOT NULL UNIQUE,
  tick_size INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_at INTEGER NOT NULL
);

CREATE TABLE fills (
  trade_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  epoch INTEGER NOT NULL,
  market_id TEXT NOT NULL REFERENCES markets(id),
  token_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  liquidity TEXT NOT NULL,
  price INTEGER NOT NULL,
  size INTEGER NOT NULL,
  notional INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  fee_rate_bps INTEGER NOT NULL,
  cash_delta INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  position_size_after INTEGER NOT NULL,
  book_seq INTEGER NOT NULL,
  client_order_id TEXT,
  origin TEXT NOT NULL,
  filled_at INTEGER NOT NULL
);
CREATE INDEX fills_account_keyset ON fills(account_id, filled_at DESC, order_id DESC, trade_id DESC);
CREATE TRIGGER fills_append_only_u BEFORE UPDATE ON fills
  BEGIN SELECT RAISE(ABORT, 'fills are append-only'); END;
CREATE TRIGGER fills_append_only_d BEFORE DELETE ON fills
  BEGIN SELECT RAISE(ABORT, 'fills are append-only'); END;

CREATE TABLE auth_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  payload TEXT NOT NULL DEFAULT '{}',
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  retired_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX auth_tokens_user_kind ON auth_tokens(user_id, kind);

CREATE TABLE email_outbox (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  link TEXT,
  code TEXT,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER,
  given_up_at INTEGER,
  last_error TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, at);
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
)sql";

// Trader identity (20-trader-api.md §2-§5): sessions owning one refresh-token family each,
// per-account failure lanes (§4) and the IP groups a user has signed in from.
constexpr std::string_view kIdentity = R"sql(
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER;

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  surface TEXT NOT NULL,
  app_id TEXT,
  amr TEXT NOT NULL,
  ip_group TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_refreshed_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  token_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  successor_id INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE auth_failures (
  tenant_id TEXT NOT NULL,
  email TEXT NOT NULL,
  lane TEXT NOT NULL,
  consecutive INTEGER NOT NULL,
  locks INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  last_failure_at INTEGER NOT NULL,
  last_lock_noticed_at INTEGER,
  PRIMARY KEY (tenant_id, email, lane)
);

CREATE TABLE user_ip_groups (
  user_id INTEGER NOT NULL REFERENCES users(id),
  ip_group TEXT NOT NULL,
  last_sign_in_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, ip_group)
);

CREATE INDEX email_outbox_recipient ON email_outbox(recipient, kind, created_at);
CREATE INDEX auth_tokens_prefix ON auth_tokens(prefix);
)sql";

// TOTP MFA (20-trader-api.md §6): the sealed secret and the last accepted step per user,
// Argon2id-hashed backup codes, and the challenges that finish a sign-in.
constexpr std::string_view kMfa = R"sql(
ALTER TABLE users ADD COLUMN mfa_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_pending_expires_at INTEGER;

CREATE TABLE backup_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id),
  code_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX backup_codes_user ON backup_codes(user_id) WHERE used_at IS NULL;

CREATE TABLE mfa_challenges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash BLOB NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  flow TEXT NOT NULL,
  amr TEXT NOT NULL,
  redirect_url TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL
);
)sql";

// Device tokens, device-authorization requests and personal API keys (20-trader-api.md §7, §8).
constexpr std::string_view kDevices = R"sql(
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  platform TEXT NOT NULL,
  app_version TEXT NOT NULL,
  installation_id TEXT,
  token_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER,
  last_seen_ip_group TEXT,
  revoked_at INTEGER
);
CREATE INDEX devices_user ON devices(user_id);

CREATE TABLE device_authorizations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_code_hash BLOB NOT NULL UNIQUE,
  user_code TEXT NOT NULL,
  name TEXT NOT NULL,
  platform TEXT NOT NULL,
  app_version TEXT NOT NULL,
  installation_id TEXT,
  scopes TEXT NOT NULL,
  requested_ip_group TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decision TEXT,
  decided_by INTEGER REFERENCES users(id),
  decided_at INTEGER,
  last_polled_at INTEGER,
  device_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX device_authorizations_user_code ON device_authorizations(user_code, expires_at);

CREATE TABLE user_api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  key_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX user_api_keys_user ON user_api_keys(user_id);

ALTER TABLE mfa_challenges ADD COLUMN payload TEXT;
)sql";


// The trading engine (40-trading-engine.md): full market fields, orders, positions,
// settlements and the latest book per token. Fills, ledger entries and settlements are
// append-only; the account row carries the figures the engine maintains.
constexpr std::string_view kEngine = R"sql(
ALTER TABLE markets ADD COLUMN yes_label TEXT;
ALTER TABLE markets ADD COLUMN no_label TEXT;
ALTER TABLE markets ADD COLUMN min_order_size INTEGER NOT NULL DEFAULT 5000000;
ALTER TABLE markets ADD COLUMN taker_fee_bps INTEGER NOT NULL DEFAULT 500;
ALTER TABLE markets ADD COLUMN maker_fee_bps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE markets ADD COLUMN end_date INTEGER;
ALTER TABLE markets ADD COLUMN resolution TEXT;
ALTER TABLE markets ADD COLUMN resolved_at INTEGER;
ALTER TABLE markets ADD COLUMN feed TEXT NOT NULL DEFAULT 'sim';
ALTER TABLE markets ADD COLUMN stale_after INTEGER NOT NULL DEFAULT 30;
ALTER TABLE markets ADD COLUMN sim_params TEXT NOT NULL DEFAULT '{}';
ALTER TABLE markets ADD COLUMN external_ref TEXT;
ALTER TABLE markets ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  market_id TEXT NOT NULL REFERENCES markets(id),
  token_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  side TEXT NOT NULL,
  order_type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  limit_price INTEGER,
  worst_price INTEGER,
  size INTEGER NOT NULL,
  notional INTEGER,
  post_only INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER,
  status TEXT NOT NULL,
  filled_size INTEGER NOT NULL,
  filled_notional INTEGER NOT NULL,
  maker_filled_size INTEGER NOT NULL,
  fees INTEGER NOT NULL,
  reserved_cash INTEGER NOT NULL,
  reserved_size INTEGER NOT NULL,
  end_reason TEXT,
  entry_book_seq INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  client_order_id TEXT,
  origin TEXT NOT NULL,
  app_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE UNIQUE INDEX orders_client_id ON orders(account_id, client_order_id) WHERE client_order_id IS NOT NULL;
CREATE INDEX orders_open ON orders(account_id, created_at) WHERE status = 'OPEN';
CREATE INDEX orders_account_created ON orders(account_id, created_at DESC, order_id DESC);

CREATE TABLE positions (
  position_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  market_id TEXT NOT NULL REFERENCES markets(id),
  token_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  size INTEGER NOT NULL,
  reserved_size INTEGER NOT NULL,
  cost_basis INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  status TEXT NOT NULL,
  mark_at_close INTEGER,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  epoch INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX positions_one_open ON positions(account_id, token_id) WHERE status = 'OPEN';
CREATE INDEX positions_account ON positions(account_id, opened_at DESC);
CREATE INDEX positions_open_market ON positions(market_id) WHERE status = 'OPEN';

CREATE TABLE settlements (
  settlement_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  market_id TEXT NOT NULL REFERENCES markets(id),
  token_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  size INTEGER NOT NULL,
  payout_price INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  cost_basis_released INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  settled_at INTEGER NOT NULL,
  UNIQUE (account_id, token_id, epoch)
);
CREATE TRIGGER settlements_append_only_u BEFORE UPDATE ON settlements
  BEGIN SELECT RAISE(ABORT, 'settlements are append-only'); END;
CREATE TRIGGER settlements_append_only_d BEFORE DELETE ON settlements
  BEGIN SELECT RAISE(ABORT, 'settlements are append-only'); END;

CREATE TABLE books (
  token_id TEXT PRIMARY KEY,
  market_id TEXT NOT NULL REFERENCES markets(id),
  seq INTEGER NOT NULL,
  bids TEXT NOT NULL,
  asks TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  last_bid INTEGER,
  sim_state TEXT
);

CREATE INDEX fills_order ON fills(order_id);
)sql";

// A closed account's positions keep the mark they were valued at, with its source.
constexpr const char* kFrozenMarks = R"sql(
ALTER TABLE positions ADD COLUMN mark_source_at_close TEXT;
)sql";

// Operator commands (CLI) that the engine's process executes in id order (40-trading-engine.md §2).
constexpr const char* kEngineCommands = R"sql(
CREATE TABLE engine_commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
  result TEXT,
  created_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX engine_commands_queued ON engine_commands(id) WHERE status = 'queued';
)sql";

// Signals with their per-target results, default signal targets, signal webhooks
// (20-trader-api.md §10).
constexpr const char* kSignals = R"sql(
CREATE TABLE signals (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('api', 'webhook')),
  webhook_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'partial', 'failed')),
  action TEXT NOT NULL,
  market_id TEXT NOT NULL,
  outcome TEXT,
  size_type TEXT,
  size INTEGER,
  order_type TEXT NOT NULL,
  limit_price INTEGER,
  time_in_force TEXT,
  worst_price INTEGER,
  max_slippage_bps INTEGER,
  idempotency_key TEXT,
  fingerprint TEXT NOT NULL,
  label TEXT,
  metadata TEXT,
  targets TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX signals_user ON signals(user_id, received_at DESC, id DESC);

CREATE TABLE signal_results (
  signal_id TEXT NOT NULL REFERENCES signals(id),
  idx INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  order_id TEXT,
  filled_size INTEGER,
  filled_notional INTEGER,
  capped INTEGER NOT NULL,
  reason TEXT,
  error TEXT,
  error_message TEXT,
  PRIMARY KEY (signal_id, idx)
);

CREATE TABLE signal_targets (
  user_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, position)
);

CREATE TABLE signal_webhooks (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  auth TEXT NOT NULL CHECK (auth IN ('url', 'hmac')),
  prefix TEXT NOT NULL,
  secret_hash BLOB NOT NULL UNIQUE,
  sealed_secret TEXT,
  targets TEXT,
  default_size_type TEXT,
  default_size INTEGER,
  default_order_type TEXT,
  created_at INTEGER NOT NULL,
  rotated_at INTEGER,
  deleted_at INTEGER
);
CREATE INDEX signal_webhooks_user ON signal_webhooks(user_id) WHERE deleted_at IS NULL;
)sql";

// Desktop sync's change log (20-trader-api.md §11): one row per engine commit that changed a
// user's orders, fills, positions or accounts, naming them; the row id is the user's version.
constexpr const char* kSyncChanges = R"sql(
CREATE TABLE sync_changes (
  version INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  changes TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX sync_changes_user ON sync_changes(user_id, version);
)sql";

// The desktop journal (20-trader-api.md §11): one row per (user, localId), deleted ones kept as
// tombstones. The change log keeps 30 days, pruned from its oldest end; each user's highest
// pruned version is remembered, so a cursor from before it is known to have lost changes.
constexpr const char* kDesktopJournal = R"sql(
CREATE TABLE journal_entries (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  local_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('note', 'plan', 'review')),
  account_id TEXT,
  market_id TEXT,
  order_id TEXT,
  title TEXT,
  body TEXT,
  tags TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  UNIQUE (user_id, local_id)
);
CREATE INDEX journal_entries_recent ON journal_entries(user_id, updated_at) WHERE deleted_at IS NULL;

CREATE TABLE sync_pruned (
  user_id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL
);
)sql";


// Partner apps (30-partner-apps.md): apps with their testing-mode counters, who signed in
// through each, email sign-in challenges, exchange codes, trade-cap slots and sign-in
// identities from OIDC providers. Go Live cannot be undone, not even with SQL.
constexpr const char* kApps = R"sql(
CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  redirect_origins TEXT NOT NULL DEFAULT '[]',
  partner_agreement_signed INTEGER NOT NULL DEFAULT 0,
  went_live_at INTEGER,
  went_live_by TEXT,
  user_count INTEGER NOT NULL DEFAULT 0,
  trade_count INTEGER NOT NULL DEFAULT 0,
  trade_reserved INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, name_key)
);
CREATE TRIGGER apps_go_live_is_final BEFORE UPDATE OF partner_agreement_signed ON apps
  WHEN OLD.partner_agreement_signed = 1 AND NEW.partner_agreement_signed = 0
  BEGIN SELECT RAISE(ABORT, 'an app that went live stays live'); END;

CREATE TABLE app_users (
  app_id TEXT NOT NULL REFERENCES apps(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  first_sign_in_at INTEGER NOT NULL,
  last_sign_in_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_users_user ON app_users(user_id);
CREATE INDEX app_users_latest ON app_users(app_id, first_sign_in_at DESC);

ALTER TABLE users ADD COLUMN created_via TEXT;
ALTER TABLE users ADD COLUMN created_via_app TEXT;

CREATE TABLE user_identities (
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  tenant_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, provider, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);

CREATE TABLE app_login_challenges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id TEXT NOT NULL REFERENCES apps(id),
  tenant_id TEXT NOT NULL,
  email TEXT NOT NULL,
  code_mac BLOB NOT NULL,
  nonce TEXT NOT NULL,
  link_hash BLOB UNIQUE,
  redirect_url TEXT,
  state TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX app_login_challenges_live ON app_login_challenges(app_id, email) WHERE used_at IS NULL;

CREATE TABLE app_exchange_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code_hash BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES apps(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  session_id TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE app_trade_slots (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id),
  created_at INTEGER NOT NULL
);
)sql";

// The tenant Dashboard (30-partner-apps.md §9): staff of one tenant each, with emails unique
// across the installation, and their browser sessions (token stored as SHA-256).
constexpr const char* kDashboard = R"sql(
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX staff_tenant ON staff(tenant_id);

CREATE TABLE dashboard_sessions (
  token_hash BLOB PRIMARY KEY,
  staff_id TEXT NOT NULL REFERENCES staff(id),
  csrf_token TEXT NOT NULL,
  flash TEXT,
  ip TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX dashboard_sessions_staff ON dashboard_sessions(staff_id);

CREATE INDEX audit_log_tenant_id ON audit_log(tenant_id, id);
)sql";

// OpenID Connect sign-in flows (30-partner-apps.md §4.5): the state the provider echoes is
// stored as SHA-256 only; a flow is used once, within 10 minutes.
constexpr const char* kOidcFlows = R"sql(
CREATE TABLE oidc_flows (
  state_hash BLOB PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id),
  provider TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_url TEXT NOT NULL,
  app_state TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX oidc_flows_expires ON oidc_flows(expires_at);
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "foundation", kFoundation},
      {2, "identity", kIdentity},
      {3, "mfa", kMfa},
      {4, "devices", kDevices},
      {5, "engine", kEngine},
      {6, "frozen marks", kFrozenMarks},
      {7, "engine commands", kEngineCommands},
      {8, "signals", kSignals},
      {9, "sync changes", kSyncChanges},
      {10, "desktop journal", kDesktopJournal},
      {11, "partner apps", kApps},
      {12, "dashboard", kDashboard},
      {13, "oidc flows", kOidcFlows},
  };
  return all;
}

}  // namespace polysim::store::sqlite
