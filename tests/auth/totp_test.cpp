#include "auth/totp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace polysim::auth {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// RFC 4226 Appendix D and RFC 6238 Appendix B share this ASCII secret.
const std::vector<std::uint8_t> kRfcSecret = bytes_of("12345678901234567890");

TEST(TotpTest, Rfc4226HotpValues) {
  const std::array<std::string_view, 10> expected = {"755224", "287082", "359152", "969429", "338314",
                                                     "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(hotp_code(kRfcSecret, counter), expected[counter]) << counter;
  }
}

TEST(TotpTest, Rfc6238Sha1Vectors) {
  const std::array<std::pair<std::int64_t, std::string_view>, 6> vectors = {{{59, "94287082"},
                                                                             {1111111109, "07081804"},
                                                                             {1111111111, "14050471"},
                                                                             {1234567890, "89005924"},
                                                                             {2000000000, "69279037"},
                                                                             {20000000000, "65353130"}}};
  for (const auto& [time, code] : vectors) {
    EXPECT_EQ(hotp_code(kRfcSecret, static_cast<std::uint64_t>(totp_step(time)), 8), code) << time;
  }
}

TEST(TotpTest, DigitCountOutsideSixToEightThrows) {
  EXPECT_THROW(hotp_code(kRfcSecret, 0, 5), std::invalid_argument);
  EXPECT_THROW(hotp_code(kRfcSecret, 0, 9), std::invalid_argument);
  EXPECT_EQ(hotp_code(kRfcSecret, 0, 7).size(), 7u);
}

TEST(TotpTest, StepsAreThirtySecondsFloored) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59), 1);
  EXPECT_EQ(totp_step(-1), -1);
  EXPECT_EQ(totp_step(-30), -1);
  EXPECT_EQ(totp_step(-31), -2);
}

TEST(TotpTest, AcceptsOneStepEitherSide) {
  const std::int64_t now = 1'700'000'015;
  const std::int64_t step = totp_step(now);
  for (const std::int64_t offset : {-1, 0, 1}) {
    const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + offset));
    EXPECT_EQ(verify_totp(kRfcSecret, code, now, std::nullopt), step + offset) << offset;
  }
  for (const std::int64_t offset : {-3, -2, 2, 3}) {
    const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + offset));
    EXPECT_EQ(verify_totp(kRfcSecret, code, now, std::nullopt), std::nullopt) << offset;
  }
}

TEST(TotpTest, CodeWorksOnlyOnce) {
  const std::int64_t now = 1'700'000'015;
  const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(totp_step(now)));
  const auto accepted = verify_totp(kRfcSecret, code, now, std::nullopt);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(verify_totp(kRfcSecret, code, now, accepted), std::nullopt);
  EXPECT_EQ(verify_totp(kRfcSecret, code, now + 20, accepted), std::nullopt);
}

TEST(TotpTest, OlderStepRefusedAfterANewerOneWasAccepted) {
  const std::int64_t now = 1'700'000'015;
  const std::int64_t step = totp_step(now);
  const std::string previous = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step - 1));
  const std::string next = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + 1));
  EXPECT_EQ(verify_totp(kRfcSecret, next, now, std::nullopt), step + 1);
  EXPECT_EQ(verify_totp(kRfcSecret, previous, now, step + 1), std::nullopt);
  EXPECT_EQ(verify_totp(kRfcSecret, previous, now, step - 2), step - 1);
}

TEST(TotpTest, CodeMustBeExactlySixAsciiDigits) {
  const std::int64_t now = 1'700'000'015;
  const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(totp_step(now)));
  const std::string variants[] = {
      "",
      code.substr(0, 5),
      code + "0",
      " " + code,
      code + " ",
      code.substr(0, 3) + " " + code.substr(3),
      code.substr(0, 5) + "a",
      "-" + code.substr(1),
      "１２３４５６",  // fullwidth digits
      std::string(code).replace(2, 1, std::string("\0", 1)),
  };
  for (const std::string& variant : variants) {
    EXPECT_EQ(verify_totp(kRfcSecret, variant, now, std::nullopt), std::nullopt) << variant;
  }
}

TEST(TotpTest, NewSecretsAreTwentyRandomBytes) {
  std::set<std::vector<std::uint8_t>> seen;
  for (int i = 0; i < 100; ++i) {
    const auto secret = new_totp_secret();
    EXPECT_EQ(secret.size(), 20u);
    seen.insert(secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TotpTest, SecretBase32IsUppercaseWithoutPadding) {
  const auto secret = bytes_of("Hello!\xDE\xAD\xBE\xEF");
  EXPECT_EQ(totp_secret_base32(secret), "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(totp_secret_base32(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(parse_totp_secret_base32("JBSWY3DPEHPK3PXP"), secret);
  EXPECT_EQ(parse_totp_secret_base32("jbswy3dpehpk3pxp"), secret);
  const auto fresh = new_totp_secret();
  EXPECT_EQ(parse_totp_secret_base32(totp_secret_base32(fresh)), fresh);
}

TEST(TotpTest, SecretBase32RefusesNonCanonicalText) {
  for (const std::string_view bad : {"", "JBSWY3DPEHPK3PXP=", "JBSWY3DP EHPK3PXP", "JBSWY3DPEHPK3PX1", "JBSWY3DPEHPK3PXPA",
                                     "JBSWY3DPEHPK3PX"}) {
    EXPECT_EQ(parse_totp_secret_base32(bad), std::nullopt) << bad;
  }
}

TEST(TotpTest, OtpauthUriMatchesTheAuthenticatorFormat) {
  EXPECT_EQ(otpauth_uri("polysim", "ada@example.com", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "otpauth://totp/polysim:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=polysim"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(TotpTest, OtpauthUriPercentEncodesIssuerAndEmail) {
  EXPECT_EQ(otpauth_uri("Acme Prop: Demo", "ada+test@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Acme%20Prop%3A%20Demo:ada%2Btest%40example.com?secret=JBSWY3DPEHPK3PXP"
            "&issuer=Acme%20Prop%3A%20Demo&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("Ünï-co.de_~", "x@y", "A"),
            "otpauth://totp/%C3%9Cn%C3%AF-co.de_~:x%40y?secret=A&issuer=%C3%9Cn%C3%AF-co.de_~"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace polysim::auth
