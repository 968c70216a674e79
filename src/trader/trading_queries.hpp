// The query strings of the trader's trading reads (20-trader-api.md §9) into requests; anything
// malformed is a 400 validation_error naming the parameter.
#pragma once
#include <string>

#include "http/query_params.hpp"
#include "trader/trading_service.hpp"

namespace polysim::trader {

std::string account_status_query(const http::QueryParams& query);  // active (default) | closed | all
bool wants_paper_accounts(const http::QueryParams& query);          // mode=paper|live, both by default
EquityRequest equity_query(const http::QueryParams& query, std::int64_t now);
OrderListRequest order_list_query(const http::QueryParams& query);
FillListRequest fill_list_query(const http::QueryParams& query);
MarketListRequest market_list_query(const http::QueryParams& query);
int depth_query(const http::QueryParams& query);  // 1–50, default 10
std::int64_t sync_since_query(const http::QueryParams& query);  // required, ≥ 0
int sync_limit_query(const http::QueryParams& query);           // 1–1000, default 500

}  // namespace polysim::trader
