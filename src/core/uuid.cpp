#include "core/uuid.hpp"

#include <stdexcept>

#include "core/crypto.hpp"

namespace polysim {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::array<std::size_t, 4> kHyphenPositions = {8, 13, 18, 23};
constexpr std::size_t kCanonicalLength = 36;

constexpr int kCounterBits = 42;
constexpr std::uint64_t kCounterMax = (std::uint64_t{1} << kCounterBits) - 1;
constexpr std::int64_t kMaxUnixMillis = (std::int64_t{1} << 48) - 1;

int lowercase_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_hyphen_position(std::size_t index) {
  for (const std::size_t position : kHyphenPositions) {
    if (index == position) return true;
  }
  return false;
}

// Top bit clear so that a fresh millisecond always has 2^41 increments of headroom.
std::uint64_t random_counter_seed() { return random_u64() & (kCounterMax >> 1); }

}  // namespace

std::string Uuid::to_string() const {
  std::string out;
  out.reserve(kCanonicalLength);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (is_hyphen_position(out.size())) out += '-';
    out += kHexDigits[bytes[i] >> 4];
    out += kHexDigits[bytes[i] & 0x0f];
  }
  return out;
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != kCanonicalLength) return std::nullopt;
  Uuid uuid;
  std::size_t nibble = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_hyphen_position(i)) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int value = lowercase_hex_value(text[i]);
    if (value < 0) return std::nullopt;
    std::uint8_t& byte = uuid.bytes[nibble / 2];
    byte = static_cast<std::uint8_t>(nibble % 2 == 0 ? value << 4 : byte | value);
    ++nibble;
  }
  return uuid;
}

Uuid Uuid::v4() {
  Uuid uuid;
  random_bytes(uuid.bytes);
  uuid.bytes[6] = static_cast<std::uint8_t>((uuid.bytes[6] & 0x0f) | 0x40);
  uuid.bytes[8] = static_cast<std::uint8_t>((uuid.bytes[8] & 0x3f) | 0x80);
  return uuid;
}

Uuid UuidV7Generator::next(std::int64_t unix_millis) {
  if (unix_millis < 0 || unix_millis > kMaxUnixMillis) {
    throw std::out_of_range("UuidV7Generator: timestamp outside the 48-bit millisecond range");
  }
  // Drawn before locking so concurrent callers do not serialise on the CSPRNG.
  const std::uint64_t fresh_seed = random_counter_seed();
  const std::uint64_t tail = random_u64();

  std::int64_t millis = 0;
  std::uint64_t counter = 0;
  {
    const std::lock_guard lock(mutex_);
    if (unix_millis > last_millis_) {
      last_millis_ = unix_millis;
      counter_ = fresh_seed;
    } else if (counter_ < kCounterMax) {
      ++counter_;
    } else {
      // Borrowing the next millisecond keeps order; RFC 9562 allows running slightly ahead.
      if (last_millis_ == kMaxUnixMillis) throw std::out_of_range("UuidV7Generator: timestamp space exhausted");
      ++last_millis_;
      counter_ = fresh_seed;
    }
    millis = last_millis_;
    counter = counter_;
  }

  Uuid uuid;
  const auto timestamp = static_cast<std::uint64_t>(millis);
  for (std::size_t i = 0; i < 6; ++i) uuid.bytes[i] = static_cast<std::uint8_t>(timestamp >> (40 - 8 * i));
  uuid.bytes[6] = static_cast<std::uint8_t>(0x70 | (counter >> 38));  // version 7 + counter bits 41..38
  uuid.bytes[7] = static_cast<std::uint8_t>(counter >> 30);
  uuid.bytes[8] = static_cast<std::uint8_t>(0x80 | ((counter >> 24) & 0x3f));  // variant + bits 29..24
  uuid.bytes[9] = static_cast<std::uint8_t>(counter >> 16);
  uuid.bytes[10] = static_cast<std::uint8_t>(counter >> 8);
  uuid.bytes[11] = static_cast<std::uint8_t>(counter);
  for (std::size_t i = 12; i < 16; ++i) uuid.bytes[i] = static_cast<std::uint8_t>(tail >> (8 * (i - 12)));
  return uuid;
}

Uuid UuidV7Generator::next(const Clock& clock) {
  const std::int64_t micros = clock.now_unix_micros();
  // Floor division: a pre-epoch clock then fails the range check instead of rounding to 0.
  const std::int64_t millis = micros / 1000 - (micros % 1000 < 0 ? 1 : 0);
  return next(millis);
}

}  // namespace polysim

std::size_t std::hash<polysim::Uuid>::operator()(const polysim::Uuid& uuid) const noexcept {
  // The random bits of v4 and v7 sit in the second half, so it is already well mixed; folding
  // both halves keeps arbitrary (non-random) ids distinct too.
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    high = (high << 8) | uuid.bytes[i];
    low = (low << 8) | uuid.bytes[8 + i];
  }
  return static_cast<std::size_t>(high ^ (low * 0x9e3779b97f4a7c15ull));
}
