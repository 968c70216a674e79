// Which client a request comes from, for rate limiting. Behind a reverse proxy the socket
// peer is the proxy, so X-Forwarded-For is read, but only as far as it was written by
// proxies we trust: everything left of that is whatever the client chose to send.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/ip_address.hpp"

namespace polysim::auth {

class TrustedProxies {
 public:
  // Comma-separated CIDRs ("10.0.0.0/8, 2001:db8::/32"); a bare address is /32 or /128. An
  // empty (or blank) list trusts nobody. nullopt when any entry is malformed or empty.
  static std::optional<TrustedProxies> parse(std::string_view csv);

  // `address` may carry a port or brackets as in parse_ip_endpoint(); false when malformed.
  bool contains(std::string_view address) const;
  bool contains(const IpAddress& address) const;

 private:
  std::vector<IpNetwork> networks_;
};

struct ClientIp {
  std::string address;  // canonical text; IPv4-mapped IPv6 is written as IPv4
  // The rate-limit key: the IPv4 address, or the IPv6 network of the configured prefix with
  // its length ("2001:db8:1:2::/64"), since one IPv6 subscriber is typically handed a whole /64.
  std::string bucket;
};

// If the peer is not a trusted proxy, the peer. Otherwise the X-Forwarded-For values (each
// header line comma-separated, lines in order) are walked from the right past trusted
// entries; the first untrusted entry is the client, or the leftmost entry when all are
// trusted. A malformed entry met on the way makes the peer the answer. Ports are ignored.
// A peer that is not an IP address is returned as it is. `ipv6_prefix` must be 0 to 128
// (std::invalid_argument otherwise).
ClientIp resolve_client_ip(std::string_view peer, std::span<const std::string_view> forwarded_for_values,
                           const TrustedProxies& trusted, int ipv6_prefix);

}  // namespace polysim::auth
