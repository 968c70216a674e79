#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <charconv>
#include <optional>
#include <stdexcept>

#include "core/crypto.hpp"

namespace polysim::auth {

namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

struct PhcCost {
  std::uint64_t memory_kib = 0;
  std::uint64_t iterations = 0;
};

// libsodium rejects a null pointer even for an empty password; an empty string_view may carry one.
const char* chars_of(std::string_view text) { return text.empty() ? "" : text.data(); }

// Consumes "<name>=<decimal>" from the front of `text`.
std::optional<std::uint64_t> take_parameter(std::string_view& text, std::string_view name) {
  if (!text.starts_with(name) || text.size() <= name.size() || text[name.size()] != '=') return std::nullopt;
  text.remove_prefix(name.size() + 1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

bool take_literal(std::string_view& text, std::string_view literal) {
  if (!text.starts_with(literal)) return false;
  text.remove_prefix(literal.size());
  return true;
}

// Reads the cost section of "$argon2id$v=19$m=..,t=..,p=1$salt$hash". The salt and hash are
// left to libsodium; here only their presence matters.
std::optional<PhcCost> parse_argon2id_cost(std::string_view phc) {
  // libsodium reads a NUL-terminated string of bounded size.
  if (phc.size() >= crypto_pwhash_STRBYTES || phc.find('\0') != std::string_view::npos) return std::nullopt;
  std::string_view rest = phc;
  if (!take_literal(rest, kArgon2idPrefix)) return std::nullopt;
  const auto version = take_parameter(rest, "v");
  if (!version || *version != 19 || !take_literal(rest, "$")) return std::nullopt;
  const auto memory = take_parameter(rest, "m");
  if (!memory || !take_literal(rest, ",")) return std::nullopt;
  const auto iterations = take_parameter(rest, "t");
  if (!iterations || !take_literal(rest, ",")) return std::nullopt;
  const auto lanes = take_parameter(rest, "p");
  if (!lanes || *lanes != 1 || !take_literal(rest, "$")) return std::nullopt;
  const std::size_t salt_end = rest.find('$');
  if (salt_end == 0 || salt_end == std::string_view::npos || salt_end + 1 == rest.size()) return std::nullopt;
  return PhcCost{*memory, *iterations};
}

}  // namespace

std::string hash_password(std::string_view password, const Argon2Params& params) {
  ensure_sodium_initialized();
  if (params.iterations < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.iterations > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      params.memory_kib < crypto_pwhash_argon2id_MEMLIMIT_MIN / 1024 ||
      params.memory_kib > crypto_pwhash_argon2id_MEMLIMIT_MAX / 1024) {
    throw std::invalid_argument("Argon2id parameters outside libsodium's limits");
  }
  char phc[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(phc, chars_of(password), password.size(), params.iterations,
                            static_cast<std::size_t>(params.memory_kib * 1024), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("Argon2id hashing failed (out of memory)");
  }
  return std::string(phc);
}

bool verify_password(std::string_view phc, std::string_view password) {
  // The shape check also keeps Argon2i and other algorithms out, so a downgraded row cannot
  // be accepted.
  if (!parse_argon2id_cost(phc)) return false;
  ensure_sodium_initialized();
  const std::string terminated(phc);
  return crypto_pwhash_str_verify(terminated.c_str(), chars_of(password), password.size()) == 0;
}

bool needs_rehash(std::string_view phc, const Argon2Params& params) {
  const auto cost = parse_argon2id_cost(phc);
  if (!cost) return true;
  return cost->memory_kib < params.memory_kib || cost->iterations < params.iterations;
}

}  // namespace polysim::auth
