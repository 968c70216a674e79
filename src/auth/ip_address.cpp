#include "auth/ip_address.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>

namespace polysim::auth {

namespace {

// Longer than any IPv6 text form, including the IPv4-suffixed one.
constexpr std::size_t kMaxAddressText = INET6_ADDRSTRLEN;
constexpr std::size_t kMaxPortDigits = 5;
constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

std::string_view trim_blanks(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool is_port(std::string_view text) {
  if (text.empty() || text.size() > kMaxPortDigits) return false;
  unsigned port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() && port <= 65535;
}

IpAddress unmapped(const IpAddress& address) {
  if (!address.is_v6 || !std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin())) {
    return address;
  }
  IpAddress v4;
  std::copy_n(address.bytes.begin() + kMappedPrefix.size(), 4, v4.bytes.begin());
  return v4;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.empty() || text.size() >= kMaxAddressText) return std::nullopt;
  const std::string terminated(text);  // inet_pton wants a C string
  IpAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  address.is_v6 = true;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) return unmapped(address);
  return std::nullopt;
}

std::optional<IpAddress> parse_ip_endpoint(std::string_view text) {
  text = trim_blanks(text);
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view after = text.substr(close + 1);
    if (!after.empty() && !(after.starts_with(':') && is_port(after.substr(1)))) return std::nullopt;
    const std::string_view inside = text.substr(1, close - 1);
    // Brackets belong to IPv6 only; "[1.2.3.4]" is not a spelling any proxy produces.
    if (inside.find(':') == std::string_view::npos) return std::nullopt;
    return parse_ip_address(inside);
  }
  const std::size_t colon = text.find(':');
  // With exactly one colon the text is IPv4 with a port; with several it is bare IPv6.
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    if (!is_port(text.substr(colon + 1))) return std::nullopt;
    const auto address = parse_ip_address(text.substr(0, colon));
    if (!address || address->is_v6) return std::nullopt;
    return address;
  }
  return parse_ip_address(text);
}

std::string format_ip_address(const IpAddress& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(address.is_v6 ? AF_INET6 : AF_INET, address.bytes.data(), text.data(), text.size());
  return std::string(text.data());
}

IpAddress masked(const IpAddress& address, int prefix_bits) {
  IpAddress result = address;
  const int bit_count = address.bit_count();
  for (int bit = std::max(prefix_bits, 0); bit < bit_count; ++bit) {
    result.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return result;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  text = trim_blanks(text);
  const std::size_t slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  if (slash == std::string_view::npos) return IpNetwork{*address, address->bit_count()};

  const std::string_view length_text = text.substr(slash + 1);
  unsigned length = 0;
  const auto [end, error] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (length_text.empty() || length_text.size() > 3 || error != std::errc() ||
      end != length_text.data() + length_text.size()) {
    return std::nullopt;
  }
  int prefix_bits = static_cast<int>(length);
  // A mapped network ("::ffff:10.0.0.0/104") has already become IPv4; its length follows.
  const bool was_mapped = !address->is_v6 && text.substr(0, slash).find(':') != std::string_view::npos;
  if (was_mapped) prefix_bits -= 96;
  if (prefix_bits < 0 || prefix_bits > address->bit_count()) return std::nullopt;
  if (masked(*address, prefix_bits) != *address) return std::nullopt;
  return IpNetwork{*address, prefix_bits};
}

bool network_contains(const IpNetwork& network, const IpAddress& address) {
  return address.is_v6 == network.base.is_v6 && masked(address, network.prefix_bits) == network.base;
}

}  // namespace polysim::auth
