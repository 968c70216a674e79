#include "trader/trading_queries.hpp"

#include <charconv>

#include "core/time_format.hpp"

namespace polysim::trader {

namespace {

constexpr std::int64_t kHourMicros = 3'600'000'000;
constexpr std::int64_t kDayMicros = 24 * kHourMicros;
constexpr std::int64_t kMaxEquityPoints = 2'000;

std::optional<std::string> text(const http::QueryParams& q, const std::string& name) {
  if (q.duplicated && *q.duplicated == name) throw auth::validation_failure(name, "must be given once");
  auto it = q.values.find(name);
  if (it == q.values.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> one_of(const http::QueryParams& q, const std::string& name,
                                  std::initializer_list<std::string_view> allowed) {
  auto value = text(q, name);
  if (!value) return std::nullopt;
  for (auto a : allowed)
    if (*value == a) return value;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw auth::validation_failure(name, "must be one of " + list);
}

int bounded_int(const http::QueryParams& q, const std::string& name, int low, int high, int fallback) {
  auto value = text(q, name);
  if (!value) return fallback;
  int n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < low || n > high)
    throw auth::validation_failure(name, "must be an integer from " + std::to_string(low) + " to " + std::to_string(high));
  return n;
}

std::optional<std::int64_t> time_param(const http::QueryParams& q, const std::string& name) {
  auto value = text(q, name);
  if (!value) return std::nullopt;
  auto t = parse_rfc3339(*value);
  if (!t) throw auth::validation_failure(name, "must be an RFC 3339 time");
  return t;
}

// A status filter whose "all" means no filter.
std::optional<std::string> status_filter(const http::QueryParams& q, std::initializer_list<std::string_view> allowed,
                                         std::string fallback) {
  auto value = one_of(q, "status", allowed);
  if (!value) return fallback;
  if (*value == "all") return std::nullopt;
  return value;
}

}  // namespace

std::string account_status_query(const http::QueryParams& q) {
  return one_of(q, "status", {"active", "closed", "all"}).value_or("active");
}

bool wants_paper_accounts(const http::QueryParams& q) { return one_of(q, "mode", {"paper", "live"}).value_or("paper") == "paper"; }

EquityRequest equity_query(const http::QueryParams& q, std::int64_t now) {
  EquityRequest r;
  r.interval = one_of(q, "interval", {"hour", "day"}).value_or("day") == "hour" ? kHourMicros : kDayMicros;
  r.to = time_param(q, "to").value_or(now);
  r.from = time_param(q, "from").value_or(r.to - 30 * kDayMicros);
  if (r.from > r.to) throw auth::validation_failure("from", "must not be after to");
  if ((r.to - r.from) / r.interval >= kMaxEquityPoints)
    throw auth::validation_failure("from", "the range holds more than 2000 points; narrow it or use a longer interval");
  return r;
}

OrderListRequest order_list_query(const http::QueryParams& q) {
  OrderListRequest r;
  r.account_id = text(q, "accountId");
  r.status = status_filter(q, {"OPEN", "FILLED", "CANCELLED", "EXPIRED", "REJECTED", "all"}, "OPEN");
  r.market = text(q, "marketId");
  r.client_order_id = text(q, "clientOrderId");
  r.limit = bounded_int(q, "limit", 1, 500, 100);
  r.cursor = text(q, "cursor").value_or("");
  return r;
}

FillListRequest fill_list_query(const http::QueryParams& q) {
  FillListRequest r;
  r.account_id = text(q, "accountId");
  r.market = text(q, "marketId");
  r.since = time_param(q, "since");
  r.until = time_param(q, "until");
  r.limit = bounded_int(q, "limit", 1, 500, 100);
  r.cursor = text(q, "cursor").value_or("");
  return r;
}

MarketListRequest market_list_query(const http::QueryParams& q) {
  MarketListRequest r;
  r.status = status_filter(q, {"open", "closed", "resolved", "all"}, "open");
  r.q = text(q, "q");
  if (r.q && r.q->size() > 200) throw auth::validation_failure("q", "must be at most 200 characters");
  r.category = text(q, "category");
  r.limit = bounded_int(q, "limit", 1, 200, 50);
  r.cursor = text(q, "cursor").value_or("");
  return r;
}

int depth_query(const http::QueryParams& q) { return bounded_int(q, "depth", 1, 50, 10); }

std::int64_t sync_since_query(const http::QueryParams& q) {
  auto value = text(q, "since");
  if (!value) throw auth::validation_failure("since", "is required (the version of the last snapshot or change)");
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < 0)
    throw auth::validation_failure("since", "must be a version, a non-negative integer");
  return n;
}

int sync_limit_query(const http::QueryParams& q) { return bounded_int(q, "limit", 1, 1000, 500); }

}  // namespace polysim::trader
