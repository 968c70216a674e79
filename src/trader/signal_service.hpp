// Signals, domain side (20-trader-api.md §10): one instruction fanned out as one engine order per
// target account, synchronously and in order; idempotency keys; the user's default targets;
// signal webhooks and the webhook principal of their deliveries. Knows nothing of HTTP: refusals
// are auth::AuthFailure, rendered by the trader surface like every other.
#pragma once
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "auth/auth_failure.hpp"
#include "auth/identity_service.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/cursor_codec.hpp"
#include "engine/engine.hpp"
#include "store/engine_store.hpp"
#include "store/identity_store.hpp"
#include "store/signal_store.hpp"
#include "store/store.hpp"
#include "trader/signal_body.hpp"
#include "trader/trading_service.hpp"

namespace polysim::trader {

inline constexpr int kMaxWebhooksPerUser = 20;
inline constexpr std::int64_t kWebhookSignatureWindowS = 300;

struct SignalSettings {
  std::string public_base_url;  // webhook URLs are built on it
  std::string data_key;         // hmac-mode secrets are sealed under a subkey of it
};

struct SubmittedSignal {
  store::SignalRecord signal;
  bool replayed = false;
};

struct SignalListRequest {
  std::optional<std::string> status;
  std::optional<std::string> market;  // id or slug
  std::optional<std::string> source;
  std::optional<std::int64_t> since;
  int limit = 100;
  std::string cursor;
};

// A webhook with its secret, as create and rotate answer (shown once).
struct IssuedWebhook {
  store::WebhookRecord webhook;
  std::string secret;
  std::string url;
};

// An authenticated delivery: the webhook and the principal it acts as.
struct WebhookPrincipal {
  store::WebhookRecord webhook;
  auth::TraderPrincipal principal;
  std::optional<std::string> signature;  // hmac mode: "sha256=<hex>", the key of an unkeyed delivery
};

class SignalService {
 public:
  SignalService(store::Store& store, store::IdentityStore& identity, store::SignalStore& signals,
                store::EngineStore& engine_store, engine::Engine& engine, const Clock& clock, CursorCodec cursors,
                SignalSettings settings);

  // POST /api/v1/signals: 201 (replayed = false) or the stored signal (replayed = true).
  SubmittedSignal submit(const auth::TraderPrincipal& who, const SignalRequest& request);
  // A webhook delivery: the webhook's targets, source `webhook`.
  SubmittedSignal deliver(const WebhookPrincipal& hook, SignalRequest request);

  store::SignalRecord signal(const auth::TraderPrincipal& who, const std::string& signal_id);
  TraderPage<store::SignalRecord> signals(const auth::TraderPrincipal& who, const SignalListRequest& request);

  std::vector<std::string> targets(const auth::TraderPrincipal& who);
  std::vector<std::string> set_targets(const auth::TraderPrincipal& who, const std::vector<std::string>& account_ids);

  IssuedWebhook create_webhook(const auth::TraderPrincipal& who, const WebhookCreate& request);
  std::vector<store::WebhookRecord> webhooks(const auth::TraderPrincipal& who);
  IssuedWebhook rotate_webhook(const auth::TraderPrincipal& who, const std::string& webhook_id);
  void delete_webhook(const auth::TraderPrincipal& who, const std::string& webhook_id);

  // §10.4: url mode when `key` is a wh_ secret, hmac mode when it is a webhook id (then the
  // timestamp and signature headers and the raw body are checked). Throws 401 unauthorized or
  // signature_expired, user_disabled, tenant_disabled.
  WebhookPrincipal authenticate_webhook(const std::string& key, const std::optional<std::string>& timestamp,
                                        const std::optional<std::string>& signature, std::string_view raw_body);

 private:
  SubmittedSignal run(const auth::TraderPrincipal& who, const SignalRequest& request, std::string source,
                      std::optional<std::string> webhook_id, std::vector<std::string> targets);
  void fan_out(store::SignalRecord& signal);
  store::SignalResultRecord run_target(const store::SignalRecord& signal, const SignalRequest& request,
                                       const engine::MarketPtr& market, int index);
  store::AccountRecord owned_account(const auth::TraderPrincipal& who, const std::string& account_id);
  std::string webhook_url(const store::WebhookRecord& webhook, const std::string& secret) const;
  std::optional<std::string> seal(const std::string& auth, const std::string& secret, const std::string& id) const;

  store::Store& store_;
  store::IdentityStore& identity_;
  store::SignalStore& signals_;
  store::EngineStore& engine_store_;
  engine::Engine& engine_;
  const Clock& clock_;
  CursorCodec cursors_;
  SignalSettings settings_;
  Sha256Digest seal_key_;
  std::mutex in_flight_mutex_;
  std::set<std::pair<std::int64_t, std::string>> in_flight_;  // (user, idempotency key)
};

// The request a stored signal was made from (for finishing a cut-off fan-out).
SignalRequest request_of(const store::SignalRecord& signal);
// SHA-256 hex over the canonical request (targets as sent): same body, same fingerprint.
std::string signal_fingerprint(const SignalRequest& request);
// "filled" | "partially_filled" | "open" for an order the engine accepted.
std::string target_status_of(const store::OrderRecord& order);
// succeeded (no error target) | failed (every target an error) | partial.
std::string signal_status_of(const std::vector<store::SignalResultRecord>& results);

}  // namespace polysim::trader
