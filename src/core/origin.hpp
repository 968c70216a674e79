// Web origins (scheme://host[:port]) in one canonical spelling, so CORS, CSRF and login
// redirect allowlists can compare them with plain equality: no wildcard or subdomain
// matching exists anywhere, and two spellings of one origin must never compare unequal.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace polysim {

enum class RedirectUrlError { Unparseable, NotAbsolute, BadScheme, Userinfo, Fragment, TokenParameter, TooLong };

class Origin;

// Absolute http(s) URL → its origin; any path, query or fragment is ignored. nullopt for
// anything else, including URLs with userinfo (never legitimate in what we receive, and a
// classic way to disguise a host).
std::optional<Origin> origin_of_url(std::string_view url);

// Validates a post-login redirect target and returns its origin, which the caller then
// compares to its allowlist. Checks, in this order: at most 2048 bytes (TooLong); RFC 3986
// syntax, ASCII only (Unparseable); has a scheme (NotAbsolute); scheme is http or https
// (BadScheme); no userinfo, not even an empty one (Userinfo); no fragment, not even a bare
// '#' (Fragment); a usable host and port (Unparseable) with http only for loopback hosts
// (BadScheme); no query parameter named "token" in any letter case or percent-encoding
// (TokenParameter), because the login token is appended to this URL.
std::variant<Origin, RedirectUrlError> check_redirect_url(std::string_view url);

// Canonical form: lowercase scheme and host; non-ASCII host labels as punycode "xn--" labels;
// IPv6 hosts in brackets in RFC 5952 form; the port only when not the scheme's default.
// Only https is allowed, except http for the loopback hosts localhost, 127.0.0.1 and [::1].
// Limitations: non-ASCII letters are not case-folded and no Unicode normalization (NFC) is
// applied before punycode, so configure IDN origins in lowercase NFC or as "xn--" labels.
class Origin {
 public:
  // Accepts exactly scheme://host[:port] with an optional trailing "/" (as browsers send
  // and people paste); any other path, a query, fragment or userinfo is refused.
  static std::optional<Origin> parse(std::string_view text);

  const std::string& str() const noexcept { return text_; }
  const std::string& scheme() const noexcept { return scheme_; }
  const std::string& host() const noexcept { return host_; }
  // The effective port: 443 or 80 when the origin spelled none.
  std::uint16_t port() const noexcept { return port_; }

  friend bool operator==(const Origin&, const Origin&) = default;

 private:
  Origin(std::string scheme, std::string host, std::uint16_t port);

  friend std::optional<Origin> origin_of_url(std::string_view url);
  friend std::variant<Origin, RedirectUrlError> check_redirect_url(std::string_view url);

  std::string scheme_;
  std::string host_;
  std::uint16_t port_;
  std::string text_;
};

// Appends name=value as a query parameter, before any fragment, with '?' or '&' as needed.
// Both are taken as plain text: every byte outside the RFC 3986 unreserved set is
// percent-encoded, so a value that is already URL-safe (such as a base64url token) is
// appended unchanged.
std::string append_query_param(std::string_view url, std::string_view name, std::string_view value);

// RFC 3492 encoding of one label's code points, without the "xn--" prefix. Case of ASCII
// letters is kept. nullopt for code points above U+10FFFF or on arithmetic overflow.
std::optional<std::string> punycode_encode(std::u32string_view code_points);

}  // namespace polysim
