// Where the SMTP transport hands mail over, parsed from one URL so an operator configures a relay
// with a single setting: smtp://[user[:password]@]host[:port].
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polysim::email {

struct SmtpSettings {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  std::uint16_t port = 25;
  // Percent-decoded. AUTH is attempted only when a username is present.
  std::string username;
  std::string password;

  bool has_credentials() const { return !username.empty(); }

  // Returns nullopt and, when error is given, a one-line reason. Reasons never repeat the URL,
  // which may hold a password.
  static std::optional<SmtpSettings> parse(std::string_view url, std::string* error);
};

}  // namespace polysim::email
