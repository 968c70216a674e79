// The one way identity code reports a refusal: the trader surface's error vocabulary
// (20-trader-api.md §1) without any HTTP machinery, rendered by the trader API.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace polysim::auth {

struct AuthFailure : std::runtime_error {
  int status;
  std::string error;  // snake_case; the surface upper-cases it into `code`
  std::string message;
  std::optional<std::int64_t> retry_after_s;
  std::vector<std::pair<std::string, std::string>> details;  // field, message

  AuthFailure(int status_code, std::string error_code, std::string text)
      : std::runtime_error(error_code), status(status_code), error(std::move(error_code)), message(std::move(text)) {}
};

inline AuthFailure validation_failure(std::string field, std::string problem) {
  AuthFailure f(400, "validation_error", "The request is invalid.");
  f.details.emplace_back(std::move(field), std::move(problem));
  return f;
}

inline AuthFailure invalid_credentials() { return {401, "invalid_credentials", "Invalid email or password."}; }
inline AuthFailure unauthorized() { return {401, "unauthorized", "Authentication required."}; }
inline AuthFailure invalid_or_expired_token() {
  return {400, "invalid_or_expired_token", "The token is invalid or has expired."};
}
inline AuthFailure user_disabled() { return {403, "user_disabled", "This user is disabled."}; }
inline AuthFailure tenant_disabled() { return {403, "tenant_disabled", "This tenant is disabled."}; }

}  // namespace polysim::auth
