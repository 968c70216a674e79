// The body of POST /execution/fill and /execution/quote (30-partner-apps.md §8) as an engine
// order request. Every problem is collected, so the 400's message lists them all, joined by "; ".
#pragma once
#include <optional>
#include <string>

#include "core/json_input.hpp"
#include "engine/order_request.hpp"

namespace polysim::apps {

struct FillInput {
  engine::OrderRequest request;           // account_id empty until the surface picks the account
  std::optional<std::string> account_id;  // as given
};

// Throws AppFailure 400 validation_failed. `quote`: clientOrderId is not part of the body.
FillInput parse_fill_body(const JsonValue* body, bool quote);

}  // namespace polysim::apps
