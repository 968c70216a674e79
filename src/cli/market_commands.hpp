// `polysim market …` (40-trading-engine.md §2): mutating commands become rows of the
// engine_commands queue, which the running server's engine executes in order with the same
// operations as the admin endpoints; the CLI then waits a bounded time for the row's outcome.
// Payloads are the admin bodies, built from the flags as typed: the engine validates them, so
// the CLI only checks what it must to build the JSON (flag syntax, number tokens, book levels).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_context.hpp"
#include "core/json_input.hpp"
#include "store/engine_command_store.hpp"

namespace polysim::cli {

// The spec's --wait default.
inline constexpr std::chrono::milliseconds kDefaultMarketWait = std::chrono::seconds(10);

// One per field of POST /admin/markets; unset fields take the engine's defaults.
struct MarketCreateInput {
  std::string slug;
  std::string question;
  std::optional<std::string> category;
  std::optional<std::string> tick_size;
  std::optional<std::string> min_order_size;
  std::optional<std::string> taker_fee_bps;
  std::optional<std::string> maker_fee_bps;
  std::optional<std::string> end_date;
  std::optional<std::string> feed;
  std::optional<std::string> stale_after;
  std::optional<std::string> yes_label;
  std::optional<std::string> no_label;
  std::optional<std::string> external_ref;
};

struct MarketBookInput {
  std::string market;
  std::string outcome;
  std::optional<std::string> bids;  // "0.55:300,0.54:400"
  std::optional<std::string> asks;
  bool no_mirror = false;
};

// What goes into the queue: an operation of app/market_operations.hpp, its market, its body.
struct MarketCommand {
  std::string kind;
  std::string target;
  std::string payload;
};

// Each throws InvalidInput when the flags cannot form the body.
MarketCommand market_create_command(const MarketCreateInput& input);
MarketCommand market_book_command(const MarketBookInput& input);
MarketCommand market_close_command(const std::string& market);
MarketCommand market_open_command(const std::string& market);
MarketCommand market_resolve_command(const std::string& market, const std::string& outcome);

// "0.55:300,0.54:400" → [["0.55","300"],["0.54","400"]], checked with the engine's level parser;
// "" → no levels. `side` names the flag in errors.
JsonValue book_levels_from_flag(std::string_view side, std::string_view text);

// A bare number is seconds ("10"); otherwise a duration such as 500ms, 2s or 1m. 0: no wait.
std::chrono::milliseconds parse_wait(std::string_view text);

// Enqueues, then polls the row until it leaves 'queued' or `wait` elapses; returns the row as
// last read (still 'queued' when the engine has not run it yet, e.g. no server is running).
store::EngineCommandRecord submit_market_command(CommandContext& context, const MarketCommand& command,
                                                 std::chrono::milliseconds wait);

// A failed command's error as the operator should see it: InvalidInput (exit 2) for the
// operator's mistakes (4xx), std::runtime_error (exit 1) when retrying may help.
[[noreturn]] void throw_command_failure(const store::EngineCommandRecord& command);

}  // namespace polysim::cli
