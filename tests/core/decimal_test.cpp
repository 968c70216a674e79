#include "core/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace polysim {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

template <typename A, typename B>
concept Addable = requires(A a, B b) {
  add(a, b);
};

TEST(FixedTest, DistinctTagsDoNotMix) {
  static_assert(Addable<UsdMicros, UsdMicros>);
  static_assert(!Addable<UsdMicros, PriceMicros>);
  static_assert(!Addable<ShareMicros, PriceMicros>);
  static_assert(!std::is_convertible_v<std::int64_t, UsdMicros>);
  static_assert(!std::is_convertible_v<UsdMicros, PriceMicros>);
  static_assert(sizeof(UsdMicros) == sizeof(std::int64_t));
}

TEST(FixedTest, ComparesByValue) {
  EXPECT_EQ(UsdMicros(5), UsdMicros(5));
  EXPECT_NE(UsdMicros(5), UsdMicros(6));
  EXPECT_LT(PriceMicros(-1), PriceMicros(0));
  EXPECT_GT(ShareMicros(kMax), ShareMicros(kMax - 1));
  EXPECT_EQ(UsdMicros().micros(), 0);
  EXPECT_EQ(UsdMicros(1'500'000).micros(), 1'500'000);
}

TEST(FixedTest, CheckedAddAndSub) {
  EXPECT_EQ(add(UsdMicros(1'000'000), UsdMicros(250'000)), UsdMicros(1'250'000));
  EXPECT_EQ(sub(UsdMicros(1'000'000), UsdMicros(1'250'000)), UsdMicros(-250'000));
  EXPECT_EQ(add(UsdMicros(kMax), UsdMicros(1)), std::nullopt);
  EXPECT_EQ(sub(UsdMicros(kMin), UsdMicros(1)), std::nullopt);
  EXPECT_EQ(sub(ShareMicros(0), ShareMicros(kMin)), std::nullopt);
}

TEST(CheckedArithmeticTest, AddSubOverflow) {
  EXPECT_EQ(add(2, 3), 5);
  EXPECT_EQ(add(kMax, 0), kMax);
  EXPECT_EQ(add(kMax, 1), std::nullopt);
  EXPECT_EQ(add(kMin, -1), std::nullopt);
  EXPECT_EQ(add(kMin, kMax), -1);
  EXPECT_EQ(sub(5, 7), -2);
  EXPECT_EQ(sub(kMin, 1), std::nullopt);
  EXPECT_EQ(sub(kMax, -1), std::nullopt);
  EXPECT_EQ(sub(-1, kMax), kMin);
}

struct MulDivCase {
  std::int64_t a, b, d;
  Rounding rounding;
  std::optional<std::int64_t> expected;
};

TEST(MulDivTest, RoundingModes) {
  const MulDivCase cases[] = {
      // Exact quotients are untouched by every mode.
      {6, 1, 3, Rounding::Up, 2},
      {6, 1, 3, Rounding::Down, 2},
      {-6, 1, 3, Rounding::HalfUp, -2},
      {-6, 1, 3, Rounding::HalfEven, -2},
      // 7/3 = 2.33
      {7, 1, 3, Rounding::Up, 3},
      {7, 1, 3, Rounding::Down, 2},
      {7, 1, 3, Rounding::HalfUp, 2},
      {7, 1, 3, Rounding::HalfEven, 2},
      // 8/3 = 2.67
      {8, 1, 3, Rounding::Up, 3},
      {8, 1, 3, Rounding::Down, 2},
      {8, 1, 3, Rounding::HalfUp, 3},
      {8, 1, 3, Rounding::HalfEven, 3},
      // -7/3 = -2.33: Up and Down are directional, not toward/away from zero.
      {-7, 1, 3, Rounding::Up, -2},
      {-7, 1, 3, Rounding::Down, -3},
      {-7, 1, 3, Rounding::HalfUp, -2},
      {-7, 1, 3, Rounding::HalfEven, -2},
      // -8/3 = -2.67
      {-8, 1, 3, Rounding::Up, -2},
      {-8, 1, 3, Rounding::Down, -3},
      {-8, 1, 3, Rounding::HalfUp, -3},
      {-8, 1, 3, Rounding::HalfEven, -3},
      // Ties: 5/2 = 2.5, 7/2 = 3.5, -5/2, -7/2.
      {5, 1, 2, Rounding::HalfUp, 3},
      {5, 1, 2, Rounding::HalfEven, 2},
      {7, 1, 2, Rounding::HalfUp, 4},
      {7, 1, 2, Rounding::HalfEven, 4},
      {-5, 1, 2, Rounding::HalfUp, -3},
      {-5, 1, 2, Rounding::HalfEven, -2},
      {-7, 1, 2, Rounding::HalfEven, -4},
      {-5, 1, 2, Rounding::Up, -2},
      {-5, 1, 2, Rounding::Down, -3},
      // Sign carried by the divisor or by both operands.
      {7, 1, -3, Rounding::Up, -2},
      {7, 1, -3, Rounding::Down, -3},
      {-7, 1, -3, Rounding::Up, 3},
      {-7, 1, -3, Rounding::Down, 2},
      {5, 1, -2, Rounding::HalfUp, -3},
      {-5, -1, -2, Rounding::HalfEven, -2},
      // Results below one unit.
      {1, 1, 3, Rounding::Up, 1},
      {1, 1, 3, Rounding::Down, 0},
      {-1, 1, 3, Rounding::Up, 0},
      {-1, 1, 3, Rounding::Down, -1},
      {1, 1, 2, Rounding::HalfEven, 0},
      {3, 1, 2, Rounding::HalfEven, 2},
      // Price * shares in micros: 0.56 * 100 = 56.
      {560'000, 100'000'000, 1'000'000, Rounding::Down, 56'000'000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(mul_div(c.a, c.b, c.d, c.rounding), c.expected)
        << c.a << " * " << c.b << " / " << c.d << " mode " << static_cast<int>(c.rounding);
  }
}

TEST(MulDivTest, WideIntermediateAndOverflow) {
  // The product overflows int64 but the quotient does not.
  EXPECT_EQ(mul_div(kMax, kMax, kMax, Rounding::Down), kMax);
  EXPECT_EQ(mul_div(kMin, kMin, kMin, Rounding::Down), kMin);
  EXPECT_EQ(mul_div(kMax, 1'000'000, 1'000'000, Rounding::Up), kMax);
  EXPECT_EQ(mul_div(4'000'000'000'000'000'000, 4, 8, Rounding::Down), 2'000'000'000'000'000'000);
  // Results that leave int64.
  EXPECT_EQ(mul_div(kMax, 2, 1, Rounding::Down), std::nullopt);
  EXPECT_EQ(mul_div(kMin, -1, 1, Rounding::Down), std::nullopt);
  EXPECT_EQ(mul_div(kMin, 1, -1, Rounding::Down), std::nullopt);
  EXPECT_EQ(mul_div(kMin, 1, 1, Rounding::Down), kMin);
  EXPECT_EQ(mul_div(kMin, 1, -2, Rounding::Down), std::int64_t{1} << 62);
  EXPECT_EQ(mul_div(kMax, 3, 2, Rounding::Down), std::nullopt);
  EXPECT_EQ(mul_div(kMax, 2, 2, Rounding::Up), kMax);
  // Rounding itself can be what overflows: (2^64 - 1) / 2 truncates to INT64_MAX, remainder 1/2.
  constexpr std::int64_t two_32_minus_1 = 4'294'967'295;
  constexpr std::int64_t two_32_plus_1 = 4'294'967'297;
  EXPECT_EQ(mul_div(two_32_minus_1, two_32_plus_1, 2, Rounding::Down), kMax);
  EXPECT_EQ(mul_div(two_32_minus_1, two_32_plus_1, 2, Rounding::Up), std::nullopt);
  EXPECT_EQ(mul_div(two_32_minus_1, two_32_plus_1, 2, Rounding::HalfUp), std::nullopt);
  EXPECT_EQ(mul_div(two_32_minus_1, two_32_plus_1, 2, Rounding::HalfEven), std::nullopt);  // INT64_MAX is odd
  EXPECT_EQ(mul_div(-two_32_minus_1, two_32_plus_1, 2, Rounding::Down), kMin);
  EXPECT_EQ(mul_div(-two_32_minus_1, two_32_plus_1, 2, Rounding::HalfUp), kMin);
  EXPECT_EQ(mul_div(-two_32_minus_1, two_32_plus_1, 2, Rounding::Up), kMin + 1);
  // Division by zero.
  EXPECT_EQ(mul_div(1, 1, 0, Rounding::Up), std::nullopt);
  EXPECT_EQ(mul_div(0, 0, 0, Rounding::Down), std::nullopt);
}

TEST(ProductDivTest, OneRoundingOverManyFactors) {
  EXPECT_EQ(product_div({}, 1, Rounding::Down), 1);
  EXPECT_EQ(product_div({7}, 2, Rounding::HalfEven), 4);
  EXPECT_EQ(product_div({-7, 1, 1}, 2, Rounding::HalfUp), -4);
  EXPECT_EQ(product_div({1, 2, 3}, 0, Rounding::Up), std::nullopt);
  // Products beyond 128 bits are caught rather than wrapped.
  EXPECT_EQ(product_div({kMax, kMax, kMax}, 1, Rounding::Down), std::nullopt);
  EXPECT_EQ(product_div({kMin, kMin, kMin}, kMin, Rounding::Down), std::nullopt);
  // -2^127 is the one product whose negation does not fit; dividing it by -1 must not trap.
  EXPECT_EQ(product_div({kMin, kMin, -2}, -1, Rounding::Down), std::nullopt);
  EXPECT_EQ(product_div({kMin, kMin, -2}, kMin, Rounding::Down), std::nullopt);
  constexpr std::int64_t two_62 = std::int64_t{1} << 62;
  EXPECT_EQ(product_div({two_62, two_62, 2}, two_62, Rounding::Down), std::nullopt);  // 2^63
  EXPECT_EQ(product_div({-two_62, two_62, 2}, two_62, Rounding::Down), kMin);         // -2^63
  EXPECT_EQ(product_div({two_62, two_62, 2}, kMin, Rounding::Up), -two_62);
  EXPECT_EQ(product_div({two_62, two_62, 1}, two_62, Rounding::Down), two_62);
}

// Fee = rate * shares * p * (1 - p). Every factor is in micros, so the product carries 10^24 and
// dividing by 10^18 once returns USD micros with a single rounding.
TEST(FeeExamplesTest, RateTimesSharesTimesPTimesOneMinusP) {
  const std::int64_t rate = 50'000;                              // 0.05
  const std::int64_t shares = 100'000'000;                       // 100
  const std::int64_t price = 560'000;                            // 0.56
  const std::int64_t complement = kMicrosPerUnit - price;        // 0.44
  const std::int64_t scale_removed = 1'000'000'000'000'000'000;  // three extra 10^6 factors
  EXPECT_EQ(product_div({rate, shares, price, complement}, scale_removed, Rounding::Up), 1'232'000);
  EXPECT_EQ(product_div({rate, shares, price, complement}, scale_removed, Rounding::Down), 1'232'000);
  EXPECT_EQ(format_decimal(1'232'000, 2), "1.232");

  // The same as a chain of exact mul_div steps (divisor 1) with the one rounding at the end.
  const auto p_times_complement = mul_div(price, complement, 1, Rounding::Down);
  const auto rate_times_shares = mul_div(rate, shares, 1, Rounding::Down);
  ASSERT_TRUE(p_times_complement && rate_times_shares);
  EXPECT_EQ(mul_div(*p_times_complement, *rate_times_shares, scale_removed, Rounding::Up), 1'232'000);
}

TEST(FeeExamplesTest, ThreeSharesAtPoint333With500Bps) {
  const std::int64_t shares = 3'000'000;
  const std::int64_t price = 333'000;
  const std::int64_t complement = kMicrosPerUnit - price;  // 0.667
  const std::int64_t bps = 500;
  // micros^3 * bps carries 10^18 * 10^4; leaving 10^6 means dividing by 10^16.
  constexpr std::int64_t to_usd_micros = 10'000'000'000'000'000;

  // The exact fee is 0.03331665: at 10^8 scale the division has no remainder.
  EXPECT_EQ(product_div({shares, price, complement, bps}, to_usd_micros / 100, Rounding::Down), 3'331'665);
  EXPECT_EQ(product_div({shares, price, complement, bps}, to_usd_micros / 100, Rounding::Up), 3'331'665);

  EXPECT_EQ(product_div({shares, price, complement, bps}, to_usd_micros, Rounding::Up), 33'317);
  EXPECT_EQ(product_div({shares, price, complement, bps}, to_usd_micros, Rounding::Down), 33'316);
  EXPECT_EQ(product_div({shares, price, complement, bps}, to_usd_micros, Rounding::HalfUp), 33'317);
  EXPECT_EQ(format_decimal(33'317, 2), "0.033317");

  const auto p_times_complement = mul_div(price, complement, 1, Rounding::Down);
  const auto shares_times_bps = mul_div(shares, bps, 1, Rounding::Down);
  ASSERT_TRUE(p_times_complement && shares_times_bps);
  EXPECT_EQ(*p_times_complement, 222'111'000'000);
  EXPECT_EQ(mul_div(*p_times_complement, *shares_times_bps, to_usd_micros, Rounding::Up), 33'317);
}

struct AcceptCase {
  std::string_view text;
  int max_decimals;
  std::int64_t expected;
};

TEST(ParseDecimalTest, Accepts) {
  const AcceptCase cases[] = {
      {"0", 6, 0},
      {"0.5", 6, 500'000},
      {"10000", 2, 10'000'000'000},
      {"10000.00", 2, 10'000'000'000},
      {"1.000001", 6, 1'000'001},
      {"0.000001", 6, 1},
      {"007", 0, 7'000'000},
      {"00.5", 1, 500'000},
      {"123456789.123456", 6, 123'456'789'123'456},
      {"9223372036854.775807", 6, kMax},
      {"0000000000000000000000000000001", 0, 1'000'000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_decimal(c.text, c.max_decimals), c.expected) << c.text;
  }
}

TEST(ParseDecimalTest, NegativesOnlyWhenAllowed) {
  EXPECT_EQ(parse_decimal("-10.92025", 6, 6, NegativeValues::Allow), -10'920'250);
  EXPECT_EQ(parse_decimal("-0", 6, 6, NegativeValues::Allow), 0);
  EXPECT_EQ(parse_decimal("-9223372036854.775808", 6, 6, NegativeValues::Allow), kMin);
  EXPECT_EQ(parse_decimal("-9223372036854.775809", 6, 6, NegativeValues::Allow), std::nullopt);
  EXPECT_EQ(parse_decimal("-1", 6), std::nullopt);
  EXPECT_EQ(parse_decimal_or_error("-1", 6).error, DecimalParseError::NegativeNotAllowed);
  EXPECT_EQ(parse_decimal_or_error("-0", 6).error, DecimalParseError::NegativeNotAllowed);
  EXPECT_EQ(parse_decimal_or_error("--1", 6, 6, NegativeValues::Allow).error, DecimalParseError::Malformed);
  EXPECT_EQ(parse_decimal_or_error("-", 6, 6, NegativeValues::Allow).error, DecimalParseError::Malformed);
}

TEST(ParseDecimalTest, OtherScales) {
  EXPECT_EQ(parse_decimal("12.34", 2, 2), 1234);
  EXPECT_EQ(parse_decimal("500", 0, 0), 500);
  EXPECT_EQ(parse_decimal("0.5", 0, 0), std::nullopt);
  EXPECT_EQ(parse_decimal("9.223372036854775807", 18, 18), kMax);
  EXPECT_EQ(parse_decimal("9.223372036854775808", 18, 18), std::nullopt);
  EXPECT_EQ(parse_decimal("9223372036854775807", 0, 0), kMax);
  EXPECT_EQ(parse_decimal("9223372036854775808", 0, 0), std::nullopt);
  EXPECT_THROW(parse_decimal("1", 7, 6), std::invalid_argument);
  EXPECT_THROW(parse_decimal("1", -1, 6), std::invalid_argument);
  EXPECT_THROW(parse_decimal("1", 2, 19), std::invalid_argument);
}

struct RejectCase {
  std::string_view text;
  DecimalParseError expected;
};

TEST(ParseDecimalTest, Rejects) {
  using enum DecimalParseError;
  const RejectCase cases[] = {
      {"", Empty},
      {"+1", Malformed},
      {"1e5", Malformed},
      {"1E5", Malformed},
      {" 1", Malformed},
      {"1 ", Malformed},
      {"1\n", Malformed},
      {"NaN", Malformed},
      {"nan", Malformed},
      {"Infinity", Malformed},
      {"-Infinity", Malformed},
      {".5", Malformed},
      {"5.", Malformed},
      {".", Malformed},
      {"1.2.3", Malformed},
      {"1,5", Malformed},
      {"1_000", Malformed},
      {"0x10", Malformed},
      {"１", Malformed},  // full-width digit
      {std::string_view("1\0", 2), Malformed},
      {"1.0000001", TooManyDecimals},
      {"0.1234567", TooManyDecimals},
      {"9223372036854.775808", OutOfRange},
      {"9223372036855", OutOfRange},
      {"99999999999999999999999999999999999999999999", OutOfRange},
  };
  for (const auto& c : cases) {
    const DecimalParseResult result = parse_decimal_or_error(c.text, 6);
    EXPECT_FALSE(result.ok()) << c.text;
    EXPECT_EQ(result.error, c.expected) << c.text;
    EXPECT_EQ(parse_decimal(c.text, 6), std::nullopt) << c.text;
  }
}

TEST(ParseDecimalTest, TrailingZerosCountAsDecimals) {
  EXPECT_EQ(parse_decimal_or_error("10000.000", 2).error, DecimalParseError::TooManyDecimals);
  EXPECT_EQ(parse_decimal_or_error("1.50", 1).error, DecimalParseError::TooManyDecimals);
  EXPECT_EQ(parse_decimal("1.5", 1), 1'500'000);
}

TEST(ParseDecimalTest, DescribesErrors) {
  EXPECT_EQ(describe(DecimalParseError::TooManyDecimals), "has too many decimal places");
  EXPECT_FALSE(describe(DecimalParseError::Malformed).empty());
}

TEST(FormatDecimalTest, Examples) {
  EXPECT_EQ(format_decimal(10'000'000'000, 2), "10000.00");
  EXPECT_EQ(format_decimal(9'855'429'750, 2), "9855.42975");
  EXPECT_EQ(format_decimal(0, 2), "0.00");
  EXPECT_EQ(format_decimal(-10'920'250, 2), "-10.92025");
  EXPECT_EQ(format_decimal(1, 0), "0.000001");
  EXPECT_EQ(format_decimal(-1, 2), "-0.000001");
  EXPECT_EQ(format_decimal(5'000'000, 0), "5");
  EXPECT_EQ(format_decimal(50'000'000, 0), "50");
  EXPECT_EQ(format_decimal(500'000, 0), "0.5");
  EXPECT_EQ(format_decimal(123'456'789, 6), "123.456789");
  EXPECT_EQ(format_decimal(kMax, 0), "9223372036854.775807");
  EXPECT_EQ(format_decimal(kMin, 0), "-9223372036854.775808");
}

TEST(FormatDecimalTest, MaxDecimalsRounds) {
  EXPECT_EQ(format_decimal(9'855'429'750, 2, 2), "9855.43");
  EXPECT_EQ(format_decimal(9'855'429'750, 2, 4), "9855.4298");
  EXPECT_EQ(format_decimal(1'005'000, 2, 2), "1.01");
  EXPECT_EQ(format_decimal(1'005'000, 2, 2, Rounding::HalfEven), "1.00");
  EXPECT_EQ(format_decimal(1'001'000, 0, 2, Rounding::Up), "1.01");
  EXPECT_EQ(format_decimal(1'009'000, 0, 2, Rounding::Down), "1");
  EXPECT_EQ(format_decimal(999'999, 0, 2), "1");
  EXPECT_EQ(format_decimal(-4'000, 2, 2), "0.00");  // no "-0.00"
  EXPECT_EQ(format_decimal(-5'000, 2, 2), "-0.01");
  EXPECT_EQ(format_decimal(-1, 0, 0, Rounding::Down), "-1");
}

TEST(FormatDecimalTest, MinDecimalsBeyondSixPads) {
  EXPECT_EQ(format_decimal(1'500'000, 8, 8), "1.50000000");
  EXPECT_THROW(format_decimal(0, 3, 2), std::invalid_argument);
  EXPECT_THROW(format_decimal(0, -1), std::invalid_argument);
}

TEST(FormatFixedTest, ExactDecimals) {
  EXPECT_EQ(format_fixed(574'000, 4, Rounding::HalfUp), "0.5740");
  EXPECT_EQ(format_fixed(520'000, 6, Rounding::HalfUp), "0.520000");
  EXPECT_EQ(format_fixed(0, 2, Rounding::Down), "0.00");
  EXPECT_EQ(format_fixed(0, 0, Rounding::Down), "0");
  EXPECT_EQ(format_fixed(1'234'567, 0, Rounding::HalfUp), "1");
  EXPECT_EQ(format_fixed(1'500'000, 0, Rounding::HalfUp), "2");
  EXPECT_EQ(format_fixed(2'500'000, 0, Rounding::HalfEven), "2");
  EXPECT_EQ(format_fixed(-2'500'000, 0, Rounding::HalfUp), "-3");
  EXPECT_EQ(format_fixed(574'049, 4, Rounding::Up), "0.5741");
  EXPECT_EQ(format_fixed(574'049, 4, Rounding::Down), "0.5740");
  EXPECT_EQ(format_fixed(-574'049, 4, Rounding::Up), "-0.5740");
  EXPECT_EQ(format_fixed(-574'049, 4, Rounding::Down), "-0.5741");
  EXPECT_EQ(format_fixed(-49, 4, Rounding::HalfUp), "0.0000");
  EXPECT_EQ(format_fixed(999'950, 4, Rounding::HalfUp), "1.0000");
  EXPECT_EQ(format_fixed(12'345'678, 8, Rounding::Down), "12.34567800");
  EXPECT_EQ(format_fixed(kMax, 0, Rounding::Up), "9223372036855");
  EXPECT_EQ(format_fixed(kMin, 0, Rounding::Down), "-9223372036855");
  EXPECT_THROW(format_fixed(1, -1, Rounding::Down), std::invalid_argument);
}

TEST(FormatParseRoundTrip, SixDecimals) {
  for (const std::int64_t value : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999'999}, std::int64_t{1'000'000},
                                   std::int64_t{123'456'789'012}, kMax}) {
    EXPECT_EQ(parse_decimal(format_decimal(value, 0), 6), value);
    EXPECT_EQ(parse_decimal(format_fixed(value, 6, Rounding::Down), 6), value);
  }
  EXPECT_EQ(parse_decimal(format_decimal(kMin, 0), 6, 6, NegativeValues::Allow), kMin);
}

}  // namespace
}  // namespace polysim
