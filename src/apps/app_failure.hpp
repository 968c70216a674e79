// A refusal on the App API (30-partner-apps.md §2.3): status, the `x-error-code` and the one
// message apps may show as is. Domain code of the apps module throws it; the surface renders it
// as {"statusCode":n,"message":"…"}.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

namespace polysim::apps {

struct AppFailure : std::runtime_error {
  int status;
  std::string code;
  std::optional<int> retry_after_s;
  AppFailure(int s, std::string c, const std::string& message, std::optional<int> retry = std::nullopt)
      : std::runtime_error(message), status(s), code(std::move(c)), retry_after_s(retry) {}
};

inline constexpr const char* kUserCapMessage =
    "This app has reached its testing limit of 20 users. Sign the partner agreement to enable live mode and "
    "continue adding users.";
inline constexpr const char* kTradeCapMessage =
    "This app has reached its testing limit of 100 trades. Sign the partner agreement to enable live mode and "
    "continue placing trades.";

inline AppFailure invalid_code() { return {401, "invalid_code", "Invalid or expired code."}; }
inline AppFailure invalid_access_token() { return {401, "invalid_access_token", "Invalid or expired access token."}; }
inline AppFailure invalid_refresh_token() { return {401, "invalid_refresh_token", "Invalid or expired refresh token."}; }
inline AppFailure user_disabled() { return {403, "user_disabled", "This user account is disabled."}; }
inline AppFailure user_cap_reached() { return {403, "testing_user_limit_reached", kUserCapMessage}; }
inline AppFailure trade_cap_reached() { return {403, "testing_trade_limit_reached", kTradeCapMessage}; }
inline AppFailure validation_failed(const std::string& message) { return {400, "validation_failed", message}; }

}  // namespace polysim::apps
