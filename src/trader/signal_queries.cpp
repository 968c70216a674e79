#include "trader/signal_queries.hpp"

#include <charconv>

#include "core/time_format.hpp"

namespace polysim::trader {

namespace {

std::optional<std::string> text(const http::QueryParams& q, const std::string& name) {
  if (q.duplicated && *q.duplicated == name) throw auth::validation_failure(name, "must be given once");
  auto it = q.values.find(name);
  if (it == q.values.end()) return std::nullopt;
  return it->second;
}

}  // namespace

SignalListRequest signal_list_query(const http::QueryParams& q) {
  SignalListRequest r;
  if (auto status = text(q, "status")) {
    if (*status != "all") {
      if (*status != "succeeded" && *status != "partial" && *status != "failed" && *status != "pending")
        throw auth::validation_failure("status", "must be one of succeeded, partial, failed, pending, all");
      r.status = status;
    }
  }
  r.market = text(q, "marketId");
  if (auto source = text(q, "source")) {
    if (*source != "api" && *source != "webhook") throw auth::validation_failure("source", "must be api or webhook");
    r.source = source;
  }
  if (auto since = text(q, "since")) {
    auto t = parse_rfc3339(*since);
    if (!t) throw auth::validation_failure("since", "must be an RFC 3339 time");
    r.since = t;
  }
  if (auto limit = text(q, "limit")) {
    int n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > 500)
      throw auth::validation_failure("limit", "must be an integer from 1 to 500");
    r.limit = n;
  }
  r.cursor = text(q, "cursor").value_or("");
  return r;
}

}  // namespace polysim::trader
