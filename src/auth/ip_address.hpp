// IP addresses and CIDR networks as bytes, for matching proxies and grouping clients. IPv4
// and IPv4-mapped IPv6 ("::ffff:1.2.3.4") are one family here: a dual-stack socket reports
// IPv4 peers in the mapped form, and a client must not get two rate-limit buckets that way.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polysim::auth {

struct IpAddress {
  bool is_v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  int bit_count() const noexcept { return is_v6 ? 128 : 32; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct IpNetwork {
  IpAddress base;  // host bits are zero
  int prefix_bits = 0;
};

// A bare address in standard notation (no brackets, port or zone); mapped IPv6 becomes IPv4.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// An address as it appears in a header or socket peer: surrounding spaces and tabs trimmed,
// and an optional port stripped ("1.2.3.4:5678", "[2001:db8::1]:443", "[2001:db8::1]").
std::optional<IpAddress> parse_ip_endpoint(std::string_view text);

// inet_ntop's canonical text (RFC 5952 for IPv6).
std::string format_ip_address(const IpAddress& address);

// `address` with every bit after the first `prefix_bits` cleared.
IpAddress masked(const IpAddress& address, int prefix_bits);

// "address" or "address/prefix", surrounding spaces and tabs ignored. Refuses set host bits ("10.0.0.1/8"), which usually means a
// typo in the configuration rather than the network it happens to lie in.
std::optional<IpNetwork> parse_ip_network(std::string_view text);

bool network_contains(const IpNetwork& network, const IpAddress& address);

}  // namespace polysim::auth
