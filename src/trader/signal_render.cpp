#include "trader/signal_render.hpp"

#include <algorithm>
#include <cctype>

#include "core/decimal.hpp"
#include "core/time_format.hpp"

namespace polysim::trader {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

void opt_text(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.key(key);
  if (v) w.string(*v);
  else w.null();
}

void opt_decimal(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  w.key(key);
  if (v) w.string(format_decimal(*v, 0));
  else w.null();
}

void write_result(JsonWriter& w, const store::SignalResultRecord& r) {
  w.begin_object();
  w.key("accountId"); w.string(r.account_id);
  w.key("mode"); w.string(r.mode);
  w.key("status"); w.string(r.status);
  opt_text(w, "orderId", r.order_id);
  opt_decimal(w, "filledSize", r.filled_size);
  w.key("avgFillPrice");
  if (r.filled_size && *r.filled_size > 0 && r.filled_notional)
    w.string(format_fixed(mul_div(*r.filled_notional, kMicrosPerUnit, *r.filled_size, Rounding::HalfUp).value_or(0), 6,
                          Rounding::HalfUp));
  else w.null();
  w.key("capped"); w.boolean(r.capped);
  opt_text(w, "reason", r.reason);
  w.key("error");
  if (r.error) {
    w.begin_object();
    w.key("error"); w.string(*r.error);
    w.key("message"); w.string(r.error_message.value_or(""));
    w.key("code"); w.string(upper(*r.error));
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace

void write_signal(JsonWriter& w, const store::SignalRecord& s) {
  w.begin_object();
  w.key("id"); w.string(s.id);
  w.key("status"); w.string(s.status);
  w.key("source"); w.string(s.source);
  w.key("action"); w.string(s.action);
  w.key("marketId"); w.string(s.market_id);
  opt_text(w, "outcome", s.outcome);
  opt_text(w, "sizeType", s.size_type);
  opt_decimal(w, "size", s.size);
  w.key("orderType"); w.string(s.order_type);
  opt_decimal(w, "limitPrice", s.limit_price);
  opt_text(w, "idempotencyKey", s.idempotency_key);
  opt_text(w, "label", s.label);
  w.key("metadata");
  if (s.metadata_json) w.raw_json(*s.metadata_json);
  else w.null();
  w.key("receivedAt"); w.string(format_rfc3339_millis(s.received_at));
  w.key("results");
  w.begin_array();
  for (const auto& r : s.results) write_result(w, r);
  w.end_array();
  w.end_object();
}

std::string signal_json(const store::SignalRecord& signal) {
  std::string out;
  JsonWriter w(out);
  write_signal(w, signal);
  return out;
}

std::string signal_targets_json(const std::vector<std::string>& account_ids) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("accountIds");
  w.begin_array();
  for (const auto& id : account_ids) w.string(id);
  w.end_array();
  w.end_object();
  return out;
}

void write_webhook(JsonWriter& w, const store::WebhookRecord& h, const IssuedWebhook* issued) {
  w.begin_object();
  w.key("id"); w.string(h.id);
  w.key("name"); w.string(h.name);
  w.key("auth"); w.string(h.auth);
  w.key("prefix"); w.string(h.prefix);
  if (issued) {
    w.key("secret"); w.string(issued->secret);
    w.key("url"); w.string(issued->url);
  }
  w.key("targets");
  w.begin_array();
  if (h.targets)
    for (const auto& id : *h.targets) w.string(id);
  w.end_array();
  w.key("defaults");
  if (h.default_size_type || h.default_size || h.default_order_type) {
    w.begin_object();
    opt_text(w, "sizeType", h.default_size_type);
    opt_decimal(w, "size", h.default_size);
    opt_text(w, "orderType", h.default_order_type);
    w.end_object();
  } else {
    w.null();
  }
  w.key("createdAt"); w.string(format_rfc3339_millis(h.created_at));
  w.key("rotatedAt");
  if (h.rotated_at) w.string(format_rfc3339_millis(*h.rotated_at));
  else w.null();
  w.end_object();
}

std::string issued_webhook_json(const IssuedWebhook& issued) {
  std::string out;
  JsonWriter w(out);
  write_webhook(w, issued.webhook, &issued);
  return out;
}

std::string loggable_trader_path(std::string_view path) {
  constexpr std::string_view kDelivery = "/api/v1/signals/webhook/";
  if (path.substr(0, kDelivery.size()) != kDelivery) return std::string(path);
  auto key = path.substr(kDelivery.size());
  // A secret shows only its prefix (tag + 12 characters); a webhook id (hmac mode) is no secret.
  if (key.substr(0, 3) != "wh_") return std::string(path);
  return std::string(kDelivery) + std::string(key.substr(0, 15)) + "\xE2\x80\xA6";
}

}  // namespace polysim::trader
