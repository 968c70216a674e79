#include "auth/backup_codes.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "auth/ascii_case.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::auth {

namespace {

// 7 bytes encode to 12 base32 characters; the first 10 carry exactly the first 50 bits.
constexpr std::size_t kRandomBytesPerCode = 7;
constexpr std::size_t kGroupChars = kBackupCodeChars / 2;

bool is_base32_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); }

std::string random_backup_code() {
  std::array<std::uint8_t, kRandomBytesPerCode> bytes{};
  random_bytes(bytes);
  const std::string characters = base32_encode(bytes).substr(0, kBackupCodeChars);
  return characters.substr(0, kGroupChars) + '-' + characters.substr(kGroupChars);
}

}  // namespace

std::vector<std::string> generate_backup_codes(int count) {
  if (count < 0) throw std::invalid_argument("backup code count must not be negative");
  std::vector<std::string> codes;
  codes.reserve(static_cast<std::size_t>(count));
  while (codes.size() < static_cast<std::size_t>(count)) {
    // A repeat is astronomically unlikely, but two equal codes would share one stored hash.
    std::string code = random_backup_code();
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(std::move(code));
  }
  return codes;
}

std::optional<std::string> normalize_backup_code(std::string_view input) {
  std::string normalized;
  for (const char c : input) {
    if (c == '-' || c == ' ') continue;
    const char lowered = ascii_lower(c);
    if (!is_base32_char(lowered) || normalized.size() == kBackupCodeChars) return std::nullopt;
    normalized += lowered;
  }
  if (normalized.size() != kBackupCodeChars) return std::nullopt;
  return normalized;
}

}  // namespace polysim::auth
