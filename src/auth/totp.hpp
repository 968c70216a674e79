// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) as authenticator apps implement
// them: HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace polysim::auth {

inline constexpr std::int64_t kTotpPeriodSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr std::size_t kTotpSecretBytes = 20;  // the HMAC-SHA-1 output size, as RFC 4226 recommends

// The zero-padded decimal code for `counter`. `digits` is 6 to 8 (8 only for the RFC test
// vectors); anything else throws std::invalid_argument.
std::string hotp_code(std::span<const std::uint8_t> secret, std::uint64_t counter, int digits = kTotpDigits);

// floor(unix_seconds / 30), also for times before the epoch.
std::int64_t totp_step(std::int64_t unix_seconds);

// The step whose code equals `code`, among the steps before, at and after now (tried in that
// order), skipping any step at or before `last_accepted_step` so that a code works only once.
// `code` must be exactly 6 ASCII digits. nullopt when nothing matches.
std::optional<std::int64_t> verify_totp(std::span<const std::uint8_t> secret, std::string_view code,
                                        std::int64_t unix_seconds, std::optional<std::int64_t> last_accepted_step);

// kTotpSecretBytes from the CSPRNG.
std::vector<std::uint8_t> new_totp_secret();

// Uppercase RFC 4648 base32 without padding, the spelling authenticator apps expect.
std::string totp_secret_base32(std::span<const std::uint8_t> secret);
// Accepts either case, no padding or spaces; nullopt for empty or non-canonical text.
std::optional<std::vector<std::uint8_t>> parse_totp_secret_base32(std::string_view text);

// otpauth://totp/<issuer>:<email>?secret=..&issuer=..&algorithm=SHA1&digits=6&period=30, with
// the label parts and the issuer parameter percent-encoded (everything but RFC 3986
// unreserved characters), for the enrolment QR code.
std::string otpauth_uri(std::string_view issuer, std::string_view account_email, std::string_view secret_base32);

}  // namespace polysim::auth
