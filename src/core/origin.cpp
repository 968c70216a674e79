#include "core/origin.hpp"

#include <algorithm>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <limits>

#include "core/json_writer.hpp"

namespace polysim {

namespace {

constexpr std::size_t kMaxRedirectUrlLength = 2048;
constexpr std::size_t kMaxHostLength = 253;
constexpr std::size_t kMaxLabelLength = 63;

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<std::uint16_t> default_port_of(std::string_view scheme) {
  if (iequals_ascii(scheme, "https")) return 443;
  if (iequals_ascii(scheme, "http")) return 80;
  return std::nullopt;
}

bool is_loopback_host(std::string_view host) { return host == "localhost" || host == "127.0.0.1" || host == "[::1]"; }

bool is_ldh_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (const char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::optional<std::string> label_to_ascii(std::string_view label) {
  bool all_ascii = true;
  for (const char c : label) all_ascii = all_ascii && static_cast<unsigned char>(c) < 0x80;
  if (all_ascii) {
    std::string lowered(label);
    for (char& c : lowered) c = ascii_lower(c);
    return lowered;
  }
  std::u32string code_points;
  std::size_t pos = 0;
  while (pos < label.size()) {
    const Utf8Char decoded = decode_utf8_char(label, pos);
    if (!decoded.valid) return std::nullopt;
    const char32_t c = decoded.code_point;
    code_points.push_back(c < 0x80 ? static_cast<char32_t>(ascii_lower(static_cast<char>(c))) : c);
    pos += decoded.length;
  }
  const std::optional<std::string> encoded = punycode_encode(code_points);
  if (!encoded) return std::nullopt;
  return "xn--" + *encoded;
}

// A DNS name or dotted-decimal IPv4 address, possibly with UTF-8 labels; returns the
// canonical ASCII host.
std::optional<std::string> normalize_host_name(std::string_view host) {
  if (host.empty()) return std::nullopt;
  std::string normalized;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view label = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    const std::optional<std::string> ascii_label = label_to_ascii(label);
    if (!ascii_label || !is_ldh_label(*ascii_label)) return std::nullopt;
    if (!normalized.empty()) normalized.push_back('.');
    normalized += *ascii_label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (normalized.size() > kMaxHostLength) return std::nullopt;

  // Browsers read a host whose last label is numeric as an IPv4 address in some legacy
  // spelling (127.1, 0x7f.0.0.1). Only dotted decimal is accepted, so each address has one
  // spelling and no name can alias an address.
  const std::size_t last_dot = normalized.rfind('.');
  const std::string_view last_label =
      last_dot == std::string::npos ? std::string_view(normalized) : std::string_view(normalized).substr(last_dot + 1);
  const bool numeric_last_label = last_label.find_first_not_of("0123456789") == std::string_view::npos ||
                                  (last_label.size() >= 2 && last_label.substr(0, 2) == "0x" &&
                                   last_label.find_first_not_of("0123456789abcdef", 2) == std::string_view::npos);
  if (numeric_last_label) {
    const auto address = boost::urls::parse_ipv4_address(normalized);
    if (!address) return std::nullopt;
    return address->to_string();
  }
  return normalized;
}

std::string bracketed_ipv6(const boost::urls::ipv6_address& address) { return "[" + address.to_string() + "]"; }

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint32_t port = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
    if (port > std::numeric_limits<std::uint16_t>::max()) return std::nullopt;
  }
  if (port == 0) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

enum class OriginProblem { BadSyntax, SchemeNotAllowed };

struct OriginParts {
  std::string scheme;
  std::string host;
  std::uint16_t port;
};

// `host` is already canonical; `port_text` is the text after ':' when a ':' was present.
std::variant<OriginParts, OriginProblem> make_origin_parts(std::string_view scheme, std::string host,
                                                           std::optional<std::string_view> port_text) {
  const std::optional<std::uint16_t> default_port = default_port_of(scheme);
  if (!default_port) return OriginProblem::SchemeNotAllowed;
  std::uint16_t port = *default_port;
  if (port_text) {
    const std::optional<std::uint16_t> explicit_port = parse_port(*port_text);
    if (!explicit_port) return OriginProblem::BadSyntax;
    port = *explicit_port;
  }
  const bool https = *default_port == 443;
  if (!https && !is_loopback_host(host)) return OriginProblem::SchemeNotAllowed;
  return OriginParts{https ? "https" : "http", std::move(host), port};
}

std::variant<OriginParts, OriginProblem> origin_parts_of(const boost::urls::url_view& url) {
  std::optional<std::string> host;
  switch (url.host_type()) {
    case boost::urls::host_type::name:
      host = normalize_host_name(url.host_name());
      break;
    case boost::urls::host_type::ipv4:
      host = url.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      host = bracketed_ipv6(url.host_ipv6_address());
      break;
    case boost::urls::host_type::ipvfuture:
    case boost::urls::host_type::none:
      break;
  }
  if (!host) return OriginProblem::BadSyntax;
  std::optional<std::string_view> port_text;
  if (url.has_port()) port_text = std::string_view(url.port().data(), url.port().size());
  return make_origin_parts(std::string_view(url.scheme().data(), url.scheme().size()), std::move(*host), port_text);
}

std::uint32_t punycode_adapt(std::uint32_t delta, std::uint32_t point_count, bool first_time) {
  constexpr std::uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / point_count;
  std::uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

char punycode_digit(std::uint32_t value) {
  return value < 26 ? static_cast<char>('a' + value) : static_cast<char>('0' + (value - 26));
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void append_percent_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (is_unreserved(c)) {
      out.push_back(c);
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0F]);
  }
}

}  // namespace

