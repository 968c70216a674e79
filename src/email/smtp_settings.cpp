#include "email/smtp_settings.hpp"

#include <algorithm>

namespace polysim::email {

namespace {

bool fail(std::string* error, std::string reason) {
  if (error) *error = std::move(reason);
  return false;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  const char l = ascii_lower(c);
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  // AUTH PLAIN separates its fields with NUL, so a NUL inside one would forge another field.
  if (out.find('\0') != std::string::npos) return std::nullopt;
  return out;
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_';
  });
}

bool valid_ipv6_literal(std::string_view host) {
  if (host.empty() || host.size() > 45) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return hex_value(c) >= 0 || c == ':' || c == '.'; });
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool parse_user_info(std::string_view user_info, SmtpSettings& out, std::string* error) {
  const auto colon = user_info.find(':');
  const auto user = percent_decode(user_info.substr(0, colon));
  const auto password =
      colon == std::string_view::npos ? std::optional<std::string>("") : percent_decode(user_info.substr(colon + 1));
  if (!user || !password)
    return fail(error, "invalid percent-encoding in the SMTP user or password (%XX, and no %00)");
  if (user->empty()) return fail(error, "the SMTP URL has an '@' but no user name");
  out.username = *user;
  out.password = *password;
  return true;
}

bool parse_host_and_port(std::string_view host_port, SmtpSettings& out, std::string* error) {
  if (!host_port.empty() && host_port.back() == '/') host_port.remove_suffix(1);
  if (host_port.find_first_of("/?#") != std::string_view::npos)
    return fail(error, "the SMTP URL may not have a path, query or fragment");
  std::string_view host;
  std::string_view rest;
  if (!host_port.empty() && host_port.front() == '[') {
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return fail(error, "the SMTP URL has an unclosed '[' in its host");
    host = host_port.substr(1, close - 1);
    rest = host_port.substr(close + 1);
    if (!valid_ipv6_literal(host)) return fail(error, "the SMTP URL has an invalid IPv6 address");
  } else {
    const auto colon = host_port.find(':');
    host = host_port.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : host_port.substr(colon);
    if (host.empty()) return fail(error, "the SMTP URL has no host");
    if (!valid_host_name(host))
      return fail(error, "the SMTP URL has an invalid host (IPv6 addresses go in brackets: [::1])");
  }
  out.host = std::string(host);
  if (rest.empty()) return true;
  if (rest.front() != ':') return fail(error, "unexpected characters after the SMTP host");
  const auto port = parse_port(rest.substr(1));
  if (!port) return fail(error, "the SMTP URL has an invalid port (expected 1-65535)");
  out.port = *port;
  return true;
}

}  // namespace

std::optional<SmtpSettings> SmtpSettings::parse(std::string_view url, std::string* error) {
  const auto separator = url.find("://");
  if (separator == std::string_view::npos) {
    fail(error, "not an SMTP URL: expected smtp://[user[:password]@]host[:port]");
    return std::nullopt;
  }
  std::string scheme;
  for (char c : url.substr(0, separator)) scheme += ascii_lower(c);
  if (scheme == "smtps") {
    fail(error, "smtps:// (implicit TLS) is not supported yet, and neither is STARTTLS; use smtp:// to a relay "
                "on a trusted network");
    return std::nullopt;
  }
  if (scheme != "smtp") {
    const bool printable = scheme.size() <= 16 && std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
    });
    fail(error, (printable ? "unsupported URL scheme '" + scheme + "'" : std::string("unsupported URL scheme")) +
                    ": expected smtp://");
    return std::nullopt;
  }

  // The last '@' ends the user info, so an unencoded '@' in a password still parses.
  const auto authority = url.substr(separator + 3);
  const auto at = authority.rfind('@');
  SmtpSettings settings;
  if (at != std::string_view::npos && !parse_user_info(authority.substr(0, at), settings, error)) return std::nullopt;
  const auto host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (!parse_host_and_port(host_port, settings, error)) return std::nullopt;
  return settings;
}

}  // namespace polysim::email
