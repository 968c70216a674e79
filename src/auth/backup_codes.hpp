// Single-use recovery codes for traders who lose their authenticator. A code carries 50
// random bits: enough that guessing is hopeless under the sign-in rate limit, short enough to
// write down. Only a hash of the normalised form is stored.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::auth {

inline constexpr int kDefaultBackupCodeCount = 10;
inline constexpr std::size_t kBackupCodeChars = 10;

// `count` distinct codes shaped "xxxxx-xxxxx" over the alphabet a-z2-7 (no 0/1/8/9 to mix up
// with letters). A negative count throws std::invalid_argument.
std::vector<std::string> generate_backup_codes(int count = kDefaultBackupCodeCount);

// The 10-character form that gets hashed: ASCII letters lowered, '-' and spaces dropped, then
// exactly 10 characters of a-z2-7 must remain. nullopt otherwise.
std::optional<std::string> normalize_backup_code(std::string_view input);

}  // namespace polysim::auth
