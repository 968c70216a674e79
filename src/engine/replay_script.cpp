#include "engine/replay_script.hpp"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "core/decimal.hpp"
#include "core/json_input.hpp"
#include "core/time_format.hpp"
#include "engine/book.hpp"
#include "engine/book_json.hpp"

namespace polysim::engine {

namespace {

constexpr std::int64_t kOne = 1'000'000;                             // price micros in $1
constexpr std::int64_t kMaxShareMicros = 1'000'000'000'000'000'000;  // 10^12 shares (§1 range)
constexpr std::int64_t kMaxSpeedMicros = 10'000 * kOne;              // speed 10000
constexpr std::size_t kMaxMarketRefLength = 100;                     // a slug, or a UUID
constexpr std::size_t kMaxQuestionChars = 500;
constexpr std::size_t kMaxCategoryLength = 50;
constexpr std::size_t kMaxLabelLength = 200;
constexpr std::int64_t kMaxStaleAfterS = 86'400;

// A line is checked by a chain of small readers, each of which can find the line invalid. They
// throw this instead of returning a variant each, and parse_replay_line is the only catcher, so
// it never leaves this file.
struct InvalidLine {
  std::string message;
};

[[noreturn]] void invalid(std::string message) { throw InvalidLine{std::move(message)}; }

// Keys and types are echoed back to the operator; a long or binary one is described instead.
std::string quoted(std::string_view text) {
  const bool printable =
      text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  return printable ? "\"" + std::string(text) + "\"" : std::string("(unprintable or too long)");
}

void require_known_keys(const JsonValue& line, std::initializer_list<std::string_view> known, std::string_view type) {
  for (const auto& [key, value] : line.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      invalid("unknown field " + quoted(key) + " on a " + std::string(type) + " line");
}

const std::string& required_string(const JsonValue& line, std::string_view key) {
  const auto* field = line.find(key);
  if (!field) invalid("missing " + std::string(key));
  if (!field->is_string()) invalid(std::string(key) + " must be a string");
  return field->as_string();
}

std::int64_t timestamp(const JsonValue& line, std::string_view key) {
  auto micros = parse_rfc3339(required_string(line, key));
  if (!micros) invalid(std::string(key) + " must be an RFC 3339 time such as 2026-11-23T12:00:00.000Z");
  return *micros;
}

std::string market_ref(const JsonValue& line) {
  const auto& market = required_string(line, "market");
  if (market.empty() || market.size() > kMaxMarketRefLength) invalid("market must be a slug or market id");
  return market;
}

std::string yes_or_no(const JsonValue& line) {
  const auto& outcome = required_string(line, "outcome");
  if (outcome != "YES" && outcome != "NO") invalid("outcome must be YES or NO");
  return outcome;
}

// --- market ---------------------------------------------------------------------------------

bool is_slug(std::string_view text) {  // ^[a-z0-9][a-z0-9-]{0,99}$
  const auto slug_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  return !text.empty() && text.size() <= 100 && text.front() != '-' && std::all_of(text.begin(), text.end(), slug_char);
}

// The parser has already checked the UTF-8, so characters are the bytes that start one.
std::size_t utf8_characters(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<std::int64_t> bounded_integer(const JsonValue& line, std::string_view key, std::int64_t low,
                                            std::int64_t high) {
  const auto* field = line.find(key);
  if (!field) return std::nullopt;
  const auto value = json_integer(*field);
  if (!value || *value < low || *value > high)
    invalid(std::string(key) + " must be an integer " + std::to_string(low) + "-" + std::to_string(high));
  return value;
}

std::optional<std::string> label(const JsonValue& line, std::string_view key) {
  const auto* field = line.find(key);
  if (!field || field->is_null()) return std::nullopt;
  if (!field->is_string() || field->as_string().empty() || field->as_string().size() > kMaxLabelLength)
    invalid(std::string(key) + " must be a string of 1-200 bytes or null");
  return field->as_string();
}

ReplayMarket market_line(const JsonValue& line, std::int64_t ts) {
  require_known_keys(line,
                     {"ts", "type", "slug", "question", "category", "tick_size", "min_order_size", "taker_fee_bps",
                      "maker_fee_bps", "end_date", "stale_after", "yes_label", "no_label"},
                     "market");
  ReplayMarket market;
  market.ts = ts;
  market.slug = required_string(line, "slug");
  if (!is_slug(market.slug)) invalid("slug must match ^[a-z0-9][a-z0-9-]{0,99}$");
  market.question = required_string(line, "question");
  const auto characters = utf8_characters(market.question);
  if (characters == 0 || characters > kMaxQuestionChars) invalid("question must be 1-500 characters");
  if (line.find("category")) {
    market.category = required_string(line, "category");
    const bool lowercase =
        std::none_of(market.category.begin(), market.category.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (market.category.empty() || market.category.size() > kMaxCategoryLength || !lowercase)
      invalid("category must be a lowercase string of 1-50 bytes");
  }
  if (const auto* field = line.find("tick_size")) {
    const auto tick = json_decimal(*field, 4);
    if (!tick || (*tick != 100'000 && *tick != 10'000 && *tick != 1'000 && *tick != 100))
      invalid("tick_size must be 0.1, 0.01, 0.001 or 0.0001");
    market.tick_size = tick;
  }
  if (const auto* field = line.find("min_order_size")) {
    const auto size = json_decimal(*field, kMicrosScale);
    if (!size || *size <= 0 || *size > kMaxShareMicros) invalid("min_order_size must be a positive number of shares");
    market.min_order_size = size;
  }
  market.taker_fee_bps = bounded_integer(line, "taker_fee_bps", 0, 10'000);
  market.maker_fee_bps = bounded_integer(line, "maker_fee_bps", 0, 10'000);
  if (const auto* field = line.find("end_date"); field && !field->is_null())
    market.end_date = timestamp(line, "end_date");
  market.stale_after_s = bounded_integer(line, "stale_after", 0, kMaxStaleAfterS);
  market.yes_label = label(line, "yes_label");
  market.no_label = label(line, "no_label");
  return market;
}

// --- book -----------------------------------------------------------------------------------

// The syntax is book_json's, shared with the admin push so both read levels alike (strings or
// number tokens, from their exact text). The ranges are checked here, level by level, so that
// the stop message points at the level an operator has to fix.
std::vector<BookLevel> side_levels(const JsonValue& line, std::string_view side) {
  const auto* field = line.find(side);
  if (field && field->is_array() && field->elements().size() > static_cast<std::size_t>(kMaxBookLevels))
    invalid(std::string(side) + " has more than 50 levels");
  auto parsed = levels_from_json(field, side);  // absent → empty, which §3.1 allows
  if (auto* problem = std::get_if<std::string>(&parsed)) invalid(std::move(*problem));
  auto levels = std::get<std::vector<BookLevel>>(std::move(parsed));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const auto name = std::string(side) + "[" + std::to_string(i) + "]";
    if (levels[i].price <= 0 || levels[i].price >= kOne) invalid(name + " price must be inside (0, 1)");
    if (levels[i].size <= 0) invalid(name + " size must be positive");
    if (levels[i].size > kMaxShareMicros) invalid(name + " size is out of range");
  }
  return levels;
}

bool mirror_flag(const JsonValue& line) {
  const auto* field = line.find("mirror");
  if (!field) return true;
  if (!field->is_bool()) invalid("mirror must be true or false");
  return field->as_bool();
}

ReplayBook book_line(const JsonValue& line, std::int64_t ts) {
  require_known_keys(line, {"ts", "type", "market", "outcome", "mirror", "bids", "asks"}, "book");
  ReplayBook book;
  book.ts = ts;
  book.market = market_ref(line);
  book.outcome = yes_or_no(line);
  book.mirror = mirror_flag(line);
  book.bids = side_levels(line, "bids");
  book.asks = side_levels(line, "asks");
  // A tick of one micro puts every price on the grid, so this applies every other rule of §3.1
  // (order, duplicates, crossing) exactly as the engine will; the grid itself is its job.
  if (auto problem = book_problem(book.bids, book.asks, 1)) invalid(*problem);
  return book;
}

// --- status and resolve ---------------------------------------------------------------------

ReplayStatus status_line(const JsonValue& line, std::int64_t ts) {
  require_known_keys(line, {"ts", "type", "market", "status"}, "status");
  ReplayStatus status{ts, market_ref(line), required_string(line, "status")};
  if (status.status != "open" && status.status != "closed") invalid("status must be open or closed");
  return status;
}

ReplayResolve resolve_line(const JsonValue& line, std::int64_t ts) {
  require_known_keys(line, {"ts", "type", "market", "outcome"}, "resolve");
  return ReplayResolve{ts, market_ref(line), yes_or_no(line)};
}

ReplayEvent event_of(const JsonValue& line) {
  if (!line.is_object()) invalid("line must be a JSON object");
  const auto ts = timestamp(line, "ts");
  const std::string type = line.find("type") ? required_string(line, "type") : std::string("book");
  if (type == "book") return book_line(line, ts);
  if (type == "market") return market_line(line, ts);
  if (type == "status") return status_line(line, ts);
  if (type == "resolve") return resolve_line(line, ts);
  invalid("unknown type " + quoted(type) + " (book, market, status or resolve)");
}

}  // namespace

std::int64_t replay_event_ts(const ReplayEvent& event) {
  return std::visit([](const auto& e) { return e.ts; }, event);
}

bool is_blank_replay_line(std::string_view line) { return line.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::variant<ReplayEvent, ReplayLineError> parse_replay_line(std::string_view line) {
  if (is_blank_replay_line(line)) return ReplayLineError{"blank line"};
  if (line.size() > kMaxReplayLineBytes) return ReplayLineError{"line longer than 65536 bytes"};
  auto parsed = parse_json(line);
  if (auto* error = std::get_if<JsonParseError>(&parsed)) return ReplayLineError{error->message};
  try {
    return event_of(std::get<JsonValue>(parsed));
  } catch (InvalidLine& e) {
    return ReplayLineError{std::move(e.message)};
  }
}

std::optional<std::int64_t> ReplaySpeed::due_offset(std::int64_t script_elapsed) const {
  if (!factor_micros_) return 0;
  return mul_div(script_elapsed, kOne, *factor_micros_, Rounding::Down);
}

std::optional<ReplaySpeed> parse_replay_speed(std::string_view text) {
  if (text == "max") return ReplaySpeed::max();
  const auto factor = parse_decimal(text, kMicrosScale);
  if (!factor || *factor <= 0 || *factor > kMaxSpeedMicros) return std::nullopt;
  return ReplaySpeed(*factor);
}

ReplayStep ReplayScript::next(std::string_view line) {
  if (stop_) return *stop_;
  ++line_number_;
  if (is_blank_replay_line(line)) return SkippedReplayLine{line_number_};
  auto parsed = parse_replay_line(line);
  if (auto* error = std::get_if<ReplayLineError>(&parsed)) return stop_at(std::move(error->message));
  auto event = std::get<ReplayEvent>(std::move(parsed));
  const auto ts = replay_event_ts(event);
  if (first_ts_ && ts < last_ts_) return stop_at("ts goes back in time: it is before the previous event's ts");
  if (!first_ts_) first_ts_ = ts;
  last_ts_ = ts;
  const auto due = speed_.due_offset(ts - *first_ts_);
  if (!due) return stop_at("ts is too far after the first line's for this speed");
  return ScheduledReplayEvent{line_number_, *due, std::move(event)};
}

ReplayStop ReplayScript::stop_at(std::string message) {
  stop_ = ReplayStop{line_number_, std::move(message)};
  return *stop_;
}

}  // namespace polysim::engine
