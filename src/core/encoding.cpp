#include "core/encoding.hpp"

namespace polysim {

namespace {

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kBase64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHexDigits = "0123456789abcdef";

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Both encodings are the same bit-stream regrouping with a different group width, so one
// encoder and one decoder serve both.
std::string encode_bits(std::span<const std::uint8_t> bytes, std::string_view alphabet, int bits_per_char) {
  const unsigned mask = (1u << bits_per_char) - 1;
  std::string out;
  out.reserve((bytes.size() * 8 + static_cast<std::size_t>(bits_per_char) - 1) /
              static_cast<std::size_t>(bits_per_char));
  unsigned buffer = 0;
  int buffered_bits = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    buffered_bits += 8;
    while (buffered_bits >= bits_per_char) {
      buffered_bits -= bits_per_char;
      out += alphabet[(buffer >> buffered_bits) & mask];
    }
    buffer &= (1u << buffered_bits) - 1;
  }
  if (buffered_bits > 0) out += alphabet[(buffer << (bits_per_char - buffered_bits)) & mask];
  return out;
}

template <typename ValueOf>
std::optional<std::vector<std::uint8_t>> decode_bits(std::string_view text, int bits_per_char, ValueOf value_of) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * static_cast<std::size_t>(bits_per_char) / 8);
  unsigned buffer = 0;
  int buffered_bits = 0;
  for (const char c : text) {
    const int value = value_of(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << bits_per_char) | static_cast<unsigned>(value);
    buffered_bits += bits_per_char;
    if (buffered_bits >= 8) {
      buffered_bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> buffered_bits));
      buffer &= (1u << buffered_bits) - 1;
    }
  }
  // A whole character of leftover bits means the length could not come from the encoder, and
  // non-zero leftovers would let several strings decode to the same bytes.
  if (buffered_bits >= bits_per_char || buffer != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string base32_encode(std::span<const std::uint8_t> bytes) { return encode_bits(bytes, kBase32Alphabet, 5); }

std::string base32_encode(std::string_view bytes) { return base32_encode(as_bytes(bytes)); }

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  return decode_bits(text, 5, base32_value);
}

std::string base64url_encode(std::span<const std::uint8_t> bytes) { return encode_bits(bytes, kBase64UrlAlphabet, 6); }

std::string base64url_encode(std::string_view bytes) { return base64url_encode(as_bytes(bytes)); }

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
  return decode_bits(text, 6, base64url_value);
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0x0f];
  }
  return out;
}

std::string hex_encode(std::string_view bytes) { return hex_encode(as_bytes(bytes)); }

std::size_t utf8_code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (const char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace polysim
