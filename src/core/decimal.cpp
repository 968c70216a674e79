#include "core/decimal.hpp"

#include <limits>
#include <stdexcept>

namespace polysim {

namespace {

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

// Two's complement conversion is well-defined since C++20.
constexpr Int128 kInt128Min = static_cast<Int128>(UInt128{1} << 127);

constexpr int kMaxScale = 18;  // 10^18 is the largest power of ten below 2^63

constexpr std::uint64_t pow10(int exponent) {
  std::uint64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Int128 abs128(Int128 value) { return value < 0 ? -value : value; }

// Rounds the exact quotient numerator/denominator once; truncating division gives the quotient
// toward zero, and the remainder decides whether to step one unit away from zero.
std::optional<std::int64_t> divide_rounded(Int128 numerator, std::int64_t denominator, Rounding rounding) {
  if (denominator == 0) return std::nullopt;
  // The only quotient that overflows 128 bits: -2^127 / -1. Its result is far outside int64 anyway.
  if (denominator == -1 && numerator == kInt128Min) return std::nullopt;
  Int128 quotient = numerator / denominator;
  const Int128 remainder = numerator % denominator;
  if (remainder != 0) {
    const bool negative = (numerator < 0) != (denominator < 0);
    const Int128 twice_remainder = 2 * abs128(remainder);
    const Int128 magnitude_denominator = abs128(Int128{denominator});
    bool away_from_zero = false;
    switch (rounding) {
      case Rounding::Up:
        away_from_zero = !negative;
        break;
      case Rounding::Down:
        away_from_zero = negative;
        break;
      case Rounding::HalfUp:
        away_from_zero = twice_remainder >= magnitude_denominator;
        break;
      case Rounding::HalfEven:
        away_from_zero =
            twice_remainder > magnitude_denominator || (twice_remainder == magnitude_denominator && quotient % 2 != 0);
        break;
    }
    if (away_from_zero) quotient += negative ? -1 : 1;
  }
  if (quotient < std::numeric_limits<std::int64_t>::min() || quotient > std::numeric_limits<std::int64_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(quotient);
}

// Renders a value already scaled to `decimals` fractional digits.
std::string render_scaled(std::int64_t value, int decimals) {
  const bool negative = value < 0;
  // Unsigned negation keeps INT64_MIN representable.
  const std::uint64_t magnitude =
      negative ? std::uint64_t{0} - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  const std::uint64_t divisor = pow10(decimals);
  std::string out;
  if (negative) out += '-';
  out += std::to_string(magnitude / divisor);
  if (decimals > 0) {
    std::string fraction = std::to_string(magnitude % divisor);
    out += '.';
    out.append(static_cast<std::size_t>(decimals) - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

// Reduces micros to `decimals` <= 6 fractional digits. Dividing by a power of ten >= 1 cannot
// leave int64, so the optional is always engaged.
std::int64_t round_micros_to(std::int64_t micros, int decimals, Rounding rounding) {
  const auto divisor = static_cast<std::int64_t>(pow10(kMicrosScale - decimals));
  return *divide_rounded(micros, divisor, rounding);
}

}  // namespace

std::optional<std::int64_t> add(std::int64_t a, std::int64_t b) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) return std::nullopt;
  return result;
}

std::optional<std::int64_t> sub(std::int64_t a, std::int64_t b) {
  std::int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) return std::nullopt;
  return result;
}

std::optional<std::int64_t> mul_div(std::int64_t a, std::int64_t b, std::int64_t d, Rounding rounding) {
  // |a * b| <= 2^126, so the product always fits in 128 bits.
  return divide_rounded(static_cast<Int128>(a) * b, d, rounding);
}

std::optional<std::int64_t> product_div(std::initializer_list<std::int64_t> factors, std::int64_t d,
                                        Rounding rounding) {
  Int128 product = 1;
  for (const std::int64_t factor : factors) {
    if (__builtin_mul_overflow(product, static_cast<Int128>(factor), &product)) return std::nullopt;
  }
  return divide_rounded(product, d, rounding);
}

DecimalParseResult parse_decimal_or_error(std::string_view text, int max_decimals, int scale,
                                          NegativeValues negatives) {
  if (scale < 0 || scale > kMaxScale || max_decimals < 0 || max_decimals > scale) {
    throw std::invalid_argument("parse_decimal: requires 0 <= max_decimals <= scale <= 18");
  }
  auto failure = [](DecimalParseError error) { return DecimalParseResult{0, error}; };
  if (text.empty()) return failure(DecimalParseError::Empty);

  std::size_t pos = 0;
  const bool negative = text[0] == '-';
  if (negative) ++pos;

  const std::size_t integer_begin = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  const std::string_view integer_digits = text.substr(integer_begin, pos - integer_begin);
  if (integer_digits.empty()) return failure(DecimalParseError::Malformed);

  std::string_view fraction_digits;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t fraction_begin = ++pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    fraction_digits = text.substr(fraction_begin, pos - fraction_begin);
    if (fraction_digits.empty()) return failure(DecimalParseError::Malformed);
  }
  if (pos != text.size()) return failure(DecimalParseError::Malformed);

  if (negative && negatives == NegativeValues::Reject) return failure(DecimalParseError::NegativeNotAllowed);
  if (fraction_digits.size() > static_cast<std::size_t>(max_decimals)) {
    return failure(DecimalParseError::TooManyDecimals);
  }

  // Negative values reach one further than positive ones (INT64_MIN).
  const UInt128 limit = negative ? UInt128{1} << 63 : (UInt128{1} << 63) - 1;
  UInt128 magnitude = 0;
  for (const char c : integer_digits) {
    magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
    // Stopping as soon as the limit is passed keeps arbitrarily long inputs within 128 bits.
    if (magnitude > limit) return failure(DecimalParseError::OutOfRange);
  }
  magnitude *= pow10(scale);
  UInt128 fraction = 0;
  for (const char c : fraction_digits) fraction = fraction * 10 + static_cast<unsigned>(c - '0');
  magnitude += fraction * pow10(scale - static_cast<int>(fraction_digits.size()));
  if (magnitude > limit) return failure(DecimalParseError::OutOfRange);

  const auto value = static_cast<std::uint64_t>(magnitude);
  return DecimalParseResult{
      negative ? static_cast<std::int64_t>(std::uint64_t{0} - value) : static_cast<std::int64_t>(value), std::nullopt};
}

std::optional<std::int64_t> parse_decimal(std::string_view text, int max_decimals, int scale,
                                          NegativeValues negatives) {
  const DecimalParseResult result = parse_decimal_or_error(text, max_decimals, scale, negatives);
  if (!result.ok()) return std::nullopt;
  return result.scaled;
}

std::string_view describe(DecimalParseError error) {
  switch (error) {
    case DecimalParseError::Empty:
      return "must not be empty";
    case DecimalParseError::Malformed:
      return "must be a plain decimal number";
    case DecimalParseError::NegativeNotAllowed:
      return "must not be negative";
    case DecimalParseError::TooManyDecimals:
      return "has too many decimal places";
    case DecimalParseError::OutOfRange:
      return "is out of range";
  }
  return "is invalid";
}

std::string format_decimal(std::int64_t micros, int min_decimals, int max_decimals, Rounding rounding) {
  if (min_decimals < 0 || min_decimals > max_decimals) {
    throw std::invalid_argument("format_decimal: requires 0 <= min_decimals <= max_decimals");
  }
  const int rendered_decimals = max_decimals < kMicrosScale ? max_decimals : kMicrosScale;
  std::string out = render_scaled(round_micros_to(micros, rendered_decimals, rounding), rendered_decimals);

  int decimals = rendered_decimals;
  while (decimals > min_decimals && out.back() == '0') {
    out.pop_back();
    --decimals;
  }
  if (decimals == 0 && out.back() == '.') out.pop_back();
  // Only reachable when min_decimals exceeds the six digits micros carry.
  if (decimals < min_decimals) out.append(static_cast<std::size_t>(min_decimals - decimals), '0');
  return out;
}

std::string format_fixed(std::int64_t micros, int decimals, Rounding rounding) {
  if (decimals < 0) throw std::invalid_argument("format_fixed: decimals must not be negative");
  if (decimals <= kMicrosScale) return render_scaled(round_micros_to(micros, decimals, rounding), decimals);
  return render_scaled(micros, kMicrosScale).append(static_cast<std::size_t>(decimals - kMicrosScale), '0');
}

}  // namespace polysim
