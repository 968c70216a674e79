#include "core/token.hpp"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim {
namespace {

constexpr std::string_view kTenantTag = "ps_tenant_";

std::string random_part(const std::string& token, std::string_view tag) { return token.substr(tag.size()); }

TEST(GenerateTokenTest, ShapeForEachTag) {
  for (const std::string_view tag :
       {std::string_view("ps_tenant_"), std::string_view("ll_"), std::string_view("rt_"), std::string_view("")}) {
    const std::string token = generate_token(tag);
    EXPECT_EQ(token.size(), tag.size() + 52) << token;
    EXPECT_TRUE(token.starts_with(tag)) << token;
    EXPECT_EQ(random_part(token, tag).find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos)
        << token;
    EXPECT_TRUE(is_well_formed_token(token, tag)) << token;
  }
}

TEST(GenerateTokenTest, CarriesThirtyTwoRandomBytes) {
  const std::string token = generate_token("rt_");
  const auto decoded = base32_decode(random_part(token, "rt_"));
  ASSERT_TRUE(decoded.has_value()) << token;  // canonical encoding, so the last char is 'a' or 'q'
  EXPECT_EQ(decoded->size(), 32u);
}

TEST(GenerateTokenTest, Unique) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(generate_token("ll_"));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(WellFormedTokenTest, RejectsWrongShapes) {
  const std::string token = generate_token(kTenantTag);
  const std::string body = random_part(token, kTenantTag);
  EXPECT_TRUE(is_well_formed_token(token, kTenantTag));
  EXPECT_TRUE(is_well_formed_token("ll_" + std::string(52, 'a'), "ll_"));
  EXPECT_TRUE(is_well_formed_token("ll_" + std::string(52, '7'), "ll_"));

  EXPECT_FALSE(is_well_formed_token(token, "ll_"));
  EXPECT_FALSE(is_well_formed_token("ps_tenant" + body, kTenantTag));
  EXPECT_FALSE(is_well_formed_token("PS_TENANT_" + body, kTenantTag));
  EXPECT_FALSE(is_well_formed_token(body, kTenantTag));
  EXPECT_FALSE(is_well_formed_token(token.substr(0, token.size() - 1), kTenantTag));
  EXPECT_FALSE(is_well_formed_token(token + "a", kTenantTag));
  EXPECT_FALSE(is_well_formed_token("", kTenantTag));
  EXPECT_FALSE(is_well_formed_token(kTenantTag, kTenantTag));
  for (const char bad : {'A', 'Z', '0', '1', '8', '9', '-', '_', '=', ' ', '\0'}) {
    std::string mutated = token;
    mutated[kTenantTag.size() + 20] = bad;
    EXPECT_FALSE(is_well_formed_token(mutated, kTenantTag)) << "char " << static_cast<int>(bad);
  }
}

TEST(TokenPrefixTest, TagPlusLeadingRandomChars) {
  const std::string token = generate_token(kTenantTag);
  const std::string prefix = token_prefix(token, kTenantTag);
  EXPECT_EQ(prefix.size(), kTenantTag.size() + 12);
  EXPECT_EQ(prefix, token.substr(0, 22));
  EXPECT_EQ(token_prefix(token, kTenantTag, 14), token.substr(0, 24));
  EXPECT_EQ(token_prefix(token, kTenantTag, 0), std::string(kTenantTag));
  EXPECT_EQ(token_prefix(token, kTenantTag, 52), token);

  const std::string refresh = generate_token("rt_");
  EXPECT_EQ(token_prefix(refresh, "rt_"), refresh.substr(0, 15));
}

TEST(TokenPrefixTest, EmptyForForeignOrShortInput) {
  const std::string token = generate_token(kTenantTag);
  EXPECT_EQ(token_prefix(token, kTenantTag, 53), "");
  EXPECT_EQ(token_prefix(token, "rt_"), "");
  EXPECT_EQ(token_prefix("rt_abc", "rt_"), "");
  EXPECT_EQ(token_prefix("", "rt_"), "");
  EXPECT_EQ(token_prefix("rt", "rt_", 0), "");
}

TEST(TokenHashTest, HexOfSha256OverWholeToken) {
  EXPECT_EQ(token_hash_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string token = generate_token("rt_");
  const std::string hash = token_hash_hex(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash, hex_encode(sha256(token)));
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  // The tag is part of what is hashed, so the same secret under another tag is another credential.
  EXPECT_NE(token_hash_hex("ll_" + random_part(token, "rt_")), hash);
}

}  // namespace
}  // namespace polysim
