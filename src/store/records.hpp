// Plain records exchanged between domain code and the store. Money is in micros (int64),
// times in Unix microseconds, ids as canonical lowercase strings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polysim::store {

struct TenantRecord {
  std::string id;
  std::string name;
  std::string display_name;
  bool disabled = false;
  bool partner_enabled = true;
  std::int64_t min_starting_balance = 1'000'000;               // $1.00
  std::int64_t max_starting_balance = 1'000'000'000'000;       // $1,000,000.00
  std::vector<std::string> redirect_origins;
  std::optional<std::string> default_login_url;
  std::int64_t tenant_per_second = 50;
  std::int64_t tenant_per_minute = 3000;
  std::int64_t key_per_second = 50;
  std::int64_t key_per_minute = 3000;
  std::int64_t demo_starting_balance = 10'000'000'000;  // $10,000.00
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct ApiKeyRecord {
  std::string id;
  std::string tenant_id;
  std::string name;
  std::string prefix;
  std::vector<std::string> scopes;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> deactivated_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
};

struct PartnerUserRecord {
  std::int64_t user_id = 0;
  std::string tenant_user_id;
  std::string external_id;
  std::string email;
  std::string metadata_json = "{}";
  std::int64_t created_at = 0;
};

// The stored state of an account. Figures are maintained by the trading engine; until it
// lands an account holds only cash.
struct AccountRecord {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::optional<std::string> external_id;
  bool governed = false;
  std::string stage;
  std::string status = "active";
  std::optional<std::string> pending_action;
  std::string currency = "USD";
  std::int64_t starting_balance = 0;
  std::int64_t cash = 0;
  std::int64_t reserved = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t fees_paid = 0;
  std::int64_t peak_equity = 0;
  std::int64_t min_equity = 0;
  std::int64_t max_drawdown = 0;
  std::int64_t max_drawdown_pct_micros = 0;  // percentage points × 10^6
  std::int64_t day_start_equity = 0;
  std::int64_t day_start_at = 0;
  std::int64_t day_low_equity = 0;
  std::int64_t open_orders_count = 0;
  std::int64_t reset_count = 0;
  std::optional<std::int64_t> last_reset_at;
  std::optional<std::int64_t> closed_at;
  std::string metadata_json = "{}";
  std::string rules_json = "{}";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct MarketRecord {
  std::string id;
  std::string slug;
  std::string question;
  std::string category = "other";
  std::string yes_token_id;
  std::string no_token_id;
  std::int64_t tick_size = 10'000;  // price micros
  std::optional<std::string> yes_label;
  std::optional<std::string> no_label;
  std::int64_t min_order_size = 5'000'000;  // share micros
  std::int64_t taker_fee_bps = 500;
  std::int64_t maker_fee_bps = 0;
  std::string status = "open";  // open | closed | resolved
  std::optional<std::int64_t> end_date;
  std::optional<std::string> resolution;  // YES | NO
  std::optional<std::int64_t> resolved_at;
  std::string feed = "sim";  // sim | replay | manual | live
  std::int64_t stale_after_s = 30;
  std::string sim_params_json = "{}";
  std::optional<std::string> external_ref;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// One fill: the only source of every trade feed (40-trading-engine.md §5.5).
struct FillRecord {
  std::string trade_id;
  std::string order_id;
  std::string account_id;
  std::int64_t epoch = 0;
  std::string market_id;
  std::string market_slug;  // joined from markets on read
  std::string token_id;
  std::string outcome;      // YES | NO
  std::string side;         // BUY | SELL
  std::string order_type;   // market | limit
  std::string time_in_force;
  std::string liquidity;    // taker | maker
  std::int64_t price = 0;
  std::int64_t size = 0;
  std::int64_t notional = 0;
  std::int64_t fee = 0;
  std::int64_t fee_rate_bps = 0;
  std::int64_t cash_delta = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t position_size_after = 0;
  std::int64_t book_seq = 0;
  std::optional<std::string> client_order_id;
  std::string origin = "api";
  std::int64_t filled_at = 0;  // µs
};

struct OutboxMessage {
  std::string id;
  std::string tenant_id;
  std::string recipient;
  std::string kind;
  std::string subject;
  std::string text;
  std::optional<std::string> link;
  std::optional<std::string> code;
  std::int64_t created_at = 0;
  std::int64_t attempts = 0;
};

struct AuditEntry {
  std::string tenant_id;
  std::string actor_kind;  // staff, cli, system, api_key, user, app
  std::string actor_id;
  std::string action;
  std::string target;
  std::string details_json = "{}";
  std::int64_t at = 0;
};

}  // namespace polysim::store
