#include "auth/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "core/crypto.hpp"

namespace polysim::auth {
namespace {

// libsodium's floor is 8 KiB; a little more keeps the tests fast without testing an edge.
constexpr Argon2Params kFastParams{.memory_kib = 64, .iterations = 1};

TEST(PasswordHasherTest, VerifiesTheRightPasswordOnly) {
  const std::string phc = hash_password("correct horse battery", kFastParams);
  EXPECT_TRUE(verify_password(phc, "correct horse battery"));
  EXPECT_FALSE(verify_password(phc, "correct horse batterY"));
  EXPECT_FALSE(verify_password(phc, "correct horse battery "));
  EXPECT_FALSE(verify_password(phc, ""));
}

TEST(PasswordHasherTest, PhcStringCarriesTheParameters) {
  const std::string phc = hash_password("correct horse battery", kFastParams);
  EXPECT_TRUE(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << phc;
}

TEST(PasswordHasherTest, DefaultParametersAreTheOwaspOnes) {
  const std::string phc = hash_password("correct horse battery", Argon2Params{});
  EXPECT_TRUE(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << phc;
  EXPECT_TRUE(verify_password(phc, "correct horse battery"));
  EXPECT_FALSE(needs_rehash(phc, Argon2Params{}));
}

TEST(PasswordHasherTest, FreshSaltEveryTime) {
  EXPECT_NE(hash_password("same password here", kFastParams), hash_password("same password here", kFastParams));
}

TEST(PasswordHasherTest, EmptyAndMultibytePasswords) {
  const std::string empty = hash_password("", kFastParams);
  EXPECT_TRUE(verify_password(empty, ""));
  EXPECT_FALSE(verify_password(empty, " "));

  const std::string unicode = hash_password("пароль-密码-🔑", kFastParams);
  EXPECT_TRUE(verify_password(unicode, "пароль-密码-🔑"));
  EXPECT_FALSE(verify_password(unicode, "пароль-密码-"));
}

TEST(PasswordHasherTest, PasswordWithEmbeddedNulIsHashedWhole) {
  const std::string with_nul("abc\0def", 7);
  const std::string phc = hash_password(with_nul, kFastParams);
  EXPECT_TRUE(verify_password(phc, with_nul));
  EXPECT_FALSE(verify_password(phc, "abc"));
}

TEST(PasswordHasherTest, MalformedHashesAreRefusedWithoutThrowing) {
  const std::string phc = hash_password("correct horse battery", kFastParams);
  const std::string malformed[] = {
      "",
      "garbage",
      "$argon2id$",
      phc.substr(0, phc.rfind('$')),
      phc.substr(0, phc.rfind('$') + 1),
      phc + std::string(200, 'A'),
      std::string(phc).insert(10, std::string("\0", 1)),
      "$argon2id$v=18$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaA",
      "$argon2id$v=19$m=64,t=1,p=2$c29tZXNhbHQ$aGFzaA",
      "$argon2id$v=19$m=-64,t=1,p=1$c29tZXNhbHQ$aGFzaA",
      "$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$aGFzaA",
      "$argon2id$v=19$m=64,t=1,p=1$$aGFzaA",
  };
  for (const std::string& bad : malformed) {
    EXPECT_NO_THROW(EXPECT_FALSE(verify_password(bad, "correct horse battery")) << bad);
    EXPECT_TRUE(needs_rehash(bad, kFastParams)) << bad;
  }
}

TEST(PasswordHasherTest, DamagedHashesDoNotVerify) {
  const std::string phc = hash_password("correct horse battery", kFastParams);
  std::string flipped = phc;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  for (const std::string& damaged : {phc.substr(0, phc.size() - 5), flipped}) {
    EXPECT_FALSE(verify_password(damaged, "correct horse battery")) << damaged;
  }
}

TEST(PasswordHasherTest, Argon2iHashesAreNotAccepted) {
  ensure_sodium_initialized();
  char argon2i[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(argon2i, "correct horse battery", 21, 3, 64 * 1024, crypto_pwhash_ALG_ARGON2I13), 0);
  EXPECT_FALSE(verify_password(argon2i, "correct horse battery"));
  EXPECT_TRUE(needs_rehash(argon2i, kFastParams));
}

TEST(PasswordHasherTest, RehashOnlyWhenWeakerThanWanted) {
  const std::string phc = hash_password("correct horse battery", Argon2Params{.memory_kib = 128, .iterations = 2});
  EXPECT_FALSE(needs_rehash(phc, Argon2Params{.memory_kib = 128, .iterations = 2}));
  EXPECT_FALSE(needs_rehash(phc, Argon2Params{.memory_kib = 64, .iterations = 1}));
  EXPECT_TRUE(needs_rehash(phc, Argon2Params{.memory_kib = 256, .iterations = 2}));
  EXPECT_TRUE(needs_rehash(phc, Argon2Params{.memory_kib = 128, .iterations = 3}));
}

TEST(PasswordHasherTest, ParametersOutsideLibsodiumLimitsThrow) {
  EXPECT_THROW(hash_password("x", Argon2Params{.memory_kib = 4, .iterations = 1}), std::invalid_argument);
  EXPECT_THROW(hash_password("x", Argon2Params{.memory_kib = 64, .iterations = 0}), std::invalid_argument);
  EXPECT_NO_THROW(hash_password("x", Argon2Params{.memory_kib = 8, .iterations = 1}));
}

}  // namespace
}  // namespace polysim::auth
