// The single generator of opaque credentials (tenant API keys, login links, refresh tokens...).
// A token is a readable tag such as "ps_tenant_" followed by the base32 spelling of 32 CSPRNG
// bytes; only its SHA-256 is stored, plus a short prefix for lookup and display.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace polysim {

inline constexpr std::size_t kTokenRandomBytes = 32;
inline constexpr std::size_t kTokenRandomChars = 52;  // ceil(256 bits / 5 bits per char)
inline constexpr std::size_t kDefaultTokenPrefixRandomChars = 12;

// tag + 52 characters of [a-z2-7].
std::string generate_token(std::string_view tag);

// Shape check only (the tag, then exactly 52 characters of [a-z2-7]); whether the token exists
// is decided by looking up its hash.
bool is_well_formed_token(std::string_view token, std::string_view tag);

// tag + the first `random_chars` characters after it. Returns an empty string when the token
// does not start with the tag or is too short, so untrusted input never yields a partial prefix.
std::string token_prefix(std::string_view token, std::string_view tag,
                         std::size_t random_chars = kDefaultTokenPrefixRandomChars);

// SHA-256 over the whole token, tag included, as raw bytes: the form stored and looked up.
std::string token_hash_bytes(std::string_view token);

// Lowercase hex of SHA-256 over the whole token, tag included.
std::string token_hash_hex(std::string_view token);

}  // namespace polysim
