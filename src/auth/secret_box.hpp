// Authenticated encryption for the few secrets the server must read back (TOTP seeds), as
// opposed to credentials it only compares and therefore stores hashed. AES-256-GCM with a
// random 96-bit nonce per seal; the associated data binds a box to its owner (e.g. the user
// id), so a sealed value copied to another row does not open there.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace polysim::auth {

inline constexpr std::size_t kSecretBoxKeyBytes = 32;

// base64url (no padding) of nonce (12 bytes) || ciphertext || tag (16 bytes). Throws
// std::runtime_error only if OpenSSL itself fails.
std::string seal_secret(std::span<const std::uint8_t, kSecretBoxKeyBytes> key, std::string_view plaintext,
                        std::string_view associated_data);

// nullopt for a wrong key, different associated data, any altered byte or malformed input.
std::optional<std::string> open_secret(std::span<const std::uint8_t, kSecretBoxKeyBytes> key, std::string_view sealed,
                                       std::string_view associated_data);

}  // namespace polysim::auth
