#include "core/token.hpp"

#include <array>
#include <cstdint>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim {

namespace {

bool is_base32_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); }

}  // namespace

std::string generate_token(std::string_view tag) {
  std::array<std::uint8_t, kTokenRandomBytes> secret{};
  random_bytes(secret);
  std::string token(tag);
  token += base32_encode(secret);
  return token;
}

bool is_well_formed_token(std::string_view token, std::string_view tag) {
  if (!token.starts_with(tag) || token.size() != tag.size() + kTokenRandomChars) return false;
  for (const char c : token.substr(tag.size())) {
    if (!is_base32_char(c)) return false;
  }
  return true;
}

std::string token_prefix(std::string_view token, std::string_view tag, std::size_t random_chars) {
  if (!token.starts_with(tag) || token.size() - tag.size() < random_chars) return {};
  return std::string(token.substr(0, tag.size() + random_chars));
}

std::string token_hash_hex(std::string_view token) { return hex_encode(sha256(token)); }

std::string token_hash_bytes(std::string_view token) {
  const auto digest = sha256(token);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace polysim
