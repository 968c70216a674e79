// Translation of partner request bodies and query strings into typed requests, with the
// surface's validation codes and order. No HTTP types: input is parsed JSON and decoded
// query parameters.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "core/json_input.hpp"
#include "http/query_params.hpp"
#include "partner/partner_error.hpp"
#include "partner/partner_service.hpp"
#include "store/store.hpp"

namespace polysim::partner {

using http::QueryParams;
using http::parse_query;

std::optional<std::int64_t> parse_user_id(std::string_view text);  // canonical positive integer ≤ 2^53−1

Result<CreateUserRequest> parse_create_user(const JsonValue& body);
Result<CreateAccountRequest> parse_create_account(const JsonValue& body);
Result<store::AccountPatch> parse_account_patch(const JsonValue& body);
Result<std::optional<std::string>> parse_login_link(const JsonValue* body);
Result<TradesRequest> parse_trades_query(const QueryParams& query);
Result<ListAccountsRequest> parse_list_accounts_query(const QueryParams& query);

}  // namespace polysim::partner
