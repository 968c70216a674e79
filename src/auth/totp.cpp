#include "auth/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "auth/ascii_case.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::auth {

namespace {

constexpr std::array<std::uint32_t, 9> kPowersOfTen = {1,      10,      100,      1'000,      10'000,
                                                       100'000, 1'000'000, 10'000'000, 100'000'000};

std::array<std::uint8_t, 8> big_endian(std::uint64_t value) {
  std::array<std::uint8_t, 8> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  return bytes;
}

bool is_ascii_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  constexpr std::string_view kHexDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0x0F];
    }
  }
  return out;
}

}  // namespace

std::string hotp_code(std::span<const std::uint8_t> secret, std::uint64_t counter, int digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("HOTP codes have 6 to 8 digits");
  const auto message = big_endian(counter);
  // In OpenSSL's HMAC API a null key means "keep the previous key", so an empty secret still
  // passes a real pointer.
  static constexpr std::uint8_t kNoKey = 0;
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha1(), secret.empty() ? &kNoKey : secret.data(), static_cast<int>(secret.size()), message.data(),
           message.size(), mac.data(), &mac_size) == nullptr ||
      mac_size != 20) {
    throw std::runtime_error("HMAC-SHA-1 failed");
  }
  // RFC 4226 section 5.3 dynamic truncation.
  const std::size_t offset = mac[19] & 0x0F;
  const std::uint32_t truncated = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                                  (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                                  (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::string code = std::to_string(truncated % kPowersOfTen[static_cast<std::size_t>(digits)]);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::int64_t totp_step(std::int64_t unix_seconds) {
  const std::int64_t quotient = unix_seconds / kTotpPeriodSeconds;
  return (unix_seconds % kTotpPeriodSeconds < 0) ? quotient - 1 : quotient;
}

std::optional<std::int64_t> verify_totp(std::span<const std::uint8_t> secret, std::string_view code,
                                        std::int64_t unix_seconds, std::optional<std::int64_t> last_accepted_step) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits) || !is_ascii_digits(code)) return std::nullopt;
  const std::int64_t now_step = totp_step(unix_seconds);
  // One step either side absorbs clock drift and the time it takes to type the code.
  for (const std::int64_t step : {now_step - 1, now_step, now_step + 1}) {
    if (step < 0 || (last_accepted_step && step <= *last_accepted_step)) continue;
    if (constant_time_equal(hotp_code(secret, static_cast<std::uint64_t>(step)), code)) return step;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> new_totp_secret() {
  std::vector<std::uint8_t> secret(kTotpSecretBytes);
  random_bytes(secret);
  return secret;
}

std::string totp_secret_base32(std::span<const std::uint8_t> secret) {
  return ascii_uppercase(base32_encode(secret));
}

std::optional<std::vector<std::uint8_t>> parse_totp_secret_base32(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return base32_decode(ascii_lowercase(text));
}

std::string otpauth_uri(std::string_view issuer, std::string_view account_email, std::string_view secret_base32) {
  const std::string encoded_issuer = percent_encode(issuer);
  std::string uri = "otpauth://totp/";
  uri += encoded_issuer;
  uri += ':';
  uri += percent_encode(account_email);
  uri += "?secret=";
  uri += percent_encode(secret_base32);
  uri += "&issuer=";
  uri += encoded_issuer;
  uri += "&algorithm=SHA1&digits=";
  uri += std::to_string(kTotpDigits);
  uri += "&period=";
  uri += std::to_string(kTotpPeriodSeconds);
  return uri;
}

}  // namespace polysim::auth
