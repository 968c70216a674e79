// The replay feed's line format and schedule (40-trading-engine.md §3.4): the spec's example
// lines, defaults, one error message per way a line can be wrong, ts monotonicity with the
// stopping line number, and due offsets for each kind of speed.
#include "engine/replay_script.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace polysim::engine {
namespace {

constexpr std::int64_t kShare = 1'000'000;
constexpr std::int64_t kT0 = 1'795'435'200'000'000;  // 2026-11-23T12:00:00Z in Unix µs

constexpr std::string_view kExampleMarket =
    R"({"ts":"2026-11-23T12:00:00.000Z","type":"market","slug":"rain-london-2026-12-01","question":"Rain in London on 1 Dec?","category":"weather","tick_size":"0.01"})";
constexpr std::string_view kExampleBook =
    R"({"ts":"2026-11-23T12:00:00.500Z","market":"rain-london-2026-12-01","outcome":"YES","mirror":true,"bids":[["0.55","300"]],"asks":[["0.56","100"]]})";

template <class Event>
Event parsed_as(std::string_view line) {
  auto parsed = parse_replay_line(line);
  if (auto* error = std::get_if<ReplayLineError>(&parsed)) ADD_FAILURE() << "unexpected error: " << error->message;
  const auto* event = std::get_if<ReplayEvent>(&parsed);
  if (!event || !std::holds_alternative<Event>(*event)) {
    ADD_FAILURE() << "not the expected event type: " << line;
    return Event{};
  }
  return std::get<Event>(*event);
}

std::string error_of(std::string_view line) {
  auto parsed = parse_replay_line(line);
  if (auto* error = std::get_if<ReplayLineError>(&parsed)) return error->message;
  return "(parsed without error)";
}

void expect_levels(const std::vector<BookLevel>& actual, const std::vector<BookLevel>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].price, expected[i].price) << "level " << i;
    EXPECT_EQ(actual[i].size, expected[i].size) << "level " << i;
  }
}

ReplaySpeed speed(std::string_view text) {
  auto parsed = parse_replay_speed(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(ReplaySpeed::max());
}

// A book line at `ts` for the example market, otherwise valid.
std::string book_at(std::string_view ts) {
  return R"({"ts":")" + std::string(ts) + R"(","market":"m","outcome":"YES","bids":[["0.4","1"]]})";
}

std::string book_with(std::string_view fields) {
  return R"({"ts":"2026-11-23T12:00:00Z","market":"m","outcome":"YES",)" + std::string(fields) + "}";
}

std::string levels_json(int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) out += std::string(i ? "," : "") + R"(["0.)" + std::to_string(99 - i) + R"(","1"])";
  return out + "]";
}

// --- the spec's examples and defaults -------------------------------------------------------

