#include "auth/password_policy.hpp"

#include <cstddef>
#include <string>

#include "auth/ascii_case.hpp"
#include "auth/common_passwords.hpp"
#include "core/encoding.hpp"

namespace polysim::auth {

namespace {

// Only the minimum length on the email's local part makes it a meaningful signal: "al" would
// forbid half of all passwords, while "ada" or "jsmith" is what an attacker tries first.
constexpr std::size_t kMinEmailLocalPartCodePoints = 3;

std::string_view email_local_part(std::string_view email) {
  const std::size_t at = email.rfind('@');
  return at == std::string_view::npos ? email : email.substr(0, at);
}

bool contains_email_local_part(std::string_view password, std::string_view normalized_email) {
  const std::string_view local_part = email_local_part(normalized_email);
  if (utf8_code_points(local_part) < kMinEmailLocalPartCodePoints) return false;
  return ascii_lowercase(password).find(ascii_lowercase(local_part)) != std::string::npos;
}

}  // namespace

std::optional<std::string_view> password_problem(std::string_view password, std::string_view normalized_email) {
  const std::size_t code_points = utf8_code_points(password);
  if (code_points < kMinPasswordCodePoints) return "too_short";
  if (code_points > kMaxPasswordCodePoints || password.size() > kMaxPasswordBytes) return "too_long";
  if (is_common_password(password)) return "too_common";
  if (contains_email_local_part(password, normalized_email)) return "contains_email";
  return std::nullopt;
}

}  // namespace polysim::auth
