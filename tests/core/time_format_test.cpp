#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace polysim {
namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

// Independent oracle: the standard library's calendar.
std::int64_t chrono_unix_micros(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  const sys_days date = year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  return date.time_since_epoch().count() * kMicrosPerDay;
}

std::string midnight(int year, unsigned month, unsigned day) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT00:00:00.000Z", year, month, day);
  return buffer;
}

TEST(FormatRfc3339Test, Examples) {
  EXPECT_EQ(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_millis(chrono_unix_micros(2026, 11, 23) +
                                  ((23 * 60 + 45) * 60 + 22) * std::int64_t{1'000'000} + 123'000),
            "2026-11-23T23:45:22.123Z");
  EXPECT_EQ(format_rfc3339_millis(1'795'000'000'000'000), "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(format_rfc3339_millis(chrono_unix_micros(2024, 2, 29) + kMicrosPerDay - 1), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_millis(chrono_unix_micros(2000, 3, 1)), "2000-03-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_millis(chrono_unix_micros(9999, 12, 31) + kMicrosPerDay - 1), "9999-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339Test, TruncatesMicrosTowardThePast) {
  EXPECT_EQ(format_rfc3339_millis(123'999), "1970-01-01T00:00:00.123Z");
  EXPECT_EQ(format_rfc3339_millis(999), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_millis(-1'000), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_millis(-1'001), "1969-12-31T23:59:59.998Z");
}

TEST(FormatRfc3339Test, RejectsYearsBeyondFourDigits) {
  EXPECT_THROW(format_rfc3339_millis(chrono_unix_micros(9999, 12, 31) + kMicrosPerDay), std::out_of_range);
  EXPECT_THROW(format_rfc3339_millis(chrono_unix_micros(0, 1, 1) - 1), std::out_of_range);
  EXPECT_EQ(format_rfc3339_millis(chrono_unix_micros(0, 1, 1)), "0000-01-01T00:00:00.000Z");
  EXPECT_THROW(format_rfc3339_millis(std::numeric_limits<std::int64_t>::max()), std::out_of_range);
  EXPECT_THROW(format_rfc3339_millis(std::numeric_limits<std::int64_t>::min()), std::out_of_range);
}

// Every day of years 0000-9999 against the standard library, both directions.
TEST(Rfc3339CalendarTest, AgreesWithStdChronoForEveryDay) {
  using namespace std::chrono;
  const sys_days first = year_month_day{std::chrono::year{0}, January, std::chrono::day{1}};
  const sys_days last = year_month_day{std::chrono::year{9999}, December, std::chrono::day{31}};
  int failures = 0;
  for (sys_days day = first; day <= last && failures < 5; day += days{1}) {
    const year_month_day date{day};
    const std::string text =
        midnight(static_cast<int>(date.year()), static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    const std::int64_t micros = day.time_since_epoch().count() * kMicrosPerDay;
    if (format_rfc3339_millis(micros) != text || parse_rfc3339(text) != micros) {
      ADD_FAILURE() << text << " formats as " << format_rfc3339_millis(micros);
      ++failures;
    }
  }
}

TEST(ParseRfc3339Test, Basic) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:01Z"), 1'000'000);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(parse_rfc3339("2026-11-23T23:45:22.123Z"),
            chrono_unix_micros(2026, 11, 23) + ((23 * 60 + 45) * 60 + 22) * std::int64_t{1'000'000} + 123'000);
  EXPECT_EQ(parse_rfc3339("2026-11-23t23:45:22.123z"), parse_rfc3339("2026-11-23T23:45:22.123Z"));
}

TEST(ParseRfc3339Test, FractionDigits) {
  const std::int64_t base = *parse_rfc3339("2026-01-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.1Z"), base + 100'000);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.12Z"), base + 120'000);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.000001Z"), base + 1);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.123456Z"), base + 123'456);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.1234567Z"), base + 123'456);  // truncated, not rounded
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.999999999Z"), base + 999'999);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.000000000Z"), base);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.1234567890Z"), std::nullopt);  // ten digits
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.Z"), std::nullopt);
}

