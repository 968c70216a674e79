// Hashing, MACs, comparison and randomness, all backed by libsodium so that every credential
// in the server is derived from one vetted CSPRNG and compared without timing leaks.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace polysim {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Idempotent and thread-safe; every function below calls it, so callers only need it before
// using libsodium directly. Throws std::runtime_error if libsodium cannot initialise.
void ensure_sodium_initialized();

Sha256Digest sha256(std::string_view data);

// Keys of any length are accepted (RFC 2104: keys longer than the block size are hashed first).
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// Runtime depends only on the lengths, never on where the contents differ. Unequal lengths
// return false; lengths of secrets such as tokens are not themselves secret.
bool constant_time_equal(std::string_view a, std::string_view b);

void random_bytes(std::span<std::uint8_t> out);
std::uint64_t random_u64();

}  // namespace polysim
