// Text encodings for binary values. Decoders are strict (one canonical spelling per value) so
// that two different strings can never name the same credential or signature.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace polysim {

// RFC 4648 base32 with the lowercase alphabet a-z2-7 and no padding.
std::string base32_encode(std::span<const std::uint8_t> bytes);
std::string base32_encode(std::string_view bytes);
// Rejects uppercase, padding, other characters, impossible lengths and non-zero trailing bits.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// RFC 4648 section 5 (URL- and filename-safe) base64 without padding.
std::string base64url_encode(std::span<const std::uint8_t> bytes);
std::string base64url_encode(std::string_view bytes);
// Rejects '=', '+', '/', whitespace, impossible lengths and non-zero trailing bits.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

// Lowercase.
std::string hex_encode(std::span<const std::uint8_t> bytes);
std::string hex_encode(std::string_view bytes);

// Code points of valid UTF-8: every byte that is not a continuation byte starts one.
std::size_t utf8_code_points(std::string_view utf8);

}  // namespace polysim