Origin::Origin(std::string scheme, std::string host, std::uint16_t port)
    : scheme_(std::move(scheme)), host_(std::move(host)), port_(port) {
  text_ = scheme_ + "://" + host_;
  if (port_ != *default_port_of(scheme_)) text_ += ":" + std::to_string(port_);
}

std::optional<Origin> Origin::parse(std::string_view text) {
  const std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = text.substr(0, separator);
  std::string_view authority = text.substr(separator + 3);
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.empty()) return std::nullopt;
  for (const char c : authority) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F || c == '/' || c == '?' || c == '#' || c == '@' || c == '\\' || c == '%') {
      return std::nullopt;
    }
  }

  std::optional<std::string> host;
  std::string_view after_host;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto address = boost::urls::parse_ipv6_address(authority.substr(1, close - 1));
    if (address) host = bracketed_ipv6(*address);
    after_host = authority.substr(close + 1);
  } else {
    const std::size_t colon = authority.find(':');
    host = normalize_host_name(authority.substr(0, colon));
    if (colon != std::string_view::npos) after_host = authority.substr(colon);
  }
  if (!host) return std::nullopt;

  std::optional<std::string_view> port_text;
  if (!after_host.empty()) {
    if (after_host.front() != ':') return std::nullopt;
    port_text = after_host.substr(1);
  }
  auto parts = make_origin_parts(scheme, std::move(*host), port_text);
  auto* valid = std::get_if<OriginParts>(&parts);
  if (valid == nullptr) return std::nullopt;
  return Origin(std::move(valid->scheme), std::move(valid->host), valid->port);
}

std::optional<Origin> origin_of_url(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->has_userinfo()) return std::nullopt;
  auto parts = origin_parts_of(*parsed);
  auto* valid = std::get_if<OriginParts>(&parts);
  if (valid == nullptr) return std::nullopt;
  return Origin(std::move(valid->scheme), std::move(valid->host), valid->port);
}

std::variant<Origin, RedirectUrlError> check_redirect_url(std::string_view url) {
  if (url.size() > kMaxRedirectUrlLength) return RedirectUrlError::TooLong;
  const auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return RedirectUrlError::Unparseable;
  const boost::urls::url_view& view = *parsed;
  if (!view.has_scheme()) return RedirectUrlError::NotAbsolute;
  if (!default_port_of(std::string_view(view.scheme().data(), view.scheme().size()))) {
    return RedirectUrlError::BadScheme;
  }
  if (!view.has_authority()) return RedirectUrlError::Unparseable;
  if (view.has_userinfo()) return RedirectUrlError::Userinfo;
  if (view.has_fragment()) return RedirectUrlError::Fragment;

  auto parts = origin_parts_of(view);
  if (const auto* problem = std::get_if<OriginProblem>(&parts)) {
    return *problem == OriginProblem::SchemeNotAllowed ? RedirectUrlError::BadScheme : RedirectUrlError::Unparseable;
  }
  for (const auto& param : view.params()) {
    if (iequals_ascii(param.key, "token")) return RedirectUrlError::TokenParameter;
  }
  auto& valid = std::get<OriginParts>(parts);
  return Origin(std::move(valid.scheme), std::move(valid.host), valid.port);
}

std::string append_query_param(std::string_view url, std::string_view name, std::string_view value) {
  const std::size_t fragment_start = std::min(url.find('#'), url.size());
  const std::string_view before_fragment = url.substr(0, fragment_start);

  std::string result(before_fragment);
  result.reserve(url.size() + name.size() + value.size() + 2);
  if (before_fragment.find('?') == std::string_view::npos) {
    result.push_back('?');
  } else if (before_fragment.back() != '?' && before_fragment.back() != '&') {
    result.push_back('&');
  }
  append_percent_encoded(result, name);
  result.push_back('=');
  append_percent_encoded(result, value);
  result += url.substr(fragment_start);
  return result;
}

std::optional<std::string> punycode_encode(std::u32string_view code_points) {
  constexpr std::uint32_t kBase = 36, kTMin = 1, kTMax = 26, kInitialBias = 72, kInitialN = 0x80;
  constexpr std::uint32_t kMaxInt = std::numeric_limits<std::uint32_t>::max();

  std::string output;
  for (const char32_t c : code_points) {
    if (c > 0x10FFFF) return std::nullopt;
    if (c < 0x80) output.push_back(static_cast<char>(c));
  }
  if (code_points.size() >= kMaxInt) return std::nullopt;
  const auto basic_count = static_cast<std::uint32_t>(output.size());
  const auto total_count = static_cast<std::uint32_t>(code_points.size());
  if (basic_count > 0) output.push_back('-');

  std::uint32_t n = kInitialN;
  std::uint32_t delta = 0;
  std::uint32_t bias = kInitialBias;
  std::uint32_t handled = basic_count;
  while (handled < total_count) {
    std::uint32_t next = kMaxInt;
    for (const char32_t c : code_points) {
      if (c >= n && c < next) next = static_cast<std::uint32_t>(c);
    }
    if (next - n > (kMaxInt - delta) / (handled + 1)) return std::nullopt;
    delta += (next - n) * (handled + 1);
    n = next;
    for (const char32_t c : code_points) {
      if (c < n) {
        if (delta == kMaxInt) return std::nullopt;
        ++delta;
      } else if (c == n) {
        std::uint32_t q = delta;
        for (std::uint32_t k = kBase;; k += kBase) {
          const std::uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) break;
          output.push_back(punycode_digit(t + (q - t) % (kBase - t)));
          q = (q - t) / (kBase - t);
        }
        output.push_back(punycode_digit(q));
        bias = punycode_adapt(delta, handled + 1, handled == basic_count);
        delta = 0;
        ++handled;
      }
    }
    ++delta;
    ++n;
  }
  return output;
}

}  // namespace polysim
