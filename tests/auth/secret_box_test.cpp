#include "auth/secret_box.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "core/encoding.hpp"

namespace polysim::auth {
namespace {

using Key = std::array<std::uint8_t, kSecretBoxKeyBytes>;

Key key_filled_with(std::uint8_t value) {
  Key key{};
  key.fill(value);
  return key;
}

const Key kKey = key_filled_with(0x42);
constexpr std::string_view kOwner = "user:0b6f2a4e";

TEST(SecretBoxTest, RoundTrip) {
  const std::string sealed = seal_secret(kKey, "JBSWY3DPEHPK3PXP", kOwner);
  EXPECT_EQ(open_secret(kKey, sealed, kOwner), "JBSWY3DPEHPK3PXP");
}

TEST(SecretBoxTest, LayoutIsNonceCiphertextTag) {
  const std::string plaintext(20, 'x');
  const auto bytes = base64url_decode(seal_secret(kKey, plaintext, kOwner));
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), 12 + plaintext.size() + 16);
}

TEST(SecretBoxTest, EmptyAndBinaryPlaintexts) {
  EXPECT_EQ(open_secret(kKey, seal_secret(kKey, "", kOwner), kOwner), "");
  const std::string binary("\0\x01\xff\0", 4);
  EXPECT_EQ(open_secret(kKey, seal_secret(kKey, binary, ""), ""), binary);
}

TEST(SecretBoxTest, FreshNonceEverySeal) {
  EXPECT_NE(seal_secret(kKey, "same", kOwner), seal_secret(kKey, "same", kOwner));
}

TEST(SecretBoxTest, WrongKeyOrAssociatedDataDoesNotOpen) {
  const std::string sealed = seal_secret(kKey, "JBSWY3DPEHPK3PXP", kOwner);
  EXPECT_EQ(open_secret(key_filled_with(0x43), sealed, kOwner), std::nullopt);
  EXPECT_EQ(open_secret(kKey, sealed, "user:someone-else"), std::nullopt);
  EXPECT_EQ(open_secret(kKey, sealed, ""), std::nullopt);
  EXPECT_EQ(open_secret(kKey, seal_secret(kKey, "x", ""), kOwner), std::nullopt);
}

TEST(SecretBoxTest, AnyAlteredBitDoesNotOpen) {
  const auto bytes = base64url_decode(seal_secret(kKey, "JBSWY3DPEHPK3PXP", kOwner));
  ASSERT_TRUE(bytes.has_value());
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    for (const std::uint8_t bit : {0x01, 0x80}) {
      auto altered = *bytes;
      altered[i] ^= bit;
      EXPECT_EQ(open_secret(kKey, base64url_encode(std::span<const std::uint8_t>(altered)), kOwner), std::nullopt)
          << "byte " << i;
    }
  }
}

TEST(SecretBoxTest, MalformedInputDoesNotOpen) {
  const std::string sealed = seal_secret(kKey, "JBSWY3DPEHPK3PXP", kOwner);
  const auto bytes = base64url_decode(sealed);
  ASSERT_TRUE(bytes.has_value());
  const std::vector<std::uint8_t> truncated(bytes->begin(), bytes->end() - 1);
  const std::vector<std::uint8_t> extended = [&] {
    auto longer = *bytes;
    longer.push_back(0);
    return longer;
  }();
  const std::string malformed[] = {
      "",
      "AAAA",
      base64url_encode(std::span<const std::uint8_t>(bytes->data(), 27)),
      base64url_encode(std::span<const std::uint8_t>(truncated)),
      base64url_encode(std::span<const std::uint8_t>(extended)),
      sealed + "=",
      " " + sealed,
      "!" + sealed.substr(1),
  };
  for (const std::string& input : malformed) EXPECT_EQ(open_secret(kKey, input, kOwner), std::nullopt) << input;
}

}  // namespace
}  // namespace polysim::auth
