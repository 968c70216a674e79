#include "core/crypto.hpp"

#include <sodium.h>

#include <stdexcept>

namespace polysim {

namespace {

// libsodium rejects null pointers even for empty input; an empty string_view may carry one.
const unsigned char* bytes_of(std::string_view text) {
  static constexpr unsigned char kEmpty = 0;
  return text.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

void ensure_sodium_initialized() {
  // A function-local static runs sodium_init() once per process under the C++ thread-safe
  // initialisation guarantee, so later calls cost a single load instead of libsodium's lock.
  static const int init_result = sodium_init();
  if (init_result < 0) throw std::runtime_error("libsodium initialisation failed");
}

Sha256Digest sha256(std::string_view data) {
  ensure_sodium_initialized();
  Sha256Digest digest{};
  crypto_hash_sha256(digest.data(), bytes_of(data), data.size());
  return digest;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  ensure_sodium_initialized();
  // The streaming API is used because crypto_auth_hmacsha256() insists on a 32-byte key.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(message), message.size());
  Sha256Digest mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_sodium_initialized();
  const bool same_length = a.size() == b.size();
  // With unequal lengths a is compared with itself, so the work still depends only on a's length.
  const std::string_view other = same_length ? b : a;
  const int difference = sodium_memcmp(bytes_of(a), bytes_of(other), a.size());
  return same_length && difference == 0;
}

void random_bytes(std::span<std::uint8_t> out) {
  ensure_sodium_initialized();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

std::uint64_t random_u64() {
  ensure_sodium_initialized();
  std::uint64_t value = 0;
  randombytes_buf(&value, sizeof value);
  return value;
}

}  // namespace polysim
