// UUIDs as 16 raw bytes. Text is always the lowercase canonical form so that equal ids are equal
// strings in URLs, logs and the database.
#pragma once
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace polysim {

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  // Byte order is big-endian 128-bit order, which is also creation order for UUIDv7.
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  // xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, lowercase.
  std::string to_string() const;

  // Accepts only the form to_string() produces: uppercase, braces, "urn:uuid:" and missing or
  // misplaced hyphens are rejected.
  static std::optional<Uuid> parse(std::string_view text);

  static Uuid v4();

  int version() const { return bytes[6] >> 4; }
  // The RFC 9562 variant (binary 10 in the top bits of byte 8).
  bool has_rfc_variant() const { return (bytes[8] & 0xc0) == 0x80; }
};

// RFC 9562 UUIDv7: 48-bit Unix milliseconds, then a 42-bit counter (the 12 rand_a bits plus the
// top 30 rand_b bits; "fixed bit-length dedicated counter", RFC 9562 section 6.2 method 1), then
// 32 random bits. Each new millisecond seeds the counter randomly with its top bit clear, leaving
// at least 2^41 increments before rollover; calls within one millisecond, or after the clock
// steps back, reuse the last timestamp and increment the counter. On rollover the timestamp is
// advanced by one millisecond. Ids from one generator are therefore strictly increasing.
// Thread-safe.
class UuidV7Generator {
 public:
  // Throws std::out_of_range outside [0, 2^48) milliseconds.
  Uuid next(std::int64_t unix_millis);
  Uuid next(const Clock& clock);

 private:
  std::mutex mutex_;
  std::int64_t last_millis_ = -1;
  std::uint64_t counter_ = 0;
};

}  // namespace polysim

template <>
struct std::hash<polysim::Uuid> {
  std::size_t operator()(const polysim::Uuid& uuid) const noexcept;
};
