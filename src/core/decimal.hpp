// Fixed-point money arithmetic. Every amount is an int64 count of micros (1e-6 units) so that
// balances, prices and fees are exact and reproducible; floating point never touches money.
#pragma once
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace polysim {

inline constexpr int kMicrosScale = 6;
inline constexpr std::int64_t kMicrosPerUnit = 1'000'000;

// Distinct tags keep a price from being added to a USD balance by accident; conversions
// between them go through mul_div explicitly.
template <typename Tag>
class Fixed {
 public:
  constexpr Fixed() = default;
  constexpr explicit Fixed(std::int64_t micros) : micros_(micros) {}

  constexpr std::int64_t micros() const { return micros_; }

  friend constexpr auto operator<=>(const Fixed&, const Fixed&) = default;

 private:
  std::int64_t micros_ = 0;
};

using UsdMicros = Fixed<struct UsdTag>;
using PriceMicros = Fixed<struct PriceTag>;
using ShareMicros = Fixed<struct ShareTag>;

// Up and Down are directional (ceiling and floor), so a fee rounded Up never undercharges,
// whatever its sign. HalfUp breaks ties away from zero (commercial rounding, symmetric for
// negatives); HalfEven breaks ties toward the even neighbour.
enum class Rounding { Up, Down, HalfUp, HalfEven };

// Checked int64 arithmetic: nullopt instead of wrapping.
std::optional<std::int64_t> add(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> sub(std::int64_t a, std::int64_t b);

template <typename Tag>
std::optional<Fixed<Tag>> add(Fixed<Tag> a, Fixed<Tag> b) {
  if (auto sum = add(a.micros(), b.micros())) return Fixed<Tag>(*sum);
  return std::nullopt;
}

template <typename Tag>
std::optional<Fixed<Tag>> sub(Fixed<Tag> a, Fixed<Tag> b) {
  if (auto difference = sub(a.micros(), b.micros())) return Fixed<Tag>(*difference);
  return std::nullopt;
}

// a * b / d with a 128-bit intermediate and a single rounding of the exact quotient.
// nullopt when d == 0 or the rounded result does not fit in int64.
std::optional<std::int64_t> mul_div(std::int64_t a, std::int64_t b, std::int64_t d, Rounding rounding);

// (f1 * f2 * ... * fn) / d with one rounding, for formulas with more than two factors
// (fee = rate * shares * p * (1 - p)) where rounding intermediate products would drift.
// nullopt when d == 0, the exact product leaves 128 bits, or the result leaves int64.
std::optional<std::int64_t> product_div(std::initializer_list<std::int64_t> factors, std::int64_t d, Rounding rounding);

enum class NegativeValues { Reject, Allow };

enum class DecimalParseError {
  Empty,
  Malformed,  // anything outside -?[0-9]+(\.[0-9]+)?
  NegativeNotAllowed,
  TooManyDecimals,
  OutOfRange,  // does not fit in int64 once scaled
};

struct DecimalParseResult {
  std::int64_t scaled = 0;
  std::optional<DecimalParseError> error;

  bool ok() const { return !error.has_value(); }
};

// Parses request text (never a JSON double) into an integer scaled by 10^scale. Accepts exactly
// -?[0-9]+(\.[0-9]+)? ; leading zeros ("007", "00.5") are accepted as plain digits, while "+1",
// "1e5", ".5", "5.", " 5", "NaN" and "Infinity" are not. Trailing fractional zeros count towards
// max_decimals ("1.50" has two decimals). Requires 0 <= max_decimals <= scale <= 18, otherwise
// throws std::invalid_argument.
DecimalParseResult parse_decimal_or_error(std::string_view text, int max_decimals, int scale = kMicrosScale,
                                          NegativeValues negatives = NegativeValues::Reject);

std::optional<std::int64_t> parse_decimal(std::string_view text, int max_decimals, int scale = kMicrosScale,
                                          NegativeValues negatives = NegativeValues::Reject);

// Stable, client-facing wording for error messages.
std::string_view describe(DecimalParseError error);

// Shortest rendering with at least min_decimals and at most max_decimals fractional digits:
// 10000000000 with min 2 -> "10000.00", 9855429750 -> "9855.42975". Values needing more than
// max_decimals digits are rounded with `rounding`. Zero is never rendered with a minus sign.
// Requires 0 <= min_decimals <= max_decimals, otherwise throws std::invalid_argument.
std::string format_decimal(std::int64_t micros, int min_decimals, int max_decimals = kMicrosScale,
                           Rounding rounding = Rounding::HalfUp);

// Exactly `decimals` fractional digits after rounding (574000, 4 -> "0.5740"); more than six
// decimals pads with zeros since micros carry no further precision. Throws std::invalid_argument
// for negative `decimals`.
std::string format_fixed(std::int64_t micros, int decimals, Rounding rounding);

}  // namespace polysim
