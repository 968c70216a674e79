#include "cli/market_commands.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "config/config.hpp"
#include "engine/book_json.hpp"

namespace polysim::cli {

namespace {

// Long enough for any engine command, short enough that a typo cannot park a script for days.
constexpr std::chrono::milliseconds kMaxWait = std::chrono::hours(1);
constexpr std::chrono::milliseconds kPollEvery = std::chrono::milliseconds(50);

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// Integers travel as JSON number tokens, exactly as typed; the engine judges their range.
JsonValue number_token(std::string_view field, const std::string& text) {
  try {
    return JsonValue::number(text);
  } catch (const std::invalid_argument&) {
    throw InvalidInput(std::string(field) + ": " + quoted(text) + " is not a number");
  }
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

MarketCommand command(std::string kind, std::string target, const JsonValue& body) {
  return MarketCommand{std::move(kind), std::move(target), serialize_compact(body)};
}

}  // namespace

MarketCommand market_create_command(const MarketCreateInput& input) {
  JsonValue::Members body{{"slug", JsonValue::string(input.slug)}, {"question", JsonValue::string(input.question)}};
  const auto text = [&body](const char* key, const std::optional<std::string>& value) {
    if (value) body.emplace_back(key, JsonValue::string(*value));
  };
  const auto number = [&body](const char* key, const std::optional<std::string>& value) {
    if (value) body.emplace_back(key, number_token(key, *value));
  };
  text("category", input.category);
  text("tick_size", input.tick_size);  // decimals as strings, like the admin rendering
  text("min_order_size", input.min_order_size);
  number("taker_fee_bps", input.taker_fee_bps);
  number("maker_fee_bps", input.maker_fee_bps);
  text("end_date", input.end_date);
  text("feed", input.feed);
  number("stale_after", input.stale_after);
  text("yes_label", input.yes_label);
  text("no_label", input.no_label);
  text("external_ref", input.external_ref);
  return command("create", input.slug, JsonValue::object(std::move(body)));
}

JsonValue book_levels_from_flag(std::string_view side, std::string_view text) {
  JsonValue::Elements levels;
  if (!text.empty()) {
    for (const auto level : split(text, ',')) {
      const auto parts = split(level, ':');
      if (parts.size() != 2 || parts[0].empty() || parts[1].empty())
        throw InvalidInput("--" + std::string(side) + ": " + quoted(level) +
                           " is not price:size (e.g. 0.55:300,0.54:400)");
      levels.push_back(
          JsonValue::array({JsonValue::string(std::string(parts[0])), JsonValue::string(std::string(parts[1]))}));
    }
  }
  auto array = JsonValue::array(std::move(levels));
  // The engine's own level parser, so a malformed number fails here rather than in the queue.
  auto checked = engine::levels_from_json(&array, side);
  if (auto* error = std::get_if<std::string>(&checked)) throw InvalidInput("--" + std::string(side) + ": " + *error);
  return array;
}

MarketCommand market_book_command(const MarketBookInput& input) {
  JsonValue::Members body{{"outcome", JsonValue::string(input.outcome)}};
  if (input.bids) body.emplace_back("bids", book_levels_from_flag("bids", *input.bids));
  if (input.asks) body.emplace_back("asks", book_levels_from_flag("asks", *input.asks));
  if (input.no_mirror) body.emplace_back("mirror", JsonValue::boolean(false));
  return command("book", input.market, JsonValue::object(std::move(body)));
}

MarketCommand market_close_command(const std::string& market) { return command("close", market, JsonValue::object()); }

MarketCommand market_open_command(const std::string& market) { return command("open", market, JsonValue::object()); }

MarketCommand market_resolve_command(const std::string& market, const std::string& outcome) {
  return command("resolve", market, JsonValue::object({{"outcome", JsonValue::string(outcome)}}));
}

std::chrono::milliseconds parse_wait(std::string_view text) {
  const bool bare = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto parsed = bare && text.size() <= 7
                          ? std::optional(std::chrono::milliseconds(std::stoll(std::string(text)) * 1000))
                          : parse_duration(std::string(text));
  if (!parsed || *parsed > kMaxWait)
    throw InvalidInput("--wait: " + quoted(text) +
                       " must be seconds (e.g. 10) or a duration such as 500ms or 2m, at most 1h");
  return *parsed;
}

store::EngineCommandRecord submit_market_command(CommandContext& context, const MarketCommand& command,
                                                 std::chrono::milliseconds wait) {
  if (!context.engine_commands) throw std::logic_error("market commands need the engine_commands store");
  auto& queue = *context.engine_commands;
  const auto id = queue.enqueue_engine_command(command.kind, command.target, command.payload,
                                               context.clock.now_unix_micros());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto row = queue.find_engine_command(id);
    if (!row) throw std::runtime_error("engine command " + std::to_string(id) + " disappeared from the queue");
    const auto now = std::chrono::steady_clock::now();
    if (row->status != "queued" || now >= deadline) return *row;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollEvery, deadline - now));
  }
}

void throw_command_failure(const store::EngineCommandRecord& command) {
  std::string error = "FAILED";
  std::string message = "the engine did not say why";
  std::int64_t status = 500;
  auto parsed = parse_json(command.result.value_or(""));
  if (auto* result = std::get_if<JsonValue>(&parsed)) {
    if (const auto* f = result->find("error"); f && f->is_string()) error = f->as_string();
    if (const auto* f = result->find("message"); f && f->is_string()) message = f->as_string();
    if (const auto* f = result->find("status"); f) status = json_integer(*f).value_or(500);
  }
  const auto text = command.kind + " " + command.target + " failed: " + error + ": " + message;
  if (status >= 400 && status < 500) throw InvalidInput(text);
  throw std::runtime_error(text);
}

}  // namespace polysim::cli
