// RFC 3339 timestamps for the API. Calendar arithmetic is done here in integers rather than with
// gmtime/timegm, which depend on the process time zone and locale and are not all thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polysim {

// "2026-11-23T23:45:22.123Z": always UTC, always three fractional digits, sub-millisecond part
// truncated toward the past. Throws std::out_of_range outside years 0000-9999.
std::string format_rfc3339_millis(std::int64_t unix_micros);

// Accepts YYYY-MM-DD('T'|'t')HH:MM:SS[.1-9 digits]('Z'|'z'|('+'|'-')HH:MM) and nothing else, and
// returns Unix microseconds (fraction digits beyond microseconds are truncated). Dates must
// exist (2024-02-29 yes, 2026-02-29 no). Seconds value 60 is rejected: Unix time cannot represent
// a leap second and no client needs to send one. Offsets are limited to 23:59 in magnitude.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace polysim
