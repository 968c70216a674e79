// Password storage with Argon2id (libsodium), kept as self-describing PHC strings so that the
// cost parameters travel with each hash and can be raised later without a flag day.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace polysim::auth {

// Defaults follow the OWASP recommendation for Argon2id (19 MiB, 2 passes, 1 lane); libsodium
// always uses one lane. Tests pass much smaller values to stay fast.
struct Argon2Params {
  std::uint64_t memory_kib = 19456;
  std::uint64_t iterations = 2;
};

// "$argon2id$v=19$m=<memory_kib>,t=<iterations>,p=1$<salt>$<hash>" with a fresh random salt.
// Throws std::invalid_argument for parameters outside libsodium's limits and
// std::runtime_error when the memory cannot be allocated.
std::string hash_password(std::string_view password, const Argon2Params& params);

// False for a wrong password and for anything that is not an Argon2id PHC string; never throws
// on bad input, so a corrupted row cannot turn a sign-in into a server error.
bool verify_password(std::string_view phc, std::string_view password);

// True when the hash is malformed, not Argon2id v19, or cheaper than `params` in memory or
// passes: the caller rehashes after the next successful sign-in. A stronger hash is kept.
bool needs_rehash(std::string_view phc, const Argon2Params& params);

}  // namespace polysim::auth
