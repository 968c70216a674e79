#include "ops/metrics.hpp"

#include <fmt/format.h>

namespace polysim::ops {

std::size_t Metrics::KeyHash::operator()(const SeriesKeyView& k) const noexcept {
  const auto h = std::hash<std::string_view>{};
  return h(k.route) * 31 + h(k.listener) * 7 + static_cast<std::size_t>(k.status);
}

void Metrics::record_request(std::string_view listener, std::string_view route, int status, std::int64_t latency_us) {
  auto& shard = request_shards_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % request_shards_.size()];
  std::lock_guard lock(shard.mutex);
  auto it = shard.series.find(SeriesKeyView{listener, route, status});
  if (it == shard.series.end()) it = shard.series.emplace(SeriesKey{std::string(listener), std::string(route), status}, Series{}).first;
  auto& s = it->second;
  ++s.count;
  s.sum_us += latency_us;
  for (std::size_t i = 0; i < kBucketsUs.size(); ++i)
    if (latency_us <= kBucketsUs[i]) ++s.buckets[i];
}

void Metrics::record_rejected_connection(const std::string& listener) {
  std::lock_guard lock(mutex_);
  ++rejected_connections_[listener];
}

void Metrics::record_limiter_decision(std::string_view policy, bool admitted) {
  auto& counts = admitted ? limiter_admitted_ : limiter_rejected_;
  std::lock_guard lock(mutex_);
  if (auto it = counts.find(policy); it != counts.end()) ++it->second;
  else counts.emplace(std::string(policy), 1);
}

void Metrics::record_limiter_store_error() { limiter_store_errors_.fetch_add(1); }

void Metrics::record_app_cap_refusal(std::string_view cap) {
  (cap == "users" ? app_user_cap_refusals_ : app_trade_cap_refusals_).fetch_add(1);
}

std::string Metrics::render_prometheus() const {
  std::map<std::tuple<std::string, std::string, int>, Series> requests_;
  for (auto& shard : request_shards_) {
    std::lock_guard shard_lock(shard.mutex);
    for (const auto& [k, s] : shard.series) {
      auto& merged = requests_[{k.listener, k.route, k.status}];
      merged.count += s.count;
      merged.sum_us += s.sum_us;
      for (std::size_t i = 0; i < s.buckets.size(); ++i) merged.buckets[i] += s.buckets[i];
    }
  }
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP polysim_http_requests_total Answered HTTP requests.\n# TYPE polysim_http_requests_total counter\n";
  for (const auto& [k, s] : requests_)
    out += fmt::format("polysim_http_requests_total{{listener=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", std::get<0>(k),
                       std::get<1>(k), std::get<2>(k), s.count);
  out += "# HELP polysim_http_request_duration_seconds Request latency.\n# TYPE polysim_http_request_duration_seconds histogram\n";
  for (const auto& [k, s] : requests_) {
    const auto labels = fmt::format("listener=\"{}\",route=\"{}\",status=\"{}\"", std::get<0>(k), std::get<1>(k), std::get<2>(k));
    for (std::size_t i = 0; i < kBucketsUs.size(); ++i)
      out += fmt::format("polysim_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         static_cast<double>(kBucketsUs[i]) / 1e6, s.buckets[i]);
    out += fmt::format("polysim_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, s.count);
    out += fmt::format("polysim_http_request_duration_seconds_sum{{{}}} {}\n", labels, static_cast<double>(s.sum_us) / 1e6);
    out += fmt::format("polysim_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
  }
  out += "# HELP polysim_http_connections_rejected_total Connections refused over the cap.\n# TYPE polysim_http_connections_rejected_total counter\n";
  for (const auto& [listener, n] : rejected_connections_)
    out += fmt::format("polysim_http_connections_rejected_total{{listener=\"{}\"}} {}\n", listener, n);
  out += "# HELP polysim_ratelimit_decisions_total Rate-limit decisions per policy.\n# TYPE polysim_ratelimit_decisions_total counter\n";
  for (const auto* counts : {&limiter_admitted_, &limiter_rejected_})
    for (const auto& [policy, n] : *counts)
      out += fmt::format("polysim_ratelimit_decisions_total{{policy=\"{}\",decision=\"{}\"}} {}\n", policy,
                         counts == &limiter_admitted_ ? "admitted" : "rejected", n);
  out += "# HELP polysim_ratelimit_store_errors_total Limiter store failures (requests admitted).\n# TYPE polysim_ratelimit_store_errors_total counter\n";
  out += fmt::format("polysim_ratelimit_store_errors_total {}\n", limiter_store_errors_.load());
  out += "# HELP polysim_app_cap_refusals_total Testing-mode cap refusals of partner apps.\n# TYPE polysim_app_cap_refusals_total counter\n";
  out += fmt::format("polysim_app_cap_refusals_total{{cap=\"users\"}} {}\n", app_user_cap_refusals_.load());
  out += fmt::format("polysim_app_cap_refusals_total{{cap=\"trades\"}} {}\n", app_trade_cap_refusals_.load());
  return out;
}

}  // namespace polysim::ops