TEST(ParseRfc3339Test, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(parse_rfc3339("2026-11-24T00:45:22.123+01:00"), parse_rfc3339("2026-11-23T23:45:22.123Z"));
  EXPECT_EQ(parse_rfc3339("2026-11-23T18:15:22-05:30"), parse_rfc3339("2026-11-23T23:45:22Z"));
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00+00:00"), parse_rfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00-00:00"), parse_rfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00+23:59"), -(23 * 3600 + 59 * 60) * std::int64_t{1'000'000});
  EXPECT_EQ(parse_rfc3339("2024-02-28T23:30:00-01:00"), parse_rfc3339("2024-02-29T00:30:00Z"));
  EXPECT_EQ(parse_rfc3339("2025-01-01T00:30:00+01:00"), parse_rfc3339("2024-12-31T23:30:00Z"));
}

TEST(ParseRfc3339Test, LeapDays) {
  EXPECT_EQ(parse_rfc3339("2024-02-29T12:00:00Z"),
            chrono_unix_micros(2024, 2, 29) + 12 * 3600 * std::int64_t{1'000'000});
  EXPECT_EQ(parse_rfc3339("2000-02-29T00:00:00Z"), chrono_unix_micros(2000, 2, 29));
  EXPECT_EQ(parse_rfc3339("2026-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("1900-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2024-02-30T00:00:00Z"), std::nullopt);
}

TEST(ParseRfc3339Test, RoundTripsWithFormat) {
  for (const std::string_view text :
       {"1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2026-11-23T23:45:22.123Z", "9999-12-31T23:59:59.999Z",
        "0000-01-01T00:00:00.000Z", "1969-07-20T20:17:40.000Z"}) {
    const auto micros = parse_rfc3339(text);
    ASSERT_TRUE(micros.has_value()) << text;
    EXPECT_EQ(format_rfc3339_millis(*micros), text);
  }
  for (const std::int64_t micros : {std::int64_t{0}, std::int64_t{1'795'000'000'123'000}, std::int64_t{-86'400'000'000},
                                    std::int64_t{253'402'300'799'999'000}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339_millis(micros)), micros);
  }
}

TEST(ParseRfc3339Test, RejectsMalformedOrOutOfRange) {
  const std::string_view rejected[] = {
      "",
      "2026-11-23",
      "2026-11-23T23:45Z",
      "2026-11-23T23:45:22",   // no offset
      "2026-11-23 23:45:22Z",  // space separator
      "2026-11-23_23:45:22Z",
      "2026-1-23T23:45:22Z",
      "26-11-23T23:45:22Z",
      "+2026-11-23T23:45:22Z",
      "20261123T234522Z",
      "2026/11/23T23:45:22Z",
      "2026-11-23T23.45.22Z",
      "2026-00-10T00:00:00Z",
      "2026-13-10T00:00:00Z",
      "2026-11-00T00:00:00Z",
      "2026-11-31T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-01-32T00:00:00Z",
      "2026-11-23T24:00:00Z",
      "2026-11-23T23:60:00Z",
      "2026-11-23T23:59:60Z",  // leap seconds are not accepted
      "2026-11-23T23:59:61Z",
      "2026-11-23T23:45:22UTC",
      "2026-11-23T23:45:22Z ",
      " 2026-11-23T23:45:22Z",
      "2026-11-23T23:45:22ZZ",
      "2026-11-23T23:45:22+0100",
      "2026-11-23T23:45:22+01",
      "2026-11-23T23:45:22+1:00",
      "2026-11-23T23:45:22+01:0",
      "2026-11-23T23:45:22+24:00",
      "2026-11-23T23:45:22+01:60",
      "2026-11-23T23:45:22+01:00Z",
      "2026-11-23T23:45:22.+01:00",
      "2026-11-23T23:45:22,123Z",
      "2026-11-23T23:45:22.12a3Z",
      "2026-11-23T-3:45:22Z",
      "2026-11-23T23:45:22-",
      "2026-11-23T23:45:22\0Z",
  };
  for (const std::string_view text : rejected) EXPECT_EQ(parse_rfc3339(text), std::nullopt) << text;
  EXPECT_EQ(parse_rfc3339(std::string_view("2026-11-23T23:45:22Z\0", 21)), std::nullopt);
}

}  // namespace
}  // namespace polysim
