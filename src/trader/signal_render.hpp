// Trader API rendering of signals, signal targets and webhooks (20-trader-api.md §10): camelCase,
// decimals as strings, a webhook's secret and URL only in the answers that issue them.
#pragma once
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "store/signal_store.hpp"
#include "trader/signal_service.hpp"

namespace polysim::trader {

void write_signal(JsonWriter& w, const store::SignalRecord& signal);
std::string signal_json(const store::SignalRecord& signal);
std::string signal_targets_json(const std::vector<std::string>& account_ids);
// Without `issued`: the listed form (no secret, no url).
void write_webhook(JsonWriter& w, const store::WebhookRecord& webhook, const IssuedWebhook* issued = nullptr);
std::string issued_webhook_json(const IssuedWebhook& issued);

// The path as the access log shows it: a webhook secret cut to its prefix
// ("/api/v1/signals/webhook/wh_c2f7k5m3q6t4…"); other paths unchanged.
std::string loggable_trader_path(std::string_view path);

}  // namespace polysim::trader
