#include "trader/signal_service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "auth/secret_box.hpp"
#include "core/decimal.hpp"
#include "core/encoding.hpp"
#include "core/token.hpp"
#include "core/uuid.hpp"

namespace polysim::trader {

namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

std::string outcome_text(engine::Outcome o) { return std::string(engine::outcome_name(o)); }

std::optional<engine::Outcome> parse_outcome(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return *s == "NO" ? engine::Outcome::No : engine::Outcome::Yes;
}

std::optional<engine::TimeInForce> parse_tif(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  if (*s == "FOK") return engine::TimeInForce::Fok;
  if (*s == "FAK") return engine::TimeInForce::Fak;
  if (*s == "GTD") return engine::TimeInForce::Gtd;
  return engine::TimeInForce::Gtc;
}

std::string opt_int(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("-"); }

auth::AuthFailure not_found() { return auth::AuthFailure(404, "not_found", "No such object."); }

Uuid tenant_bound(const auth::TraderPrincipal& who) { return Uuid::parse(who.tenant_id).value_or(Uuid{}); }

// A result for a target from the orders placed for it (normally one; two when a close without an
// outcome sells both).
void apply_orders(store::SignalResultRecord& r, const std::vector<store::OrderRecord>& orders) {
  std::int64_t size = 0, notional = 0;
  bool all_filled = true, any_open = false;
  for (const auto& o : orders) {
    size += o.filled_size;
    notional += o.filled_notional;
    const auto status = target_status_of(o);
    all_filled &= status == "filled";
    any_open |= status == "open";
  }
  r.order_id = orders.front().order_id;
  r.filled_size = size;
  r.filled_notional = notional;
  r.status = all_filled ? "filled" : size > 0 ? "partially_filled" : any_open ? "open" : "partially_filled";
}

void set_error(store::SignalResultRecord& r, const auth::AuthFailure& f) {
  r.status = "error";
  r.error = f.error;
  r.error_message = f.message;
}

}  // namespace

std::string target_status_of(const store::OrderRecord& o) {
  if (o.status == "FILLED") return "filled";
  if (o.filled_size > 0) return "partially_filled";
  if (o.status == "OPEN") return "open";
  return "partially_filled";  // done without a fill (the engine normally rejects those instead)
}

std::string signal_status_of(const std::vector<store::SignalResultRecord>& results) {
  const auto errors = std::count_if(results.begin(), results.end(), [](const auto& r) { return r.status == "error"; });
  if (errors == 0) return "succeeded";
  if (errors == static_cast<std::ptrdiff_t>(results.size())) return "failed";
  return "partial";
}

SignalRequest request_of(const store::SignalRecord& s) {
  SignalRequest r;
  r.action = s.action;
  r.market = s.market_id;
  r.outcome = parse_outcome(s.outcome);
  r.size_type = s.size_type;
  r.size = s.size;
  r.order_type = s.order_type == "limit" ? engine::OrderType::Limit : engine::OrderType::Market;
  r.limit_price = s.limit_price;
  r.time_in_force = parse_tif(s.time_in_force);
  r.worst_price = s.worst_price;
  r.max_slippage_bps = s.max_slippage_bps;
  r.idempotency_key = s.idempotency_key;
  r.label = s.label;
  r.metadata_json = s.metadata_json;
  return r;
}

std::string signal_fingerprint(const SignalRequest& r) {
  std::string c = "v1|" + r.action + "|" + r.market + "|" + (r.outcome ? outcome_text(*r.outcome) : "-") + "|" +
                  r.size_type.value_or("-") + "|" + opt_int(r.size) + "|" +
                  std::string(engine::order_type_name(r.order_type)) + "|" + opt_int(r.limit_price) + "|" +
                  (r.time_in_force ? std::string(engine::time_in_force_name(*r.time_in_force)) : "-") + "|" +
                  opt_int(r.worst_price) + "|" + opt_int(r.max_slippage_bps) + "|";
  if (r.targets) {
    for (const auto& t : *r.targets) c += t + ",";
  } else {
    c += "-";
  }
  c += "|" + std::to_string(r.label ? r.label->size() : 0) + ":" + r.label.value_or("") + "|" +
       r.metadata_json.value_or("-");
  return hex_encode(std::span<const std::uint8_t>(sha256(c)));
}

