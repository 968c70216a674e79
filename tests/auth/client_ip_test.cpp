#include "auth/client_ip.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace polysim::auth {
namespace {

TrustedProxies proxies(std::string_view csv) {
  auto parsed = TrustedProxies::parse(csv);
  EXPECT_TRUE(parsed.has_value()) << csv;
  return parsed.value_or(TrustedProxies{});
}

const TrustedProxies kLoadBalancers = proxies("10.0.0.0/8, 2001:db8:ffff::/48");

ClientIp resolve(std::string_view peer, std::vector<std::string_view> forwarded_for,
                 const TrustedProxies& trusted = kLoadBalancers, int ipv6_prefix = 64) {
  return resolve_client_ip(peer, forwarded_for, trusted, ipv6_prefix);
}

TEST(ClientIpAddressTest, ParsesAndFormatsCanonically) {
  EXPECT_EQ(format_ip_address(*parse_ip_address("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("2001:DB8:0:0:0:0:0:1")), "2001:db8::1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("::ffff:192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(format_ip_address(*parse_ip_address("::FFFF:c000:0201")), "192.0.2.1");
  EXPECT_EQ(parse_ip_address("::ffff:192.0.2.1"), parse_ip_address("192.0.2.1"));
  for (const std::string_view bad : {"", "192.0.2", "192.0.2.256", "192.0.2.1 ", "fe80::1%eth0", "2001:db8::g",
                                     "[2001:db8::1]", "1.2.3.4:80", "localhost", "2001:db8::1::2"}) {
    EXPECT_EQ(parse_ip_address(bad), std::nullopt) << bad;
  }
}

TEST(ClientIpAddressTest, EndpointsLoseTheirPortAndBlanks) {
  EXPECT_EQ(parse_ip_endpoint(" 192.0.2.1:5678\t"), parse_ip_address("192.0.2.1"));
  EXPECT_EQ(parse_ip_endpoint("[2001:db8::1]:443"), parse_ip_address("2001:db8::1"));
  EXPECT_EQ(parse_ip_endpoint("[2001:db8::1]"), parse_ip_address("2001:db8::1"));
  EXPECT_EQ(parse_ip_endpoint("2001:db8::1"), parse_ip_address("2001:db8::1"));
  EXPECT_EQ(parse_ip_endpoint("[::ffff:192.0.2.1]:80"), parse_ip_address("192.0.2.1"));
  for (const std::string_view bad : {"192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:8a", "[192.0.2.1]:80",
                                     "[2001:db8::1", "[2001:db8::1]443", "[2001:db8::1]:", "[2001:db8::1]:99999",
                                     "unknown", "_hidden", ""}) {
    EXPECT_EQ(parse_ip_endpoint(bad), std::nullopt) << bad;
  }
}

TEST(ClientIpTrustedProxiesTest, EmptyListTrustsNobody) {
  for (const std::string_view empty : {"", "  "}) {
    const auto trusted = TrustedProxies::parse(empty);
    ASSERT_TRUE(trusted.has_value());
    EXPECT_FALSE(trusted->contains("127.0.0.1"));
    EXPECT_FALSE(trusted->contains("::1"));
  }
}

TEST(ClientIpTrustedProxiesTest, MatchesIpv4AndIpv6Networks) {
  const TrustedProxies trusted = proxies(" 10.0.0.0/8 ,192.168.1.7, 2001:db8::/32,::1,0.0.0.0/0 ");
  EXPECT_TRUE(trusted.contains("10.255.0.1"));
  EXPECT_TRUE(trusted.contains("203.0.113.9"));  // via 0.0.0.0/0
  EXPECT_TRUE(trusted.contains("2001:db8:1234::1"));
  EXPECT_TRUE(trusted.contains("::1"));
  EXPECT_FALSE(trusted.contains("::2"));
  EXPECT_FALSE(trusted.contains("2001:db9::1"));
  EXPECT_FALSE(trusted.contains("not an address"));

  const TrustedProxies narrow = proxies("10.0.0.0/8,192.168.1.7");
  EXPECT_TRUE(narrow.contains("192.168.1.7"));
  EXPECT_FALSE(narrow.contains("192.168.1.8"));
  EXPECT_FALSE(narrow.contains("11.0.0.1"));
  EXPECT_TRUE(narrow.contains("::ffff:10.1.2.3"));
  EXPECT_TRUE(narrow.contains("[::ffff:10.1.2.3]:443"));
  EXPECT_TRUE(narrow.contains("10.1.2.3:443"));
}

TEST(ClientIpTrustedProxiesTest, MappedNetworksBecomeIpv4) {
  const TrustedProxies trusted = proxies("::ffff:10.0.0.0/104");
  EXPECT_TRUE(trusted.contains("10.9.9.9"));
  EXPECT_FALSE(trusted.contains("11.0.0.1"));
}

TEST(ClientIpTrustedProxiesTest, RefusesMalformedLists) {
  for (const std::string_view bad :
       {"10.0.0.0/33", "10.0.0.1/8", "2001:db8::/129", "2001:db8::1/32", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
        "10.0.0.0/8a", "10.0.0.0/ 8", "abc", "10.0.0.0/8,,192.168.0.0/16", "10.0.0.0/8,", ",10.0.0.0/8",
        "10.0.0.0/8;192.168.0.0/16", "::ffff:10.0.0.0/80", "[::1]", "10.0.0.1:80"}) {
    EXPECT_EQ(TrustedProxies::parse(bad).has_value(), false) << bad;
  }
}

TEST(ClientIpTest, UntrustedPeerIsTheClientWhateverTheHeaderSays) {
  const ClientIp client = resolve("203.0.113.7", {"198.51.100.1"});
  EXPECT_EQ(client.address, "203.0.113.7");
  EXPECT_EQ(client.bucket, "203.0.113.7");
}

TEST(ClientIpTest, TrustedPeerWithoutHeaderIsTheClient) {
  EXPECT_EQ(resolve("10.0.0.2", {}).address, "10.0.0.2");
  EXPECT_EQ(resolve("10.0.0.2", {"", " , "}).address, "10.0.0.2");
}

TEST(ClientIpTest, FirstUntrustedEntryFromTheRightIsTheClient) {
  EXPECT_EQ(resolve("10.0.0.2", {"203.0.113.7"}).address, "203.0.113.7");
  // The leftmost entry was written by the client and is ignored.
  EXPECT_EQ(resolve("10.0.0.2", {"198.51.100.1, 203.0.113.7, 10.0.0.3"}).address, "203.0.113.7");
  EXPECT_EQ(resolve("10.0.0.2", {"198.51.100.1,203.0.113.7,,10.0.0.3"}).address, "203.0.113.7");
}

TEST(ClientIpTest, SeveralHeaderLinesAreJoinedInOrder) {
  EXPECT_EQ(resolve("10.0.0.2", {"198.51.100.1, 203.0.113.7", "10.0.0.4", "10.0.0.3"}).address, "203.0.113.7");
  EXPECT_EQ(resolve("10.0.0.2", {"10.0.0.4", "198.51.100.1"}).address, "198.51.100.1");
}

TEST(ClientIpTest, AllTrustedChainGivesTheLeftmostEntry) {
  EXPECT_EQ(resolve("10.0.0.2", {"10.0.0.5, 10.0.0.4", "10.0.0.3"}).address, "10.0.0.5");
}

TEST(ClientIpTest, MalformedEntryOnTheWayGivesThePeer) {
  EXPECT_EQ(resolve("10.0.0.2", {"203.0.113.7, garbage"}).address, "10.0.0.2");
  EXPECT_EQ(resolve("10.0.0.2", {"203.0.113.7, 10.0.0.3, unknown"}).address, "10.0.0.2");
  EXPECT_EQ(resolve("10.0.0.2", {"garbage, 10.0.0.3"}).address, "10.0.0.2");
  EXPECT_EQ(resolve("10.0.0.2", {"203.0.113.7:99999"}).address, "10.0.0.2");
  // Past the client the header is the client's own business and is not read.
  EXPECT_EQ(resolve("10.0.0.2", {"garbage, 203.0.113.7, 10.0.0.3"}).address, "203.0.113.7");
}

TEST(ClientIpTest, PortsAndSpacesAreStripped) {
  EXPECT_EQ(resolve("10.0.0.2:443", {"  203.0.113.7:5678  "}).address, "203.0.113.7");
  EXPECT_EQ(resolve("10.0.0.2", {"[2001:db8::1]:443"}).address, "2001:db8::1");
  EXPECT_EQ(resolve("[2001:db8:ffff::2]:443", {"203.0.113.7"}).address, "203.0.113.7");
  EXPECT_EQ(resolve("198.51.100.1:40000", {}).address, "198.51.100.1");
}

TEST(ClientIpTest, MappedAddressesAreIpv4) {
  const ClientIp direct = resolve("::ffff:198.51.100.1", {});
  EXPECT_EQ(direct.address, "198.51.100.1");
  EXPECT_EQ(direct.bucket, "198.51.100.1");
  EXPECT_EQ(resolve("::ffff:10.0.0.2", {"::ffff:203.0.113.7"}).address, "203.0.113.7");
}

TEST(ClientIpTest, Ipv6ClientsShareABucketPerPrefix) {
  const ClientIp first = resolve("2001:db8:1:2::5", {});
  const ClientIp same_net = resolve("2001:db8:1:2:ffff:ffff:ffff:ffff", {});
  const ClientIp other_net = resolve("2001:db8:1:3::5", {});
  EXPECT_EQ(first.address, "2001:db8:1:2::5");
  EXPECT_EQ(first.bucket, "2001:db8:1:2::/64");
  EXPECT_EQ(same_net.bucket, first.bucket);
  EXPECT_NE(other_net.bucket, first.bucket);
  EXPECT_NE(same_net.address, first.address);

  EXPECT_EQ(resolve("2001:db8:1:2::5", {}, kLoadBalancers, 48).bucket, "2001:db8:1::/48");
  EXPECT_EQ(resolve("2001:db8:1:2::5", {}, kLoadBalancers, 128).bucket, "2001:db8:1:2::5/128");
  EXPECT_EQ(resolve("2001:db8:1:2::5", {}, kLoadBalancers, 0).bucket, "::/0");
  EXPECT_EQ(resolve("10.0.0.2", {"2001:DB8:1:2:0:0:0:9"}).bucket, "2001:db8:1:2::/64");
}

TEST(ClientIpTest, InvalidPrefixThrows) {
  EXPECT_THROW(resolve("2001:db8::1", {}, kLoadBalancers, 129), std::invalid_argument);
  EXPECT_THROW(resolve("192.0.2.1", {}, kLoadBalancers, -1), std::invalid_argument);
}

TEST(ClientIpTest, PeerThatIsNotAnAddressIsPassedThrough) {
  const ClientIp client = resolve("unix:/run/polysim.sock", {"203.0.113.7"});
  EXPECT_EQ(client.address, "unix:/run/polysim.sock");
  EXPECT_EQ(client.bucket, "unix:/run/polysim.sock");
}

}  // namespace
}  // namespace polysim::auth
