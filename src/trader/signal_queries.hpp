// The query string of GET /api/v1/signals (20-trader-api.md §10.2) into a request; anything
// malformed is a 400 validation_error naming the parameter.
#pragma once
#include "http/query_params.hpp"
#include "trader/signal_service.hpp"

namespace polysim::trader {

SignalListRequest signal_list_query(const http::QueryParams& query);

}  // namespace polysim::trader