SignalService::SignalService(store::Store& store, store::IdentityStore& identity, store::SignalStore& signals,
                             store::EngineStore& engine_store, engine::Engine& engine, const Clock& clock,
                             CursorCodec cursors, SignalSettings settings)
    : store_(store),
      identity_(identity),
      signals_(signals),
      engine_store_(engine_store),
      engine_(engine),
      clock_(clock),
      cursors_(std::move(cursors)),
      settings_(std::move(settings)),
      // Its own subkey: a webhook box never opens as any other sealed value.
      seal_key_(hmac_sha256(settings_.data_key, "polysim webhook v1")) {}

store::AccountRecord SignalService::owned_account(const auth::TraderPrincipal& who, const std::string& account_id) {
  auto account = store_.find_account(who.tenant_id, account_id);
  if (!account || account->user_id != who.user_id)
    throw auth::AuthFailure(404, "account_not_found", "No such account.");
  return *account;
}

SubmittedSignal SignalService::submit(const auth::TraderPrincipal& who, const SignalRequest& request) {
  std::vector<std::string> targets;
  if (request.targets) {
    for (const auto& id : *request.targets) targets.push_back(owned_account(who, id).id);
  } else {
    targets = signals_.signal_targets(who.user_id);
  }
  return run(who, request, "api", std::nullopt, std::move(targets));
}

SubmittedSignal SignalService::deliver(const WebhookPrincipal& hook, SignalRequest request) {
  // In hmac mode the signature keys an unkeyed delivery: a replayed request trades once.
  if (!request.idempotency_key && hook.signature) request.idempotency_key = *hook.signature;
  auto targets = hook.webhook.targets ? *hook.webhook.targets : signals_.signal_targets(hook.principal.user_id);
  return run(hook.principal, request, "webhook", hook.webhook.id, std::move(targets));
}

SubmittedSignal SignalService::run(const auth::TraderPrincipal& who, const SignalRequest& request, std::string source,
                                   std::optional<std::string> webhook_id, std::vector<std::string> targets) {
  const auto fingerprint = signal_fingerprint(request);
  // One execution per (user, key) at a time in this process; the store's unique key covers the rest.
  struct InFlight {
    SignalService* self = nullptr;
    std::pair<std::int64_t, std::string> key;
    ~InFlight() {
      if (!self) return;
      std::lock_guard lock(self->in_flight_mutex_);
      self->in_flight_.erase(key);
    }
  } in_flight;
  if (request.idempotency_key) {
    std::pair<std::int64_t, std::string> key{who.user_id, *request.idempotency_key};
    {
      std::lock_guard lock(in_flight_mutex_);
      if (!in_flight_.insert(key).second) {
        auth::AuthFailure f(409, "request_in_progress", "A request with this idempotency key is in progress.");
        f.retry_after_s = 1;
        throw f;
      }
    }
    in_flight.self = this;
    in_flight.key = std::move(key);
    if (auto existing = signals_.find_signal_by_key(who.user_id, *request.idempotency_key)) {
      if (existing->fingerprint != fingerprint)
        throw auth::AuthFailure(409, "idempotency_key_conflict",
                                "This idempotency key was used with a different request.");
      // A fan-out cut off midway (crash) is finished now; placed targets are found by their
      // deterministic client order ids and never placed twice.
      if (existing->status == "pending") fan_out(*existing);
      return SubmittedSignal{std::move(*existing), true};
    }
  }
  auto market = engine_.board().market(request.market);
  if (!market) throw auth::AuthFailure(404, "market_not_found", "No such market.");
  if (targets.empty()) throw auth::AuthFailure(422, "no_targets", "The signal has no target accounts.");

  store::SignalRecord s;
  s.id = engine_.new_id();
  s.tenant_id = who.tenant_id;
  s.user_id = who.user_id;
  s.source = std::move(source);
  s.webhook_id = std::move(webhook_id);
  s.status = "pending";
  s.action = request.action;
  s.market_id = market->id;
  if (request.outcome) s.outcome = outcome_text(*request.outcome);
  s.size_type = request.size_type;
  s.size = request.size;
  s.order_type = std::string(engine::order_type_name(request.order_type));
  s.limit_price = request.limit_price;
  if (request.time_in_force) s.time_in_force = std::string(engine::time_in_force_name(*request.time_in_force));
  s.worst_price = request.worst_price;
  s.max_slippage_bps = request.max_slippage_bps;
  s.idempotency_key = request.idempotency_key;
  s.fingerprint = fingerprint;
  s.label = request.label;
  s.metadata_json = request.metadata_json;
  s.targets = std::move(targets);
  s.received_at = engine_.now();
  s.updated_at = s.received_at;
  if (!signals_.create_signal(s)) {
    auth::AuthFailure f(409, "request_in_progress", "A request with this idempotency key is in progress.");
    f.retry_after_s = 1;
    throw f;
  }
  fan_out(s);
  return SubmittedSignal{std::move(s), false};
}

