// The rules a new trader password must meet, answered as one stable problem code that the
// API returns and the dashboard translates. Length rules count Unicode code points so that
// a passphrase in any script gets the same allowance.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

namespace polysim::auth {

inline constexpr std::size_t kMinPasswordCodePoints = 12;
inline constexpr std::size_t kMaxPasswordCodePoints = 128;
// Bounds the Argon2 input and the request body independently of the script used.
inline constexpr std::size_t kMaxPasswordBytes = 512;

// "too_short", "too_long", "too_common" or "contains_email" (the local part of the email, at
// least 3 characters, found anywhere in the password ignoring ASCII case); nullopt when the
// password is acceptable. `password` must be valid UTF-8.
std::optional<std::string_view> password_problem(std::string_view password, std::string_view normalized_email);

}  // namespace polysim::auth