TEST(EngineReplayScript, SpecMarketExampleParsesToItsFields) {
  const auto market = parsed_as<ReplayMarket>(kExampleMarket);
  EXPECT_EQ(market.ts, kT0);
  EXPECT_EQ(market.slug, "rain-london-2026-12-01");
  EXPECT_EQ(market.question, "Rain in London on 1 Dec?");
  EXPECT_EQ(market.category, "weather");
  EXPECT_EQ(market.tick_size, 10'000);
  EXPECT_EQ(market.min_order_size, std::nullopt);
  EXPECT_EQ(market.taker_fee_bps, std::nullopt);
  EXPECT_EQ(market.maker_fee_bps, std::nullopt);
  EXPECT_EQ(market.end_date, std::nullopt);
  EXPECT_EQ(market.stale_after_s, std::nullopt);
  EXPECT_EQ(market.yes_label, std::nullopt);
  EXPECT_EQ(market.no_label, std::nullopt);
}

TEST(EngineReplayScript, SpecBookExampleParsesToMicros) {
  const auto book = parsed_as<ReplayBook>(kExampleBook);
  EXPECT_EQ(book.ts, kT0 + 500'000);
  EXPECT_EQ(book.market, "rain-london-2026-12-01");
  EXPECT_EQ(book.outcome, "YES");
  EXPECT_TRUE(book.mirror);
  expect_levels(book.bids, {{550'000, 300 * kShare}});
  expect_levels(book.asks, {{560'000, 100 * kShare}});
}

TEST(EngineReplayScript, TypeDefaultsToBookAndMirrorToTrueAndMissingSidesToEmpty) {
  const auto book = parsed_as<ReplayBook>(R"({"ts":"2026-11-23T12:00:01Z","market":"m","outcome":"NO"})");
  EXPECT_EQ(book.ts, kT0 + 1'000'000);
  EXPECT_EQ(book.market, "m");
  EXPECT_EQ(book.outcome, "NO");
  EXPECT_TRUE(book.mirror);
  EXPECT_TRUE(book.bids.empty());
  EXPECT_TRUE(book.asks.empty());
}

TEST(EngineReplayScript, ExplicitBookTypeAndMirrorFalse) {
  const auto book = parsed_as<ReplayBook>(
      R"({"ts":"2026-11-23T12:00:00Z","type":"book","market":"m","outcome":"YES","mirror":false,"asks":[["0.9","1.5"]]})");
  EXPECT_FALSE(book.mirror);
  expect_levels(book.asks, {{900'000, 1'500'000}});
}

TEST(EngineReplayScript, NumberTokensReadExactlyLikeStrings) {
  const auto book = parsed_as<ReplayBook>(
      R"({"ts":"2026-11-23T12:00:00Z","market":"m","outcome":"YES","bids":[[0.55,300],["0.54",400.5]],"asks":[[0.999999,"0.000001"]]})");
  expect_levels(book.bids, {{550'000, 300 * kShare}, {540'000, 400'500'000}});
  expect_levels(book.asks, {{999'999, 1}});
}

TEST(EngineReplayScript, FiftyLevelsPerSideAreAccepted) {
  const auto book = parsed_as<ReplayBook>(book_with(R"("bids":)" + levels_json(50)));
  ASSERT_EQ(book.bids.size(), 50u);
  EXPECT_EQ(book.bids.front().price, 990'000);
  EXPECT_EQ(book.bids.back().price, 500'000);
}

TEST(EngineReplayScript, MarketLineWithEveryOptionalField) {
  const auto market = parsed_as<ReplayMarket>(
      R"({"ts":"2026-11-23T12:00:00+01:00","type":"market","slug":"fed-cut","question":"Fed cut in December? é","tick_size":0.001,"min_order_size":"2.5","taker_fee_bps":120,"maker_fee_bps":0,"end_date":"2026-12-31T23:59:59Z","stale_after":0,"yes_label":"Cut","no_label":"Hold"})");
  EXPECT_EQ(market.ts, kT0 - 3'600'000'000);
  EXPECT_EQ(market.slug, "fed-cut");
  EXPECT_EQ(market.question, "Fed cut in December? é");
  EXPECT_EQ(market.category, "other");
  EXPECT_EQ(market.tick_size, 1'000);
  EXPECT_EQ(market.min_order_size, 2'500'000);
  EXPECT_EQ(market.taker_fee_bps, 120);
  EXPECT_EQ(market.maker_fee_bps, 0);
  EXPECT_EQ(market.end_date, 1'798'761'599'000'000);
  EXPECT_EQ(market.stale_after_s, 0);
  EXPECT_EQ(market.yes_label, "Cut");
  EXPECT_EQ(market.no_label, "Hold");
}

TEST(EngineReplayScript, NullEndDateAndLabelsMeanNone) {
  const auto market = parsed_as<ReplayMarket>(
      R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"a","question":"Q","end_date":null,"yes_label":null})");
  EXPECT_EQ(market.end_date, std::nullopt);
  EXPECT_EQ(market.yes_label, std::nullopt);
  EXPECT_EQ(market.tick_size, std::nullopt);
}

TEST(EngineReplayScript, StatusAndResolveLines) {
  const auto closed = parsed_as<ReplayStatus>(
      R"({"ts":"2026-11-23T12:00:02Z","type":"status","market":"rain-london-2026-12-01","status":"closed"})");
  EXPECT_EQ(closed.ts, kT0 + 2'000'000);
  EXPECT_EQ(closed.market, "rain-london-2026-12-01");
  EXPECT_EQ(closed.status, "closed");
  EXPECT_EQ(
      parsed_as<ReplayStatus>(R"({"ts":"2026-11-23T12:00:02Z","type":"status","market":"m","status":"open"})").status,
      "open");
  const auto resolved =
      parsed_as<ReplayResolve>(R"({"ts":"2026-11-23T12:00:03Z","type":"resolve","market":"m","outcome":"NO"})");
  EXPECT_EQ(resolved.ts, kT0 + 3'000'000);
  EXPECT_EQ(resolved.market, "m");
  EXPECT_EQ(resolved.outcome, "NO");
}

// --- invalid lines --------------------------------------------------------------------------

struct InvalidLineCase {
  const char* name;
  std::string line;
  std::string message;
};

std::string market_with(std::string_view fields) {
  return R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"s","question":"Q",)" + std::string(fields) + "}";
}

// Failures name the case instead of dumping its bytes.
void PrintTo(const InvalidLineCase& c, std::ostream* os) { *os << c.name; }

class EngineReplayInvalidLine : public ::testing::TestWithParam<InvalidLineCase> {};

TEST_P(EngineReplayInvalidLine, SaysWhatIsWrong) { EXPECT_EQ(error_of(GetParam().line), GetParam().message); }

INSTANTIATE_TEST_SUITE_P(
    Lines, EngineReplayInvalidLine,
    ::testing::Values(
        InvalidLineCase{"BadJson", R"({"ts":"2026-11-23T12:00:00Z",)", "invalid JSON"},
        InvalidLineCase{"TrailingData", R"({"ts":"2026-11-23T12:00:00Z"} x)", "invalid JSON"},
        InvalidLineCase{"DuplicateKey", R"({"ts":"2026-11-23T12:00:00Z","ts":"2026-11-23T12:00:00Z"})",
                        "duplicate key 'ts'"},
        InvalidLineCase{"NotAnObject", R"([1,2])", "line must be a JSON object"},
        InvalidLineCase{"Blank", "  \t", "blank line"},
        InvalidLineCase{"TooLong", R"({"ts":")" + std::string(70'000, 'x') + R"("})", "line longer than 65536 bytes"},
        InvalidLineCase{"MissingTs", R"({"market":"m","outcome":"YES"})", "missing ts"},
        InvalidLineCase{"NumericTs", R"({"ts":1795435200,"market":"m","outcome":"YES"})", "ts must be a string"},
        InvalidLineCase{"TsWithoutZone", R"({"ts":"2026-11-23T12:00:00","market":"m","outcome":"YES"})",
                        "ts must be an RFC 3339 time such as 2026-11-23T12:00:00.000Z"},
        InvalidLineCase{"TsNoSuchDay", R"({"ts":"2026-02-29T12:00:00Z","market":"m","outcome":"YES"})",
                        "ts must be an RFC 3339 time such as 2026-11-23T12:00:00.000Z"},
        InvalidLineCase{"UnknownType", R"({"ts":"2026-11-23T12:00:00Z","type":"trade"})",
                        R"(unknown type "trade" (book, market, status or resolve))"},
        InvalidLineCase{"TypeNotString", R"({"ts":"2026-11-23T12:00:00Z","type":1})", "type must be a string"},
        InvalidLineCase{"MissingMarket", R"({"ts":"2026-11-23T12:00:00Z","outcome":"YES"})", "missing market"},
        InvalidLineCase{"EmptyMarket", R"({"ts":"2026-11-23T12:00:00Z","market":"","outcome":"YES"})",
                        "market must be a slug or market id"},
        InvalidLineCase{"MissingOutcome", R"({"ts":"2026-11-23T12:00:00Z","market":"m"})", "missing outcome"},
        InvalidLineCase{"LowercaseOutcome", R"({"ts":"2026-11-23T12:00:00Z","market":"m","outcome":"yes"})",
                        "outcome must be YES or NO"},
        InvalidLineCase{"UnknownBookField", book_with(R"("bid":[])"), R"(unknown field "bid" on a book line)"},
        InvalidLineCase{"MirrorNotBool", book_with(R"("mirror":"true")"), "mirror must be true or false"},
        InvalidLineCase{"SideNotArray", book_with(R"("bids":{})"), "bids must be an array of [price, size] pairs"},
        InvalidLineCase{"LevelNotPair", book_with(R"("bids":[["0.5"]])"), "bids must hold [price, size] pairs"},
        InvalidLineCase{"LevelTriple", book_with(R"("asks":[["0.5","1","2"]])"), "asks must hold [price, size] pairs"},
        InvalidLineCase{"PriceZero", book_with(R"("bids":[["0","1"]])"), "bids[0] price must be inside (0, 1)"},
        InvalidLineCase{"PriceOne", book_with(R"("asks":[["0.5","1"],["1","1"]])"),
                        "asks[1] price must be inside (0, 1)"},
        InvalidLineCase{"PriceAboveOne", book_with(R"("asks":[["1.5","1"]])"), "asks[0] price must be inside (0, 1)"},
        InvalidLineCase{"PriceNegative", book_with(R"("bids":[["-0.5","1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"PriceTooPrecise", book_with(R"("bids":[["0.5000001","1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"PriceExponent", book_with(R"("bids":[[5e-1,"1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"PriceEmpty", book_with(R"("bids":[["","1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"PriceBool", book_with(R"("bids":[[true,"1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"SizeZero", book_with(R"("bids":[["0.5","0"]])"), "bids[0] size must be positive"},
        InvalidLineCase{"SizeNegative", book_with(R"("bids":[["0.5","-1"]])"),
                        "bids prices and sizes must be decimal strings"},
        InvalidLineCase{"SizeAboveShareRange", book_with(R"("bids":[["0.5","1000000000000.000001"]])"),
                        "bids[0] size is out of range"},
        InvalidLineCase{"SizeNull", book_with(R"("asks":[["0.5",null]])"),
                        "asks prices and sizes must be decimal strings"},
        InvalidLineCase{"FiftyOneLevels", book_with(R"("bids":)" + levels_json(51)), "bids has more than 50 levels"},
        InvalidLineCase{"BidsAscending", book_with(R"("bids":[["0.4","1"],["0.5","1"]])"),
                        "bids must be sorted best first without duplicates"},
        InvalidLineCase{"DuplicateAsk", book_with(R"("asks":[["0.6","1"],["0.6","2"]])"),
                        "asks must be sorted best first without duplicates"},
        InvalidLineCase{"Crossed", book_with(R"("bids":[["0.6","1"]],"asks":[["0.6","1"]])"),
                        "best bid must be below best ask"},
        InvalidLineCase{"MarketMissingSlug", R"({"ts":"2026-11-23T12:00:00Z","type":"market","question":"Q"})",
                        "missing slug"},
        InvalidLineCase{"MarketBadSlug",
                        R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"Rain","question":"Q"})",
                        "slug must match ^[a-z0-9][a-z0-9-]{0,99}$"},
        InvalidLineCase{"MarketSlugLeadingDash",
                        R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"-a","question":"Q"})",
                        "slug must match ^[a-z0-9][a-z0-9-]{0,99}$"},
        InvalidLineCase{"MarketMissingQuestion", R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"s"})",
                        "missing question"},
        InvalidLineCase{
            "MarketQuestionTooLong",
            R"({"ts":"2026-11-23T12:00:00Z","type":"market","slug":"s","question":")" + std::string(501, 'q') + R"("})",
            "question must be 1-500 characters"},
        InvalidLineCase{"MarketUppercaseCategory", market_with(R"("category":"Weather")"),
                        "category must be a lowercase string of 1-50 bytes"},
        InvalidLineCase{"MarketOffListTick", market_with(R"("tick_size":"0.02")"),
                        "tick_size must be 0.1, 0.01, 0.001 or 0.0001"},
        InvalidLineCase{"MarketZeroMinSize", market_with(R"("min_order_size":"0")"),
                        "min_order_size must be a positive number of shares"},
        InvalidLineCase{"MarketFeeAboveRange", market_with(R"("taker_fee_bps":10001)"),
                        "taker_fee_bps must be an integer 0-10000"},
        InvalidLineCase{"MarketFeeAsString", market_with(R"("maker_fee_bps":"5")"),
                        "maker_fee_bps must be an integer 0-10000"},
        InvalidLineCase{"MarketBadEndDate", market_with(R"("end_date":"tomorrow")"),
                        "end_date must be an RFC 3339 time such as 2026-11-23T12:00:00.000Z"},
        InvalidLineCase{"MarketStaleAfterNegative", market_with(R"("stale_after":-1)"),
                        "stale_after must be an integer 0-86400"},
        InvalidLineCase{"MarketEmptyLabel", market_with(R"("no_label":"")"),
                        "no_label must be a string of 1-200 bytes or null"},
        InvalidLineCase{"MarketFeedField", market_with(R"("feed":"sim")"), R"(unknown field "feed" on a market line)"},
        InvalidLineCase{"StatusResolved",
                        R"({"ts":"2026-11-23T12:00:00Z","type":"status","market":"m","status":"resolved"})",
                        "status must be open or closed"},
        InvalidLineCase{"StatusMissing", R"({"ts":"2026-11-23T12:00:00Z","type":"status","market":"m"})",
                        "missing status"},
        InvalidLineCase{"ResolveBadOutcome",
                        R"({"ts":"2026-11-23T12:00:00Z","type":"resolve","market":"m","outcome":"50-50"})",
                        "outcome must be YES or NO"},
        InvalidLineCase{"ResolveWithBook",
                        R"({"ts":"2026-11-23T12:00:00Z","type":"resolve","market":"m","outcome":"YES","bids":[]})",
                        R"(unknown field "bids" on a resolve line)"}),
    [](const ::testing::TestParamInfo<InvalidLineCase>& info) { return std::string(info.param.name); });

// --- speed ----------------------------------------------------------------------------------

TEST(EngineReplaySpeed, ParsesDecimalsAsMicroFactors) {
  EXPECT_EQ(speed("1").factor_micros(), 1'000'000);
  EXPECT_EQ(speed("2").factor_micros(), 2'000'000);
  EXPECT_EQ(speed("0.5").factor_micros(), 500'000);
  EXPECT_EQ(speed("0.000001").factor_micros(), 1);
  EXPECT_EQ(speed("10000").factor_micros(), 10'000'000'000);
  EXPECT_EQ(speed("10000.000000").factor_micros(), 10'000'000'000);
  EXPECT_FALSE(speed("1").is_max());
}

TEST(EngineReplaySpeed, MaxIsItsOwnValue) {
  const auto max = parse_replay_speed("max");
  ASSERT_TRUE(max);
  EXPECT_TRUE(max->is_max());
  EXPECT_EQ(max->factor_micros(), std::nullopt);
  EXPECT_EQ(*max, ReplaySpeed::max());
}

TEST(EngineReplaySpeed, RejectsOutOfRangeAndGarbage) {
  for (std::string_view text :
       {"0",  "0.0", "0.000000", "-1", "-0.5", "10000.000001", "10001",   "0.0000001", "1e3", "+1", " 1",
        "1 ", ".5",  "5.",       "",   "MAX",  "Max",          "maximum", "fast",      "NaN", "inf"})
    EXPECT_EQ(parse_replay_speed(text), std::nullopt) << '"' << text << '"';
}

TEST(EngineReplaySpeed, DueOffsetDividesScriptTimeBySpeedRoundingDown) {
  EXPECT_EQ(speed("1").due_offset(500'000), 500'000);
  EXPECT_EQ(speed("2").due_offset(500'000), 250'000);
  EXPECT_EQ(speed("0.5").due_offset(500'000), 1'000'000);
  EXPECT_EQ(speed("3").due_offset(1'000), 333);
  EXPECT_EQ(speed("10000").due_offset(86'400'000'000), 8'640'000);
  EXPECT_EQ(ReplaySpeed::max().due_offset(86'400'000'000), 0);
  EXPECT_EQ(speed("1").due_offset(0), 0);
}

// --- the script -----------------------------------------------------------------------------

template <class Step>
Step step_as(ReplayScript& script, std::string_view line) {
  auto step = script.next(line);
  if (auto* stop = std::get_if<ReplayStop>(&step); stop && !std::is_same_v<Step, ReplayStop>)
    ADD_FAILURE() << "stopped at line " << stop->line_number << ": " << stop->message;
  if (!std::holds_alternative<Step>(step)) {
    ADD_FAILURE() << "unexpected step for: " << line;
    return Step{};
  }
  return std::get<Step>(std::move(step));
}

std::vector<std::int64_t> due_offsets(std::string_view speed_text) {
  ReplayScript script(speed(speed_text));
  std::vector<std::int64_t> out;
  for (const auto& line : {std::string(kExampleMarket), std::string(kExampleBook), book_at("2026-11-23T12:00:01.500Z"),
                           book_at("2026-11-23T12:01:00Z")})
    out.push_back(step_as<ScheduledReplayEvent>(script, line).due_offset_micros);
  return out;
}

TEST(EngineReplayScript, DueOffsetsAtSpeedOne) {
  EXPECT_EQ(due_offsets("1"), (std::vector<std::int64_t>{0, 500'000, 1'500'000, 60'000'000}));
}

TEST(EngineReplayScript, DueOffsetsAtSpeedTwo) {
  EXPECT_EQ(due_offsets("2"), (std::vector<std::int64_t>{0, 250'000, 750'000, 30'000'000}));
}

TEST(EngineReplayScript, DueOffsetsAtSpeedHalf) {
  EXPECT_EQ(due_offsets("0.5"), (std::vector<std::int64_t>{0, 1'000'000, 3'000'000, 120'000'000}));
}

TEST(EngineReplayScript, DueOffsetsAtMaxAreAllZero) {
  EXPECT_EQ(due_offsets("max"), (std::vector<std::int64_t>{0, 0, 0, 0}));
}

TEST(EngineReplayScript, OffsetsCountFromTheFirstEventNotFromTheEpoch) {
  ReplayScript script(speed("1"));
  const auto first = step_as<ScheduledReplayEvent>(script, book_at("2030-01-01T00:00:10Z"));
  EXPECT_EQ(first.line_number, 1);
  EXPECT_EQ(first.due_offset_micros, 0);
  EXPECT_EQ(step_as<ScheduledReplayEvent>(script, book_at("2030-01-01T00:00:12.250Z")).due_offset_micros, 2'250'000);
}

TEST(EngineReplayScript, ReturnsTheParsedEventWithItsLineNumber) {
  ReplayScript script(speed("1"));
  const auto market = step_as<ScheduledReplayEvent>(script, kExampleMarket);
  EXPECT_EQ(market.line_number, 1);
  ASSERT_TRUE(std::holds_alternative<ReplayMarket>(market.event));
  EXPECT_EQ(std::get<ReplayMarket>(market.event).slug, "rain-london-2026-12-01");
  const auto book = step_as<ScheduledReplayEvent>(script, kExampleBook);
  EXPECT_EQ(book.line_number, 2);
  ASSERT_TRUE(std::holds_alternative<ReplayBook>(book.event));
  expect_levels(std::get<ReplayBook>(book.event).bids, {{550'000, 300 * kShare}});
  EXPECT_EQ(replay_event_ts(book.event), kT0 + 500'000);
}

TEST(EngineReplayScript, EqualTimestampsAreFineAndKeepTheirOffset) {
  ReplayScript script(speed("1"));
  step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:00Z"));
  EXPECT_EQ(step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:01Z")).due_offset_micros, 1'000'000);
  const auto same = step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:01Z"));
  EXPECT_EQ(same.line_number, 3);
  EXPECT_EQ(same.due_offset_micros, 1'000'000);
  // The same instant written in another zone is the same ts.
  EXPECT_EQ(step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T13:00:01+01:00")).due_offset_micros, 1'000'000);
}

TEST(EngineReplayScript, DecreasingTsStopsAtThatLineAndStaysStopped) {
  ReplayScript script(speed("1"));
  step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:00Z"));
  step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:02Z"));
  // Later than ts_0 but earlier than the previous line: still backwards.
  const auto stop = step_as<ReplayStop>(script, book_at("2026-11-23T12:00:01.999Z"));
  EXPECT_EQ(stop.line_number, 3);
  EXPECT_EQ(stop.message, "ts goes back in time: it is before the previous event's ts");
  ASSERT_TRUE(script.stop());
  EXPECT_EQ(script.stop()->line_number, 3);
  // A valid later line is not applied: the replay has stopped.
  const auto again = step_as<ReplayStop>(script, book_at("2026-11-23T12:00:05Z"));
  EXPECT_EQ(again.line_number, 3);
  EXPECT_EQ(again.message, stop.message);
  EXPECT_EQ(script.lines_read(), 3);
}

TEST(EngineReplayScript, InvalidLineStopsWithItsLineNumberAndMessage) {
  ReplayScript script(speed("max"));
  step_as<ScheduledReplayEvent>(script, kExampleMarket);
  step_as<ScheduledReplayEvent>(script, kExampleBook);
  const auto stop = step_as<ReplayStop>(script, book_with(R"("bids":[["1","300"]])"));
  EXPECT_EQ(stop.line_number, 3);
  EXPECT_EQ(stop.message, "bids[0] price must be inside (0, 1)");
}

TEST(EngineReplayScript, InvalidFirstLineStopsAtLineOne) {
  ReplayScript script(speed("1"));
  const auto stop = step_as<ReplayStop>(script, "not json");
  EXPECT_EQ(stop.line_number, 1);
  EXPECT_EQ(stop.message, "invalid JSON");
}

TEST(EngineReplayScript, BlankLinesAreSkippedButCounted) {
  ReplayScript script(speed("1"));
  EXPECT_EQ(step_as<SkippedReplayLine>(script, "").line_number, 1);
  const auto first = step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:00Z"));
  EXPECT_EQ(first.line_number, 2);
  EXPECT_EQ(first.due_offset_micros, 0);
  EXPECT_EQ(step_as<SkippedReplayLine>(script, " \t\r").line_number, 3);
  const auto later = step_as<ScheduledReplayEvent>(script, book_at("2026-11-23T12:00:00.250Z") + "\r");
  EXPECT_EQ(later.line_number, 4);
  EXPECT_EQ(later.due_offset_micros, 250'000);
  EXPECT_FALSE(script.stop());
}

TEST(EngineReplayScript, AnOffsetBeyondInt64StopsInsteadOfWrapping) {
  ReplayScript script(speed("0.000001"));
  step_as<ScheduledReplayEvent>(script, book_at("2000-01-01T00:00:00Z"));
  // One day is 8.64e10 µs; a millionth of the speed makes it 8.64e16 µs, which fits.
  EXPECT_EQ(step_as<ScheduledReplayEvent>(script, book_at("2000-01-02T00:00:00Z")).due_offset_micros,
            86'400'000'000'000'000);
  // 300 years of script time at that speed is about 9.5e21 µs: past int64.
  const auto stop = step_as<ReplayStop>(script, book_at("2300-01-01T00:00:00Z"));
  EXPECT_EQ(stop.line_number, 3);
  EXPECT_EQ(stop.message, "ts is too far after the first line's for this speed");
}

}  // namespace
}  // namespace polysim::engine