void SignalService::fan_out(store::SignalRecord& signal) {
  const auto request = request_of(signal);
  auto market = engine_.board().market(signal.market_id);
  for (int i = 0; i < static_cast<int>(signal.targets.size()); ++i) {
    const bool done = std::any_of(signal.results.begin(), signal.results.end(),
                                  [i](const store::SignalResultRecord& r) { return r.index == i; });
    if (done) continue;
    store::SignalResultRecord result;
    if (market) {
      result = run_target(signal, request, market, i);
    } else {
      result.index = i;
      result.account_id = signal.targets[static_cast<std::size_t>(i)];
      set_error(result, auth::AuthFailure(404, "market_not_found", "No such market."));
    }
    signals_.record_signal_result(signal.id, result, engine_.now());
    signal.results.push_back(std::move(result));
  }
  std::sort(signal.results.begin(), signal.results.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  signal.status = signal_status_of(signal.results);
  signal.updated_at = engine_.now();
  signals_.finish_signal(signal.id, signal.status, signal.updated_at);
}

store::SignalResultRecord SignalService::run_target(const store::SignalRecord& signal, const SignalRequest& request,
                                                    const engine::MarketPtr& market, int index) {
  store::SignalResultRecord result;
  result.index = index;
  result.account_id = signal.targets[static_cast<std::size_t>(index)];
  const auto client_id = "sig:" + signal.id + ":" + std::to_string(index);
  // Placed before a cut-off: that order is this target's, whatever the account holds now.
  if (auto placed = engine_store_.find_order_by_client_id(result.account_id, client_id)) {
    std::vector<store::OrderRecord> orders{*placed};
    if (auto second = engine_store_.find_order_by_client_id(result.account_id, client_id + ":2"))
      orders.push_back(*second);
    apply_orders(result, orders);
    return result;
  }
  auto viewed = engine_.view_account_sync(result.account_id);
  if (viewed.error) {
    set_error(result, engine_failure(*viewed.error));
    return result;
  }
  TargetState state;
  state.equity = viewed.view->equity;
  for (const auto& line : viewed.view->positions) {
    const auto& p = line.position;
    if (p.market_id != market->id || p.status != "OPEN") continue;
    const auto available = std::max<std::int64_t>(0, p.size - p.reserved_size);
    if (p.outcome == "YES") {
      state.yes_size += p.size;
      state.yes_available += available;
    } else {
      state.no_size += p.size;
      state.no_available += available;
    }
  }
  if (auto book = engine_.board().book(market->yes_token_id)) state.yes_best_bid = book->best_bid();
  if (auto book = engine_.board().book(market->no_token_id)) state.no_best_bid = book->best_bid();

  const auto plan = plan_target(request, state);
  if (plan.skip_reason) {
    result.status = "skipped";
    result.reason = plan.skip_reason;
    return result;
  }
  if (plan.error) {
    result.status = "error";
    result.error = plan.error;
    result.error_message = plan.error_message;
    return result;
  }
  std::vector<store::OrderRecord> orders;
  std::optional<auth::AuthFailure> failure;
  for (std::size_t k = 0; k < plan.orders.size(); ++k) {
    const auto& planned = plan.orders[k];
    engine::OrderRequest o;
    o.account_id = result.account_id;
    o.client_order_id = k == 0 ? client_id : client_id + ":" + std::to_string(k + 1);
    o.market = market->id;
    o.outcome = planned.outcome;
    o.side = planned.side;
    o.type = request.order_type;
    o.time_in_force = request.time_in_force;
    o.size = planned.size;
    o.notional = planned.notional;
    o.limit_price = request.limit_price;
    o.worst_price = request.worst_price;
    o.max_slippage_bps = request.max_slippage_bps;
    o.origin = "signal";
    // A limit order with FOK/FAK is a market order bounded by its limit (40-trading-engine.md §4.1).
    if (o.type == engine::OrderType::Limit && o.time_in_force &&
        (*o.time_in_force == engine::TimeInForce::Fok || *o.time_in_force == engine::TimeInForce::Fak)) {
      o.type = engine::OrderType::Market;
      o.worst_price = o.limit_price;
      o.limit_price.reset();
    } else if (o.type == engine::OrderType::Market) {
      o.limit_price.reset();
    }
    auto placed = engine_.place_sync(std::move(o));
    if (placed.error) {
      if (!failure) failure = engine_failure(*placed.error);
      continue;
    }
    orders.push_back(*placed.order);
    result.capped |= planned.capped;
  }
  if (orders.empty()) {
    set_error(result, *failure);
    return result;
  }
  apply_orders(result, orders);
  return result;
}

store::SignalRecord SignalService::signal(const auth::TraderPrincipal& who, const std::string& signal_id) {
  auto s = signals_.find_signal(who.user_id, signal_id);
  if (!s || s->tenant_id != who.tenant_id) throw auth::AuthFailure(404, "not_found", "No such signal.");
  return *s;
}

TraderPage<store::SignalRecord> SignalService::signals(const auth::TraderPrincipal& who, const SignalListRequest& r) {
  const std::string filters = "user=" + std::to_string(who.user_id) + "&status=" + r.status.value_or("") +
                              "&market=" + r.market.value_or("") + "&source=" + r.source.value_or("") +
                              "&since=" + (r.since ? std::to_string(*r.since) : std::string());
  store::SignalQuery q;
  q.user_id = who.user_id;
  q.status = r.status;
  q.source = r.source;
  q.since = r.since;
  q.limit = r.limit + 1;
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::TraderSignals, tenant_bound(who), filters, 8 + 16);
    if (!keyset) throw auth::AuthFailure(400, "invalid_cursor", "The cursor is not one of this list.");
    q.after = std::pair{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string()};
  }
  TraderPage<store::SignalRecord> page;
  if (r.market) {
    auto m = engine_.board().market(*r.market);
    if (!m) return page;  // an unknown market has no signals
    q.market_id = m->id;
  }
  page.rows = signals_.list_signals(q);
  if (static_cast<int>(page.rows.size()) > r.limit) {
    page.rows.resize(static_cast<std::size_t>(r.limit));
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, page.rows.back().received_at);
    append_uuid(keyset, Uuid::parse(page.rows.back().id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::TraderSignals, tenant_bound(who), filters, keyset);
  }
  return page;
}

