#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.hpp"

namespace polysim {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(hex_encode(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, HashesEmbeddedNulBytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256(with_nul), sha256("a"));
  EXPECT_NE(sha256(with_nul), sha256(std::string("a\0c", 3)));
}

// RFC 4231 section 4.2: 20-byte key of 0x0b.
TEST(HmacSha256Test, Rfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hex_encode(hmac_sha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 section 4.3: a key shorter than the output length.
TEST(HmacSha256Test, Rfc4231TestCase2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 section 4.7: a 131-byte key, longer than the SHA-256 block.
TEST(HmacSha256Test, Rfc4231TestCase6LongKey) {
  const std::string key(131, '\xaa');
  EXPECT_EQ(hex_encode(hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, KeyAndMessageBothMatter) {
  EXPECT_NE(hmac_sha256("key1", "message"), hmac_sha256("key2", "message"));
  EXPECT_NE(hmac_sha256("key", "message1"), hmac_sha256("key", "message2"));
  EXPECT_NE(hmac_sha256("", ""), sha256(""));
  EXPECT_EQ(hmac_sha256("", ""), hmac_sha256("", ""));
}

TEST(ConstantTimeEqualTest, Compares) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
  EXPECT_FALSE(constant_time_equal("Secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-token-longer"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-toke"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal("x", ""));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(RandomTest, BytesAreFilledAndDiffer) {
  std::array<std::uint8_t, 64> first{};
  std::array<std::uint8_t, 64> second{};
  random_bytes(first);
  random_bytes(second);
  EXPECT_NE(first, second);
  // 64 zero bytes from a CSPRNG has probability 2^-512.
  EXPECT_NE(first, (std::array<std::uint8_t, 64>{}));
  random_bytes(std::span<std::uint8_t>{});  // an empty span is a no-op
}

TEST(RandomTest, U64ValuesAreDistinctAndUseAllBits) {
  std::set<std::uint64_t> seen;
  std::uint64_t ored = 0;
  std::uint64_t anded = ~std::uint64_t{0};
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t value = random_u64();
    seen.insert(value);
    ored |= value;
    anded &= value;
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(ored, ~std::uint64_t{0});
  EXPECT_EQ(anded, 0u);
}

TEST(RandomTest, SafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<std::set<std::uint64_t>> per_thread(4);
  for (auto& values : per_thread) {
    threads.emplace_back([&values] {
      for (int i = 0; i < 1000; ++i) values.insert(random_u64());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::uint64_t> all;
  for (const auto& values : per_thread) all.insert(values.begin(), values.end());
  EXPECT_EQ(all.size(), 4000u);
}

}  // namespace
}  // namespace polysim
