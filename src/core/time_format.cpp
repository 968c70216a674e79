#include "core/time_format.hpp"

#include <stdexcept>

namespace polysim {

namespace {

constexpr std::int64_t kMicrosPerMilli = 1'000;
constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMillisPerDay = 86'400'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
// The calendar below counts days from 0000-03-01; 1970-01-01 is day 719468 of that count.
constexpr std::int64_t kDaysFromMarchYear0ToEpoch = 719'468;
constexpr std::int64_t kDaysPerEra = 146'097;  // 400 Gregorian years

struct CivilDate {
  std::int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  return value / divisor - (value % divisor < 0 ? 1 : 0);
}

bool is_leap_year(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar. Counting years from March puts the
// leap day at the end of the year, so a month's offset within the year is a linear formula, and
// whole 400-year eras (146097 days) reduce every date to the same small computation.
std::int64_t days_from_civil(CivilDate date) {
  const std::int64_t year = date.month <= 2 ? date.year - 1 : date.year;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t year_of_era = year - era * 400;                                       // [0, 399]
  const std::int64_t month_from_march = date.month > 2 ? date.month - 3 : date.month + 9;  // [0, 11]
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;        // [0, 365]
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * kDaysPerEra + day_of_era - kDaysFromMarchYear0ToEpoch;
}

CivilDate civil_from_days(std::int64_t days_since_epoch) {
  const std::int64_t shifted = days_since_epoch + kDaysFromMarchYear0ToEpoch;
  const std::int64_t era = floor_div(shifted, kDaysPerEra);
  const std::int64_t day_of_era = shifted - era * kDaysPerEra;  // [0, 146096]
  // Corrects for the leap days accumulated every 4, 100 and 400 years before dividing by 365.
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;  // [0, 399]
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

void append_padded(std::string& out, std::int64_t value, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

// Reads exactly `count` ASCII digits at `pos`.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool char_at(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

}  // namespace

std::string format_rfc3339_millis(std::int64_t unix_micros) {
  const std::int64_t unix_millis = floor_div(unix_micros, kMicrosPerMilli);
  const std::int64_t days = floor_div(unix_millis, kMillisPerDay);
  const std::int64_t millis_of_day = unix_millis - days * kMillisPerDay;
  const CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) {
    throw std::out_of_range("format_rfc3339_millis: year outside 0000-9999");
  }

  std::string out;
  out.reserve(24);
  append_padded(out, date.year, 4);
  out += '-';
  append_padded(out, date.month, 2);
  out += '-';
  append_padded(out, date.day, 2);
  out += 'T';
  append_padded(out, millis_of_day / 3'600'000, 2);
  out += ':';
  append_padded(out, millis_of_day / 60'000 % 60, 2);
  out += ':';
  append_padded(out, millis_of_day / 1'000 % 60, 2);
  out += '.';
  append_padded(out, millis_of_day % 1'000, 3);
  out += 'Z';
  return out;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  const auto hour = read_digits(text, 11, 2);
  const auto minute = read_digits(text, 14, 2);
  const auto second = read_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (!char_at(text, 4, '-') || !char_at(text, 7, '-') || !(char_at(text, 10, 'T') || char_at(text, 10, 't')) ||
      !char_at(text, 13, ':') || !char_at(text, 16, ':')) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  std::size_t pos = 19;
  std::int64_t fraction_micros = 0;
  if (char_at(text, pos, '.')) {
    ++pos;
    std::size_t digit_count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digit_count < 6) fraction_micros = fraction_micros * 10 + (text[pos] - '0');
      ++digit_count;
      ++pos;
    }
    if (digit_count == 0 || digit_count > 9) return std::nullopt;
    for (std::size_t i = digit_count; i < 6; ++i) fraction_micros *= 10;
  }

  std::int64_t offset_seconds = 0;
  if (char_at(text, pos, 'Z') || char_at(text, pos, 'z')) {
    ++pos;
  } else if (char_at(text, pos, '+') || char_at(text, pos, '-')) {
    const bool behind_utc = text[pos] == '-';
    const auto offset_hour = read_digits(text, pos + 1, 2);
    const auto offset_minute = read_digits(text, pos + 4, 2);
    if (!offset_hour || !offset_minute || !char_at(text, pos + 3, ':')) return std::nullopt;
    if (*offset_hour > 23 || *offset_minute > 59) return std::nullopt;
    offset_seconds = (*offset_hour * 3'600 + *offset_minute * 60) * (behind_utc ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const std::int64_t days = days_from_civil({*year, *month, *day});
  const std::int64_t local_seconds = days * kSecondsPerDay + *hour * 3'600 + *minute * 60 + *second;
  // Local time minus its offset is UTC: 10:00+02:00 is 08:00Z.
  return (local_seconds - offset_seconds) * kMicrosPerSecond + fraction_micros;
}

}  // namespace polysim