std::vector<std::string> SignalService::targets(const auth::TraderPrincipal& who) {
  return signals_.signal_targets(who.user_id);
}

std::vector<std::string> SignalService::set_targets(const auth::TraderPrincipal& who,
                                                    const std::vector<std::string>& account_ids) {
  std::vector<std::string> ids;
  for (const auto& id : account_ids) {
    auto account = owned_account(who, id);
    if (account.status == "closed")
      throw auth::AuthFailure(409, "account_closed", "Account " + account.id + " is closed.");
    ids.push_back(account.id);
  }
  signals_.replace_signal_targets(who.user_id, ids, clock_.now_unix_micros());
  return ids;
}

std::string SignalService::webhook_url(const store::WebhookRecord& w, const std::string& secret) const {
  std::string base = settings_.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/signals/webhook/" + (w.auth == "hmac" ? w.id : secret);
}

std::optional<std::string> SignalService::seal(const std::string& auth, const std::string& secret,
                                               const std::string& id) const {
  if (auth != "hmac") return std::nullopt;
  return auth::seal_secret(seal_key_, secret, id);
}

IssuedWebhook SignalService::create_webhook(const auth::TraderPrincipal& who, const WebhookCreate& c) {
  store::WebhookRecord w;
  if (c.targets)
    for (const auto& id : *c.targets) owned_account(who, id);
  w.id = engine_.new_id();
  w.tenant_id = who.tenant_id;
  w.user_id = who.user_id;
  w.name = c.name;
  w.auth = c.auth;
  w.targets = c.targets;
  w.default_size_type = c.defaults.size_type;
  w.default_size = c.defaults.size;
  if (c.defaults.order_type) w.default_order_type = std::string(engine::order_type_name(*c.defaults.order_type));
  w.created_at = clock_.now_unix_micros();
  const auto secret = generate_token("wh_");
  w.prefix = token_prefix(secret, "wh_");
  w.sealed_secret = seal(w.auth, secret, w.id);
  if (!signals_.create_webhook(w, token_hash_bytes(secret), kMaxWebhooksPerUser))
    throw auth::AuthFailure(409, "webhook_limit_reached", "A user may hold at most 20 webhooks.");
  return IssuedWebhook{w, secret, webhook_url(w, secret)};
}

