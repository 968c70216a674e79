// POST /api/v1/orders body → the engine's order request (20-trader-api.md §9.3): camelCase
// fields, enums case-insensitive, decimals from their exact text. Throws validation_error.
#pragma once
#include <string>

#include "core/json_input.hpp"
#include "engine/order_request.hpp"

namespace polysim::trader {

engine::OrderRequest parse_order_body(const JsonValue* body, std::string origin);

}  // namespace polysim::trader
