// The market operations behind both the admin listener (POST /admin/markets[/{m}/book|close|
// open|resolve]) and the engine_commands queue the CLI fills: one function per operation, taking
// the request body as parsed JSON and answering with the admin rendering of the result or an
// admin error. They block (the engine writes the market row first), so HTTP callers run them on
// the blocking pool.
#pragma once
#include <string>
#include <string_view>
#include <variant>

#include "core/json_input.hpp"
#include "engine/engine.hpp"

namespace polysim::app {

struct AdminFailure {
  int status = 0;     // what the admin listener answers
  std::string error;  // e.g. MARKET_NOT_FOUND
  std::string message;
};

// JSON text on success: the market, or for a book push both outcomes' books.
using AdminResult = std::variant<std::string, AdminFailure>;

// `body` is null when the request had none.
AdminResult create_market_from_body(engine::Engine& engine, const JsonValue* body);
AdminResult push_market_book(engine::Engine& engine, const std::string& market, const JsonValue* body);
AdminResult close_market(engine::Engine& engine, const std::string& market);
AdminResult open_market(engine::Engine& engine, const std::string& market);
AdminResult resolve_market(engine::Engine& engine, const std::string& market, const JsonValue* body);

// By name: "create" (target unused), "book", "close", "open", "resolve"; any other name is
// 404 NOT_FOUND, as an unknown admin route would be.
AdminResult run_market_operation(engine::Engine& engine, std::string_view operation, const std::string& market,
                                 const JsonValue* body);

}  // namespace polysim::app