std::vector<store::WebhookRecord> SignalService::webhooks(const auth::TraderPrincipal& who) {
  return signals_.list_webhooks(who.user_id);
}

IssuedWebhook SignalService::rotate_webhook(const auth::TraderPrincipal& who, const std::string& webhook_id) {
  auto current = signals_.find_webhook(webhook_id);
  if (!current || current->user_id != who.user_id) throw not_found();
  const auto secret = generate_token("wh_");
  auto rotated = signals_.rotate_webhook(who.user_id, webhook_id, token_hash_bytes(secret), token_prefix(secret, "wh_"),
                                         seal(current->auth, secret, current->id), clock_.now_unix_micros());
  if (!rotated) throw not_found();
  return IssuedWebhook{*rotated, secret, webhook_url(*rotated, secret)};
}

void SignalService::delete_webhook(const auth::TraderPrincipal& who, const std::string& webhook_id) {
  if (!signals_.delete_webhook(who.user_id, webhook_id, clock_.now_unix_micros())) throw not_found();
}

WebhookPrincipal SignalService::authenticate_webhook(const std::string& key, const std::optional<std::string>& timestamp,
                                                     const std::optional<std::string>& signature,
                                                     std::string_view raw_body) {
  WebhookPrincipal out;
  const auto now = clock_.now_unix_micros();
  if (key.rfind("wh_", 0) == 0) {
    if (!is_well_formed_token(key, "wh_")) throw auth::unauthorized();
    auto w = signals_.find_webhook_by_secret(token_hash_bytes(key));
    if (!w || w->auth != "url") throw auth::unauthorized();
    out.webhook = std::move(*w);
  } else {
    if (!Uuid::parse(key)) throw auth::unauthorized();
    auto w = signals_.find_webhook(key);
    if (!w || w->auth != "hmac" || !w->sealed_secret || !timestamp || !signature) throw auth::unauthorized();
    auto secret = auth::open_secret(seal_key_, *w->sealed_secret, w->id);
    if (!secret) throw auth::unauthorized();
    std::int64_t ts = 0;
    auto [end, ec] = std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), ts);
    if (ec != std::errc() || end != timestamp->data() + timestamp->size() || timestamp->empty())
      throw auth::unauthorized();
    std::string message = *timestamp;
    message += '.';
    message += raw_body;
    const auto expected = "sha256=" + hex_encode(std::span<const std::uint8_t>(hmac_sha256(*secret, message)));
    std::string given = *signature;
    std::transform(given.begin(), given.end(), given.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!constant_time_equal(expected, given)) throw auth::unauthorized();
    const auto skew = now / kMicrosPerSecond - ts;
    if (skew > kWebhookSignatureWindowS || skew < -kWebhookSignatureWindowS)
      throw auth::AuthFailure(401, "signature_expired", "The signature timestamp is more than 300 seconds off.");
    out.signature = expected;
    out.webhook = std::move(*w);
  }
  auto user = identity_.find_user(out.webhook.user_id);
  if (!user) throw auth::unauthorized();
  if (user->disabled) throw auth::user_disabled();
  auto tenant = store_.find_tenant(user->tenant_id);
  if (!tenant || tenant->disabled) throw auth::tenant_disabled();
  auto& p = out.principal;
  p.user_id = user->id;
  p.user_uuid = user->uuid;
  p.tenant_id = user->tenant_id;
  p.kind = auth::PrincipalKind::Webhook;
  p.scopes = {"signals:write"};
  p.credential_id = out.webhook.id;
  p.bucket = "wh:" + out.webhook.prefix;
  return out;
}

}  // namespace polysim::trader
