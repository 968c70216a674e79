#include "auth/client_ip.hpp"

#include <algorithm>
#include <stdexcept>

namespace polysim::auth {

namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t") == std::string_view::npos; }

ClientIp client_of(const IpAddress& address, int ipv6_prefix) {
  std::string text = format_ip_address(address);
  if (!address.is_v6) return ClientIp{text, text};
  return ClientIp{std::move(text), format_ip_address(masked(address, ipv6_prefix)) + '/' + std::to_string(ipv6_prefix)};
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view csv) {
  TrustedProxies proxies;
  if (is_blank(csv)) return proxies;
  for (const std::string_view item : split_commas(csv)) {
    const auto network = parse_ip_network(item);
    if (!network) return std::nullopt;
    proxies.networks_.push_back(*network);
  }
  return proxies;
}

bool TrustedProxies::contains(std::string_view address) const {
  const auto parsed = parse_ip_endpoint(address);
  return parsed && contains(*parsed);
}

bool TrustedProxies::contains(const IpAddress& address) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& network) { return network_contains(network, address); });
}

ClientIp resolve_client_ip(std::string_view peer, std::span<const std::string_view> forwarded_for_values,
                           const TrustedProxies& trusted, int ipv6_prefix) {
  if (ipv6_prefix < 0 || ipv6_prefix > 128) throw std::invalid_argument("IPv6 prefix must be 0 to 128 bits");
  const auto peer_address = parse_ip_endpoint(peer);
  if (!peer_address) return ClientIp{std::string(peer), std::string(peer)};
  const ClientIp peer_client = client_of(*peer_address, ipv6_prefix);
  if (!trusted.contains(*peer_address)) return peer_client;

  std::vector<std::string_view> entries;
  for (const std::string_view value : forwarded_for_values) {
    for (const std::string_view entry : split_commas(value)) {
      // HTTP list syntax allows empty elements; they name nobody.
      if (!is_blank(entry)) entries.push_back(entry);
    }
  }
  std::optional<IpAddress> client;
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    client = parse_ip_endpoint(*entry);
    if (!client) return peer_client;
    if (!trusted.contains(*client)) break;
  }
  // With every entry trusted the loop ends on the leftmost one, which is then the client.
  return client ? client_of(*client, ipv6_prefix) : peer_client;
}

}  // namespace polysim::auth
