#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace polysim {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// Every length 0..40 and every byte value, to cover each partial final group.
std::vector<std::vector<std::uint8_t>> sample_inputs() {
  std::vector<std::vector<std::uint8_t>> inputs;
  for (std::size_t length = 0; length <= 40; ++length) {
    std::vector<std::uint8_t> input(length);
    for (std::size_t i = 0; i < length; ++i) input[i] = static_cast<std::uint8_t>(i * 37 + length * 11 + 0xa5);
    inputs.push_back(input);
  }
  std::vector<std::uint8_t> every_byte(256);
  for (std::size_t i = 0; i < 256; ++i) every_byte[i] = static_cast<std::uint8_t>(i);
  inputs.push_back(every_byte);
  inputs.push_back(std::vector<std::uint8_t>(7, 0x00));
  inputs.push_back(std::vector<std::uint8_t>(7, 0xff));
  return inputs;
}

// RFC 4648 section 10, lowercased and without padding.
TEST(Base32Test, Rfc4648Vectors) {
  EXPECT_EQ(base32_encode(""), "");
  EXPECT_EQ(base32_encode("f"), "my");
  EXPECT_EQ(base32_encode("fo"), "mzxq");
  EXPECT_EQ(base32_encode("foo"), "mzxw6");
  EXPECT_EQ(base32_encode("foob"), "mzxw6yq");
  EXPECT_EQ(base32_encode("fooba"), "mzxw6ytb");
  EXPECT_EQ(base32_encode("foobar"), "mzxw6ytboi");

  EXPECT_EQ(base32_decode(""), bytes_of(""));
  EXPECT_EQ(base32_decode("my"), bytes_of("f"));
  EXPECT_EQ(base32_decode("mzxq"), bytes_of("fo"));
  EXPECT_EQ(base32_decode("mzxw6"), bytes_of("foo"));
  EXPECT_EQ(base32_decode("mzxw6yq"), bytes_of("foob"));
  EXPECT_EQ(base32_decode("mzxw6ytb"), bytes_of("fooba"));
  EXPECT_EQ(base32_decode("mzxw6ytboi"), bytes_of("foobar"));
}

TEST(Base32Test, AlphabetEdges) {
  EXPECT_EQ(base32_encode(std::array<std::uint8_t, 5>{0x00, 0x00, 0x00, 0x00, 0x00}), "aaaaaaaa");
  EXPECT_EQ(base32_encode(std::array<std::uint8_t, 5>{0xff, 0xff, 0xff, 0xff, 0xff}), "77777777");
  EXPECT_EQ(base32_encode(std::array<std::uint8_t, 5>{0x00, 0x44, 0x32, 0x14, 0xc7}), "abcdefgh");
}

TEST(Base32Test, RoundTrips) {
  for (const auto& input : sample_inputs()) {
    const std::string encoded = base32_encode(input);
    EXPECT_EQ(encoded.size(), (input.size() * 8 + 4) / 5);
    EXPECT_EQ(encoded.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos);
    EXPECT_EQ(base32_decode(encoded), input) << encoded;
  }
}

TEST(Base32Test, DecodeIsStrict) {
  EXPECT_EQ(base32_decode("MZXW6YTBOI"), std::nullopt);  // uppercase
  EXPECT_EQ(base32_decode("mzxw6yq="), std::nullopt);    // padding
  EXPECT_EQ(base32_decode("my======"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw6 yq"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw1"), std::nullopt);  // '1' is not in the alphabet
  EXPECT_EQ(base32_decode("mzxw8"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw0"), std::nullopt);
  // Lengths 1, 3 and 6 (mod 8) cannot come from the encoder.
  EXPECT_EQ(base32_decode("m"), std::nullopt);
  EXPECT_EQ(base32_decode("mzx"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw6y"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw6ytbo"), std::nullopt);
  // Same lengths with all-zero bits, so only the length rule can reject them.
  EXPECT_EQ(base32_decode("a"), std::nullopt);
  EXPECT_EQ(base32_decode("aaa"), std::nullopt);
  EXPECT_EQ(base32_decode("aaaaaa"), std::nullopt);
  EXPECT_EQ(base32_decode("aaaaaaaaa"), std::nullopt);
  // Non-zero trailing bits: "my" is canonical for "f", "mz" would decode to it too.
  EXPECT_EQ(base32_decode("mz"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxr"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw6yr"), std::nullopt);
  EXPECT_EQ(base32_decode("mzxw6ytboj"), std::nullopt);
}

// RFC 4648 section 10 base64 vectors; none of them contain '+' or '/', so they hold for base64url.
TEST(Base64UrlTest, Rfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");

  EXPECT_EQ(base64url_decode(""), bytes_of(""));
  EXPECT_EQ(base64url_decode("Zg"), bytes_of("f"));
  EXPECT_EQ(base64url_decode("Zm8"), bytes_of("fo"));
  EXPECT_EQ(base64url_decode("Zm9v"), bytes_of("foo"));
  EXPECT_EQ(base64url_decode("Zm9vYg"), bytes_of("foob"));
  EXPECT_EQ(base64url_decode("Zm9vYmE"), bytes_of("fooba"));
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), bytes_of("foobar"));
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  EXPECT_EQ(base64url_encode(std::array<std::uint8_t, 3>{0xfb, 0xef, 0xbe}), "----");
  EXPECT_EQ(base64url_encode(std::array<std::uint8_t, 3>{0xff, 0xff, 0xff}), "____");
  EXPECT_EQ(base64url_encode(std::array<std::uint8_t, 2>{0xfb, 0xff}), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), (std::vector<std::uint8_t>{0xfb, 0xff}));
}

TEST(Base64UrlTest, RoundTrips) {
  for (const auto& input : sample_inputs()) {
    const std::string encoded = base64url_encode(input);
    EXPECT_EQ(encoded.size(), (input.size() * 8 + 5) / 6);
    EXPECT_EQ(base64url_decode(encoded), input) << encoded;
  }
}

TEST(Base64UrlTest, DecodeIsStrict) {
  EXPECT_EQ(base64url_decode("Zg=="), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm8="), std::nullopt);
  EXPECT_EQ(base64url_decode("+_8"), std::nullopt);  // standard alphabet
  EXPECT_EQ(base64url_decode("-/8"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9 v"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9v."), std::nullopt);
  EXPECT_EQ(base64url_decode("Z"), std::nullopt);  // length 1 mod 4
  EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);
  EXPECT_EQ(base64url_decode("A"), std::nullopt);
  EXPECT_EQ(base64url_decode("AAAAA"), std::nullopt);
  // Non-canonical trailing bits.
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9vYh"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9vYmF"), std::nullopt);
}

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("foobar"), "666f6f626172");
  EXPECT_EQ(hex_encode(std::array<std::uint8_t, 4>{0x00, 0x0f, 0xab, 0xff}), "000fabff");
  EXPECT_EQ(hex_encode(std::string("\x00\x01", 2)), "0001");
}

}  // namespace
}  // namespace polysim
