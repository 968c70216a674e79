// Storage of trading signals (20-trader-api.md §10): each signal with its per-target results, the
// user's default signal targets, and signal webhooks. Webhook secrets are stored as SHA-256 (the
// lookup of url mode) and, in hmac mode, sealed too (the server must read them back to verify).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polysim::store {

// One target's outcome, in target order.
struct SignalResultRecord {
  int index = 0;
  std::string account_id;
  std::string mode = "paper";
  std::string status;  // filled | partially_filled | open | skipped | error
  std::optional<std::string> order_id;
  std::optional<std::int64_t> filled_size;      // share micros
  std::optional<std::int64_t> filled_notional;  // USD micros (the average price is derived)
  bool capped = false;
  std::optional<std::string> reason;         // skipped: position_exists | no_position
  std::optional<std::string> error;          // snake_case code
  std::optional<std::string> error_message;  // shown with it
};

struct SignalRecord {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string source = "api";  // api | webhook
  std::optional<std::string> webhook_id;
  std::string status = "pending";  // pending (fan-out not finished) | succeeded | partial | failed
  std::string action;              // open | close | buy | sell
  std::string market_id;
  std::optional<std::string> outcome;    // YES | NO
  std::optional<std::string> size_type;  // shares | usd | percent_equity
  std::optional<std::int64_t> size;      // micros of its unit
  std::string order_type = "market";     // market | limit
  std::optional<std::int64_t> limit_price;
  std::optional<std::string> time_in_force;  // FOK | FAK | GTC | GTD
  std::optional<std::int64_t> worst_price;
  std::optional<std::int64_t> max_slippage_bps;
  std::optional<std::string> idempotency_key;
  std::string fingerprint;  // of the request, to tell a replay from a different body
  std::optional<std::string> label;
  std::optional<std::string> metadata_json;
  std::vector<std::string> targets;  // account ids, in fan-out order
  std::int64_t received_at = 0;
  std::int64_t updated_at = 0;
  std::vector<SignalResultRecord> results;
};

struct SignalQuery {
  std::int64_t user_id = 0;
  std::optional<std::string> status;
  std::optional<std::string> market_id;
  std::optional<std::string> source;
  std::optional<std::int64_t> since;
  std::optional<std::pair<std::int64_t, std::string>> after;  // keyset (received_at, id), newest first
  int limit = 100;
};

struct WebhookRecord {
  std::string id;
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string name;
  std::string auth = "url";  // url | hmac
  std::string prefix;
  std::optional<std::vector<std::string>> targets;  // nullopt: the user's signal targets
  std::optional<std::string> default_size_type;
  std::optional<std::int64_t> default_size;
  std::optional<std::string> default_order_type;
  std::optional<std::string> sealed_secret;  // hmac mode only
  std::int64_t created_at = 0;
  std::optional<std::int64_t> rotated_at;
};

class SignalStore {
 public:
  virtual ~SignalStore() = default;

  // False when the user already holds a signal with this idempotency key.
  virtual bool create_signal(const SignalRecord& signal) = 0;
  virtual std::optional<SignalRecord> find_signal(std::int64_t user_id, std::string_view signal_id) = 0;
  virtual std::optional<SignalRecord> find_signal_by_key(std::int64_t user_id, std::string_view idempotency_key) = 0;
  // Without results (a list shows them: callers load them with find_signal when needed).
  virtual std::vector<SignalRecord> list_signals(const SignalQuery& query) = 0;
  // Inserts or replaces the result of one target.
  virtual void record_signal_result(std::string_view signal_id, const SignalResultRecord& result, std::int64_t now) = 0;
  virtual void finish_signal(std::string_view signal_id, std::string_view status, std::int64_t now) = 0;

  virtual std::vector<std::string> signal_targets(std::int64_t user_id) = 0;
  virtual void replace_signal_targets(std::int64_t user_id, const std::vector<std::string>& account_ids,
                                      std::int64_t now) = 0;

  // False when the user already has `max_per_user` live webhooks.
  virtual bool create_webhook(const WebhookRecord& webhook, std::string_view secret_hash, int max_per_user) = 0;
  virtual std::optional<WebhookRecord> find_webhook_by_secret(std::string_view secret_hash) = 0;
  virtual std::optional<WebhookRecord> find_webhook(std::string_view webhook_id) = 0;  // live only
  virtual std::vector<WebhookRecord> list_webhooks(std::int64_t user_id) = 0;
  // Replaces the secret of a live webhook of the user; the updated record, or nullopt.
  virtual std::optional<WebhookRecord> rotate_webhook(std::int64_t user_id, std::string_view webhook_id,
                                                      std::string_view secret_hash, std::string_view prefix,
                                                      const std::optional<std::string>& sealed_secret,
                                                      std::int64_t now) = 0;
  virtual bool delete_webhook(std::int64_t user_id, std::string_view webhook_id, std::int64_t now) = 0;
};

}  // namespace polysim::store
