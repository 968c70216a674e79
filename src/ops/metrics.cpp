#include "ops/metrics.hpp"

#include <fmt/format.h>

namespace polysim::ops {

void Metrics::record_request(const std::string& listener, const std::string& route, int status, std::int64_t latency_us) {
  std::lock_guard lock(mutex_);
  auto& s = requests_[{listener, route, status}];
  ++s.count;
  s.sum_us += latency_us;
  for (std::size_t i = 0; i < kBucketsUs.size(); ++i)
    if (latency_us <= kBucketsUs[i]) ++s.buckets[i];
}

void Metrics::record_rejected_connection(const std::string& listener) {
  std::lock_guard lock(mutex_);
  ++rejected_connections_[listener];
}

void Metrics::record_limiter_decision(const std::string& policy, bool admitted) {
  std::lock_guard lock(mutex_);
  ++limiter_decisions_[{policy, admitted}];
}

void Metrics::record_limiter_store_error() { limiter_store_errors_.fetch_add(1); }

std::string Metrics::render_prometheus() const {
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
  for (const auto& [k, n] : limiter_decisions_)
    out += fmt::format("polysim_ratelimit_decisions_total{{policy=\"{}\",decision=\"{}\"}} {}\n", k.first,
                       k.second ? "admitted" : "rejected", n);
  out += "# HELP polysim_ratelimit_store_errors_total Limiter store failures (requests admitted).\n# TYPE polysim_ratelimit_store_errors_total counter\n";
  out += fmt::format("polysim_ratelimit_store_errors_total {}\n", limiter_store_errors_.load());
  return out;
}

}  // namespace polysim::ops
